// Hex text <-> bytes as Ethereum tools write it: lower case out, "0x" optional in, either case in.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace lp::eth {

using Bytes = std::vector<uint8_t>;

// Lower-case hex digits, no prefix.
std::string to_hex(std::span<const uint8_t> bytes);

// "0x" + to_hex(bytes).
std::string to_hex_0x(std::span<const uint8_t> bytes);

// Decodes hex text with an optional 0x prefix. Errors carry `code` and read
// "bad hex in <what>: ...", naming the offending character and its position.
Result<Bytes> from_hex(std::string_view text, std::string_view what, ErrorCode code);

// The same, but the decoded value must be exactly `size` bytes.
Result<Bytes> from_hex_sized(std::string_view text, size_t size, std::string_view what, ErrorCode code);

}  // namespace lp::eth
