// Big- and little-endian integer helpers for the RTMP wire format (chunks, AMF0, FLV). Reads
// take a string_view the caller has already checked is long enough.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lp::rtmp {

inline uint8_t byte_at(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

inline uint32_t read_be16(std::string_view s) { return (uint32_t{byte_at(s, 0)} << 8) | byte_at(s, 1); }
inline uint32_t read_be24(std::string_view s) {
  return (uint32_t{byte_at(s, 0)} << 16) | (uint32_t{byte_at(s, 1)} << 8) | byte_at(s, 2);
}
inline uint32_t read_be32(std::string_view s) { return (read_be16(s) << 16) | read_be16(s.substr(2)); }
inline uint32_t read_le32(std::string_view s) {
  return uint32_t{byte_at(s, 0)} | (uint32_t{byte_at(s, 1)} << 8) | (uint32_t{byte_at(s, 2)} << 16) |
         (uint32_t{byte_at(s, 3)} << 24);
}

inline void put_u8(std::string& out, uint32_t v) { out.push_back(static_cast<char>(v & 0xff)); }
inline void put_be16(std::string& out, uint32_t v) {
  put_u8(out, v >> 8);
  put_u8(out, v);
}
inline void put_be24(std::string& out, uint32_t v) {
  put_u8(out, v >> 16);
  put_be16(out, v);
}
inline void put_be32(std::string& out, uint32_t v) {
  put_be16(out, v >> 16);
  put_be16(out, v);
}
inline void put_le32(std::string& out, uint32_t v) {
  put_u8(out, v);
  put_u8(out, v >> 8);
  put_u8(out, v >> 16);
  put_u8(out, v >> 24);
}

}  // namespace lp::rtmp
