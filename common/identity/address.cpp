#include "address.h"

#include <algorithm>
#include <cctype>

#include "hex.h"
#include "keccak.h"

namespace lp::eth {

std::string Address::hex() const { return to_hex(bytes); }

std::string Address::checksummed() const {
  std::string lower = hex();
  Digest hash = keccak256(lower);
  // A letter is upper case where the matching nibble of keccak256(lower-case hex) is >= 8.
  for (size_t i = 0; i < lower.size(); ++i) {
    uint8_t nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0xf;
    if (nibble >= 8) lower[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(lower[i])));
  }
  return "0x" + lower;
}

Address address_from_public_key(std::span<const uint8_t, 64> xy) {
  Digest hash = keccak256(std::span<const uint8_t>(xy));
  Address a;
  std::copy(hash.end() - 20, hash.end(), a.bytes.begin());
  return a;
}

Result<Address> parse_address(std::string_view text) {
  auto bytes = from_hex_sized(text, 20, "address", ErrorCode::BadKey);
  if (!bytes) return bytes.error();
  Address a;
  std::copy(bytes->begin(), bytes->end(), a.bytes.begin());
  std::string_view digits = text.substr(text.size() - 40);
  bool has_lower = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  bool has_upper = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  if (has_lower && has_upper && a.checksummed().substr(2) != digits) {
    return Error{ErrorCode::BadKey, "address " + std::string(text) +
                                        " has a wrong EIP-55 checksum (mixed case must read " + a.checksummed() + ")"};
  }
  return a;
}

}  // namespace lp::eth
