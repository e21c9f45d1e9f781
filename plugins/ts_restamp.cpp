#include "ts_restamp.h"

#include <cstdlib>

namespace lp {
namespace {

int64_t wrap33(int64_t v) {
  v %= kTsWrap;
  return v < 0 ? v + kTsWrap : v;
}

// PTS/DTS: 5 bytes, 33 bits split 3/15/15 with marker bits; the top 4 bits are a prefix.
void write_pes_time(uint8_t* p, int64_t t) {
  p[0] = static_cast<uint8_t>((p[0] & 0xf1) | ((t >> 29) & 0x0e));
  p[1] = static_cast<uint8_t>(t >> 22);
  p[2] = static_cast<uint8_t>(((t >> 14) & 0xfe) | 0x01);
  p[3] = static_cast<uint8_t>(t >> 7);
  p[4] = static_cast<uint8_t>(((t << 1) & 0xfe) | 0x01);
}

// PCR: 33-bit base at 90 kHz, 6 reserved bits, 9-bit extension at 27 MHz (kept as is).
void shift_pcr(uint8_t* p, int64_t delta) {
  int64_t base = (int64_t(p[0]) << 25) | (int64_t(p[1]) << 17) | (int64_t(p[2]) << 9) | (int64_t(p[3]) << 1) |
                 (int64_t(p[4]) >> 7);
  base = wrap33(base + delta);
  p[0] = static_cast<uint8_t>(base >> 25);
  p[1] = static_cast<uint8_t>(base >> 17);
  p[2] = static_cast<uint8_t>(base >> 9);
  p[3] = static_cast<uint8_t>(base >> 1);
  p[4] = static_cast<uint8_t>(((base & 1) << 7) | (p[4] & 0x7f));
}

bool has_pes_optional_header(uint8_t stream_id) {
  // program_stream_map, padding, private_stream_2, ECM, EMM, directory, DSMCC, H.222 type E
  switch (stream_id) {
    case 0xbc:
    case 0xbe:
    case 0xbf:
    case 0xf0:
    case 0xf1:
    case 0xff:
    case 0xf2:
    case 0xf8: return false;
    default: return true;
  }
}

void shift_packet(uint8_t* pkt, int64_t delta) {
  if (pkt[0] != 0x47) return;
  bool payload_start = pkt[1] & 0x40;
  int afc = (pkt[3] >> 4) & 0x3;
  std::size_t pos = 4;
  if (afc & 0x2) {
    std::size_t af_len = pkt[4];
    if (af_len > 0 && 5 + af_len <= kTsPacketSize && (pkt[5] & 0x10) && af_len >= 7) shift_pcr(pkt + 6, delta);
    pos = 5 + af_len;
  }
  if (!(afc & 0x1) || !payload_start || pos + 14 > kTsPacketSize) return;
  uint8_t* pes = pkt + pos;
  if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || !has_pes_optional_header(pes[3])) return;
  if ((pes[6] & 0xc0) != 0x80) return;  // not an MPEG-2 PES header
  int flags = pes[7] >> 6;
  if (flags & 0x2) write_pes_time(pes + 9, wrap33(read_pes_timestamp(pes + 9) + delta));
  if (flags == 0x3 && pos + 19 <= kTsPacketSize) write_pes_time(pes + 14, wrap33(read_pes_timestamp(pes + 14) + delta));
}

}  // namespace

bool ts_shift_timestamps(uint8_t* data, std::size_t size, int64_t delta_ticks) {
  if (size % kTsPacketSize != 0) return false;
  for (std::size_t off = 0; off < size; off += kTsPacketSize) shift_packet(data + off, delta_ticks);
  return true;
}

int64_t read_pes_timestamp(const uint8_t* p) {
  return (int64_t(p[0] & 0x0e) << 29) | (int64_t(p[1]) << 22) | (int64_t(p[2] & 0xfe) << 14) | (int64_t(p[3]) << 7) |
         (int64_t(p[4]) >> 1);
}

int64_t ns_to_ts_ticks(int64_t ns) {
  // 90 kHz ticks = ns * 9 / 100000, rounded half away from zero.
  int64_t num = ns * 9;
  return num >= 0 ? (num + 50000) / 100000 : -((-num + 50000) / 100000);
}

int64_t mux_time_for_ticks(int64_t ticks) {
  // ceil(|ticks| * 100000 / 9), with the sign of ticks.
  int64_t ns = (std::abs(ticks) * 100000 + 8) / 9;
  return ticks < 0 ? -ns : ns;
}

}  // namespace lp
