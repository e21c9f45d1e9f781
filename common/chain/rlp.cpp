#include "rlp.h"

#include <string>

namespace lp::chain::rlp {
namespace {

// The prefix for a payload of `size` bytes: short form below 56 bytes, else the length's own
// big-endian bytes after the marker (0xb7 for strings, 0xf7 for lists) plus their count.
void append_header(Bytes& out, size_t size, uint8_t short_base) {
  if (size < 56) {
    out.push_back(static_cast<uint8_t>(short_base + size));
    return;
  }
  Bytes len = U256(static_cast<uint64_t>(size)).to_minimal_bytes();
  out.push_back(static_cast<uint8_t>(short_base + 55 + len.size()));
  out.insert(out.end(), len.begin(), len.end());
}

void encode_into(Bytes& out, const Item& item) {
  if (!item.is_list) {
    Bytes enc = encode_string(item.bytes);
    out.insert(out.end(), enc.begin(), enc.end());
    return;
  }
  Bytes payload;
  for (const Item& child : item.items) encode_into(payload, child);
  append_header(out, payload.size(), 0xc0);
  out.insert(out.end(), payload.begin(), payload.end());
}

Error fail(size_t offset, const std::string& why) {
  return Error{ErrorCode::BadRequest, "rlp: " + why + " at byte " + std::to_string(offset)};
}

class Decoder {
 public:
  Decoder(std::span<const uint8_t> data, const Limits& limits) : data_(data), limits_(limits) {}

  // The item starting at `pos`, ending no later than `end`; `pos` moves past it.
  Result<Item> item(size_t& pos, size_t end, size_t depth) {
    if (++count_ > limits_.max_items) return fail(pos, "more than " + std::to_string(limits_.max_items) + " items");
    if (pos >= end) return fail(pos, "truncated: item expected");
    const size_t start = pos;
    const uint8_t prefix = data_[pos++];
    if (prefix < 0x80) return Item{false, {prefix}, {}};

    const bool is_list = prefix >= 0xc0;
    const uint8_t base = is_list ? 0xc0 : 0x80;
    size_t size = 0;
    if (prefix - base < 56) {
      size = static_cast<size_t>(prefix - base);
    } else {
      const size_t len_len = static_cast<size_t>(prefix - base - 55);
      if (len_len > end - pos) return fail(start, "truncated: length of " + std::to_string(len_len) + " bytes");
      if (data_[pos] == 0) return fail(start, "non-canonical length with a leading zero");
      if (len_len > sizeof(size_t)) return fail(start, "length of " + std::to_string(len_len) + " bytes is too large");
      for (size_t i = 0; i < len_len; ++i) size = (size << 8) | data_[pos++];
      if (size < 56) return fail(start, "non-canonical long form for a " + std::to_string(size) + "-byte payload");
    }
    if (size > end - pos) {
      return fail(start, "truncated: " + std::string(is_list ? "list" : "string") + " of " + std::to_string(size) +
                             " bytes but only " + std::to_string(end - pos) + " left");
    }

    Item out;
    out.is_list = is_list;
    const size_t payload_end = pos + size;
    if (!is_list) {
      if (size == 1 && data_[pos] < 0x80) return fail(start, "non-canonical: a single byte below 0x80 with a prefix");
      out.bytes.assign(data_.begin() + static_cast<std::ptrdiff_t>(pos),
                       data_.begin() + static_cast<std::ptrdiff_t>(payload_end));
      pos = payload_end;
      return out;
    }
    if (depth >= limits_.max_depth) return fail(start, "lists nested deeper than " + std::to_string(limits_.max_depth));
    while (pos < payload_end) {
      auto child = item(pos, payload_end, depth + 1);
      if (!child) return child.error();
      out.items.push_back(std::move(*child));
    }
    return out;
  }

 private:
  std::span<const uint8_t> data_;
  const Limits& limits_;
  size_t count_ = 0;
};

}  // namespace

Item Item::string(std::string_view text) { return Item{false, Bytes(text.begin(), text.end()), {}}; }

Item Item::integer(const U256& value) { return Item{false, value.to_minimal_bytes(), {}}; }

Result<U256> Item::as_uint(std::string_view what) const {
  std::string name(what);
  if (is_list) return Error{ErrorCode::BadRequest, "rlp: " + name + " is a list, not an integer"};
  if (bytes.size() > 32) {
    return Error{ErrorCode::BadRequest,
                 "rlp: " + name + " has " + std::to_string(bytes.size()) + " bytes (at most 32)"};
  }
  if (!bytes.empty() && bytes[0] == 0) {
    return Error{ErrorCode::BadRequest, "rlp: " + name + " is a non-canonical integer with a leading zero"};
  }
  return U256::from_bytes(bytes);
}

Result<uint64_t> Item::as_u64(std::string_view what) const {
  auto v = as_uint(what);
  if (!v) return v.error();
  auto small = v->to_u64();
  if (!small) return Error{ErrorCode::BadRequest, "rlp: " + std::string(what) + " does not fit in 64 bits"};
  return *small;
}

Bytes encode(const Item& item) {
  Bytes out;
  encode_into(out, item);
  return out;
}

Bytes encode_string(std::span<const uint8_t> data) {
  Bytes out;
  if (data.size() == 1 && data[0] < 0x80) {
    out.push_back(data[0]);  // a single low byte is its own encoding
    return out;
  }
  append_header(out, data.size(), 0x80);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes encode_string(std::string_view text) {
  return encode_string(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Bytes encode_uint(const U256& value) { return encode_string(value.to_minimal_bytes()); }

Bytes encode_list(std::span<const Bytes> encoded_items) {
  size_t size = 0;
  for (const Bytes& b : encoded_items) size += b.size();
  Bytes out;
  out.reserve(size + 9);
  append_header(out, size, 0xc0);
  for (const Bytes& b : encoded_items) out.insert(out.end(), b.begin(), b.end());
  return out;
}

Result<Item> decode(std::span<const uint8_t> data, const Limits& limits) {
  if (data.size() > limits.max_size) {
    return fail(0, "input of " + std::to_string(data.size()) + " bytes exceeds the limit of " +
                       std::to_string(limits.max_size));
  }
  Decoder decoder(data, limits);
  size_t pos = 0;
  auto item = decoder.item(pos, data.size(), 0);
  if (!item) return item.error();
  if (pos != data.size()) return fail(pos, std::to_string(data.size() - pos) + " trailing bytes after the item");
  return item;
}

}  // namespace lp::chain::rlp
