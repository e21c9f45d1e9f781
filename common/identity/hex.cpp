#include "hex.h"

namespace lp::eth {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string to_hex_0x(std::span<const uint8_t> bytes) { return "0x" + to_hex(bytes); }

Result<Bytes> from_hex(std::string_view text, std::string_view what, ErrorCode code) {
  auto fail = [&](const std::string& why) { return Error{code, "bad hex in " + std::string(what) + ": " + why}; };
  size_t offset = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) offset = 2;
  std::string_view digits = text.substr(offset);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (hex_value(digits[i]) < 0) {
      unsigned char c = static_cast<unsigned char>(digits[i]);
      std::string shown = (c >= 0x20 && c < 0x7f) ? std::string("'") + digits[i] + "'" : "byte " + std::to_string(c);
      return fail(shown + " at position " + std::to_string(i + offset) + " is not a hex digit");
    }
  }
  if (digits.size() % 2 != 0) return fail("odd number of hex digits (" + std::to_string(digits.size()) + ")");
  Bytes out(digits.size() / 2);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(hex_value(digits[2 * i]) << 4 | hex_value(digits[2 * i + 1]));
  return out;
}

Result<Bytes> from_hex_sized(std::string_view text, size_t size, std::string_view what, ErrorCode code) {
  auto bytes = from_hex(text, what, code);
  if (bytes && bytes->size() != size) {
    return Error{code, std::string(what) + " must be " + std::to_string(size) + " bytes (" + std::to_string(size * 2) +
                           " hex digits), got " + std::to_string(bytes->size()) + " bytes"};
  }
  return bytes;
}

}  // namespace lp::eth
