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

// Reads bits MSB first from an RBSP (emulation prevention bytes already removed).
class Bits {
 public:
  explicit Bits(std::vector<uint8_t> data) : data_(std::move(data)) {}
  uint32_t read(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      const size_t byte = pos_ / 8;
      const int bit = byte < data_.size() ? (data_[byte] >> (7 - pos_ % 8)) & 1 : 0;
      v = (v << 1) | static_cast<uint32_t>(bit);
    }
    return v;
  }
  bool ok() const { return pos_ <= data_.size() * 8; }

 private:
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
};

// hvc1.<profile>.<compatibility, bit-reversed hex>.<L|H><level>.<constraint bytes> (ISO/IEC
// 14496-15 annex E) from the first SPS (NAL type 33) of an HEVC byte stream.
std::string h265_codec(const std::vector<uint8_t>& es) {
  for (size_t i = 0; i + 5 < es.size(); ++i) {
    if (!(es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1 && ((es[i + 3] >> 1) & 0x3f) == 33)) continue;
    std::vector<uint8_t> rbsp;
    for (size_t j = i + 5; j < es.size() && rbsp.size() < 32; ++j) {
      if (j + 2 < es.size() && es[j] == 0 && es[j + 1] == 0 && es[j + 2] == 3) {  // 00 00 03: drop the 03
        rbsp.push_back(0);
        rbsp.push_back(0);
        j += 2;
        continue;
      }
      rbsp.push_back(es[j]);
    }
    Bits b(std::move(rbsp));
    b.read(4 + 3 + 1);  // sps_video_parameter_set_id, max_sub_layers_minus1, temporal_id_nesting
    const uint32_t space = b.read(2), tier = b.read(1), profile = b.read(5);
    const uint32_t compat = b.read(32);
    uint8_t constraints[6];
    for (auto& c : constraints) c = static_cast<uint8_t>(b.read(8));
    const uint32_t level = b.read(8);
    if (!b.ok()) break;
    uint32_t reversed = 0;
    for (int k = 0; k < 32; ++k) reversed |= ((compat >> k) & 1u) << (31 - k);
    char buf[64];
    std::snprintf(buf, sizeof buf, "hvc1.%s%u.%X.%c%u", space == 0 ? "" : std::string(1, char('A' + space - 1)).c_str(),
                  profile, reversed, tier ? 'H' : 'L', level);
    std::string out = buf;
    int last = 5;
    while (last >= 0 && constraints[last] == 0) --last;  // trailing zero bytes are left out
    for (int k = 0; k <= last; ++k) {
      std::snprintf(buf, sizeof buf, ".%X", constraints[k]);
      out += buf;
    }
    return out;
  }
  return "hvc1.1.6.L93.B0";  // not found in the scanned bytes: Main, level 3.1
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
          if (type == 0x0f || type == 0x11)
            out.audio = "mp4a.40.2";
          else if (type == 0x03 || type == 0x04)
            out.audio = "mp4a.40.34";
          else if (type == 0x81)
            out.audio = "ac-3";
        }
        i += 5 + es_info;
      }

      if (video_type == 0x01 || video_type == 0x02) out.video = "mp2v";
    } else if (pk.pid == video_pid && (video_type == 0x1b || video_type == 0x24) && es.size() < kVideoScanBytes) {
      append_pes_payload(es, pk);
    }
  }
  if (video_type == 0x1b) out.video = h264_codec(es);
  if (video_type == 0x24) out.video = h265_codec(es);
  return out;
}

}  // namespace lp
