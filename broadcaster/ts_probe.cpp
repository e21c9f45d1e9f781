#include "ts_probe.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

namespace lp {
namespace {

constexpr size_t kPacket = 188;
constexpr size_t kVideoScanBytes = 256 * 1024;  // the first keyframe's parameter sets are early

struct Packet {
  int pid = -1;
  bool start = false;
  const uint8_t* payload = nullptr;
  size_t size = 0;
};

Packet parse_packet(const uint8_t* p) {
  Packet out;
  if (p[0] != 0x47) return out;
  out.pid = ((p[1] & 0x1f) << 8) | p[2];
  out.start = p[1] & 0x40;
  const int adaptation = (p[3] >> 4) & 3;
  size_t offset = 4;
  if (adaptation == 2) return out;  // adaptation field only
  if (adaptation == 3) offset += 1 + p[4];
  if (offset >= kPacket) return out;
  out.payload = p + offset;
  out.size = kPacket - offset;
  return out;
}

// The section of a PSI packet (pointer field skipped), or nullptr.
const uint8_t* section(const Packet& pk, size_t& len) {
  if (!pk.start || pk.size < 1 || pk.payload[0] + 1u >= pk.size) return nullptr;
  const uint8_t* s = pk.payload + 1 + pk.payload[0];
  len = pk.size - 1 - pk.payload[0];
  if (len < 3) return nullptr;
  const size_t section_length = ((s[1] & 0x0f) << 8) | s[2];
  if (3 + section_length > len) return nullptr;
  len = 3 + section_length;
  return s;
}

std::string hex2(unsigned v) {
  char buf[3];
  std::snprintf(buf, sizeof buf, "%02x", v & 0xff);
  return buf;
}

// avc1.PPCCLL from the first SPS (NAL type 7) in an Annex B byte stream.
std::string h264_codec(const std::vector<uint8_t>& es) {
  for (size_t i = 0; i + 6 < es.size(); ++i) {
    if (es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1 && (es[i + 3] & 0x1f) == 7)
      return "avc1." + hex2(es[i + 4]) + hex2(es[i + 5]) + hex2(es[i + 6]);
  }
  return "avc1.640028";  // not found in the scanned bytes: High 4.0 covers what we make
}

// Strips PES headers from the payloads of one PID, in order.
void append_pes_payload(std::vector<uint8_t>& es, const Packet& pk) {
  const uint8_t* data = pk.payload;
  size_t size = pk.size;
  if (pk.start && size >= 9 && data[0] == 0 && data[1] == 0 && data[2] == 1) {
    const size_t header = 9 + data[8];
    if (header > size) return;
    data += header;
    size -= header;
  }
  es.insert(es.end(), data, data + size);
}

}  // namespace

std::string TsCodecs::attribute() const {
  if (audio.empty()) return video;
  if (video.empty()) return audio;
  return video + "," + audio;
}

TsCodecs probe_ts_codecs(GBytes* ts) {
  TsCodecs out;
  gsize n = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(ts, &n));
  int pmt_pid = -1, video_pid = -1;
  int video_type = 0;
  std::vector<uint8_t> es;
  for (size_t at = 0; at + kPacket <= n; at += kPacket) {
    const Packet pk = parse_packet(data + at);
    if (pk.pid < 0 || !pk.payload) continue;
    size_t len = 0;
    if (pk.pid == 0 && pmt_pid < 0) {
      const uint8_t* s = section(pk, len);
      if (!s || len < 12) continue;
      // program loop: 4-byte entries after the 8-byte header, before the CRC; first program != 0.
      for (size_t i = 8; i + 8 <= len; i += 4) {
        const int program = (s[i] << 8) | s[i + 1];
        if (program != 0) {
          pmt_pid = ((s[i + 2] & 0x1f) << 8) | s[i + 3];
          break;
        }
      }
    } else if (pk.pid == pmt_pid && video_pid < 0) {
      const uint8_t* s = section(pk, len);
      if (!s || len < 16) continue;
      const size_t info_len = ((s[10] & 0x0f) << 8) | s[11];
      for (size_t i = 12 + info_len; i + 5 + 4 <= len;) {
        const int type = s[i];
        const int pid = ((s[i + 1] & 0x1f) << 8) | s[i + 2];
        const size_t es_info = ((s[i + 3] & 0x0f) << 8) | s[i + 4];
        if ((type == 0x1b || type == 0x24 || type == 0x02 || type == 0x01) && video_pid < 0) {
          video_pid = pid;
          video_type = type;
        } else if (out.audio.empty()) {
          if (type == 0x0f || type == 0x11) out.audio = "mp4a.40.2";
          else if (type == 0x03 || type == 0x04) out.audio = "mp4a.40.34";
          else if (type == 0x81) out.audio = "ac-3";
        }
        i += 5 + es_info;
      }
      if (video_type == 0x24) out.video = "hvc1";
      if (video_type == 0x01 || video_type == 0x02) out.video = "mp2v";
    } else if (pk.pid == video_pid && video_type == 0x1b && es.size() < kVideoScanBytes) {
      append_pes_payload(es, pk);
    }
  }
  if (video_type == 0x1b) out.video = h264_codec(es);
  return out;
}

}  // namespace lp
