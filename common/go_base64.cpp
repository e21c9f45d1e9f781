#include "go_base64.h"

#include <glib.h>

#include <array>
#include <cstdint>

namespace lp {
namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Error corrupt(size_t at) {
  return Error{ErrorCode::BadRequest, "base64 decode error: illegal base64 data at input byte " + std::to_string(at)};
}

}  // namespace

// Encoding.Decode's quantum loop: newlines skipped, padding required, the byte offsets it reports.
Result<std::string> go_base64_decode(std::string_view src) {
  std::string out;
  size_t si = 0;
  while (si < src.size()) {
    std::array<int, 4> q{};
    size_t n = 0;  // sextets in this quantum
    bool end = false;
    while (n < 4) {
      if (si == src.size()) {
        if (n == 0) return out;
        return corrupt(si - n);  // an unpadded final quantum
      }
      const char c = src[si++];
      if (int v = b64_value(c); v >= 0) {
        q[n++] = v;
        continue;
      }
      if (c == '\n' || c == '\r') continue;
      if (c != '=' || n < 2) return corrupt(si - 1);
      if (n == 2) {  // "==" expected; the first is read
        while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
        if (si == src.size()) return corrupt(src.size());
        if (src[si] != '=') return corrupt(si - 1);
        ++si;
      }
      while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
      if (si < src.size()) return corrupt(si);  // data after the padding
      end = true;
      break;
    }
    const uint32_t v = (uint32_t(q[0]) << 18) | (uint32_t(q[1]) << 12) | (uint32_t(q[2]) << 6) | uint32_t(q[3]);
    out.push_back(static_cast<char>(v >> 16));
    if (n >= 3) out.push_back(static_cast<char>((v >> 8) & 0xff));
    if (n == 4) out.push_back(static_cast<char>(v & 0xff));
    if (end) break;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  g_autofree gchar* text = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  return text;
}

}  // namespace lp
