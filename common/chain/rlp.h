// Ethereum's Recursive Length Prefix encoding (yellow paper, appendix B): what transactions are
// signed and sent as. Items are byte strings or lists of items; integers are big-endian byte
// strings without leading zeros. The decoder is strict: it refuses every encoding but the one
// canonical form, so a decoded-then-re-encoded item always gives back the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "error.h"
#include "u256.h"

namespace lp::chain::rlp {

using Bytes = std::vector<uint8_t>;

// One RLP item: a byte string, or a list of items.
struct Item {
  bool is_list = false;
  Bytes bytes;              // the string's content (strings only)
  std::vector<Item> items;  // the list's items (lists only)

  static Item string(std::span<const uint8_t> data) { return Item{false, Bytes(data.begin(), data.end()), {}}; }
  static Item string(std::string_view text);
  // An unsigned integer: minimal big-endian bytes, zero is the empty string.
  static Item integer(const U256& value);
  static Item list(std::vector<Item> items) { return Item{true, {}, std::move(items)}; }

  // The string as an integer, refusing lists, more than 32 bytes and leading zeros (which
  // Ethereum clients reject as non-canonical). Errors are BadRequest and name `what`.
  Result<U256> as_uint(std::string_view what) const;
  // The same, and it must fit in 64 bits (nonces, gas limits, chain ids).
  Result<uint64_t> as_u64(std::string_view what) const;

  friend bool operator==(const Item&, const Item&) = default;
};

// Encoding. encode_string/encode_uint/encode_list build an encoding directly, without an Item
// tree; encode_list takes its items already encoded.
Bytes encode(const Item& item);
Bytes encode_string(std::span<const uint8_t> data);
Bytes encode_string(std::string_view text);
Bytes encode_uint(const U256& value);
Bytes encode_list(std::span<const Bytes> encoded_items);

// What the decoder accepts at most, so hostile input cannot make it allocate or recurse
// without bound.
struct Limits {
  size_t max_size = 1 << 24;   // total input bytes
  size_t max_depth = 16;       // list nesting
  size_t max_items = 1 << 16;  // items in the whole tree
};

// Exactly one item that spans all of `data`. Errors (BadRequest) read "rlp: ..." and say what
// is wrong and at which byte offset: truncated, trailing bytes, non-canonical length or
// single-byte form, too deep, too many items, too large.
Result<Item> decode(std::span<const uint8_t> data, const Limits& limits = {});

}  // namespace lp::chain::rlp
