// Ethereum account addresses: the last 20 bytes of keccak256 of the public key (x ‖ y, without
// the 0x04 prefix), written with the EIP-55 mixed-case checksum.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "error.h"

namespace lp::eth {

struct Address {
  std::array<uint8_t, 20> bytes{};

  // EIP-55: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".
  std::string checksummed() const;
  // Lower case without 0x, as geth writes it in keystore files and their names.
  std::string hex() const;

  friend bool operator==(const Address&, const Address&) = default;
};

// The address of an uncompressed public key given as its 64 bytes x ‖ y.
Address address_from_public_key(std::span<const uint8_t, 64> xy);

// "0x" (optional) and 40 hex digits. All-lower or all-upper case carries no checksum and is
// taken as is; mixed case must be a valid EIP-55 checksum. Errors are ErrorCode::BadKey.
Result<Address> parse_address(std::string_view text);

}  // namespace lp::eth
