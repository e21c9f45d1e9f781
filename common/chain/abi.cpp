#include "abi.h"

#include <algorithm>
#include <cassert>

#include "keccak.h"

namespace lp::chain::abi {
namespace {

Error fail(const std::string& why) { return Error{ErrorCode::BadRequest, "abi: " + why}; }

Word word_of(const U256& v) { return v.to_bytes32(); }

void append_word(Bytes& out, const Word& w) { out.insert(out.end(), w.begin(), w.end()); }

// Length word, the data, then zeros up to a multiple of 32.
void append_padded(Bytes& out, std::span<const uint8_t> data) {
  append_word(out, word_of(U256(static_cast<uint64_t>(data.size()))));
  out.insert(out.end(), data.begin(), data.end());
  out.resize(out.size() + (32 - data.size() % 32) % 32, 0);
}

}  // namespace

Value Value::uint256(const U256& v) {
  Value out(Kind::Word, "uint256", false);
  out.word_ = word_of(v);
  return out;
}

Result<Value> Value::uint_n(unsigned bits, const U256& v) {
  if (bits == 0 || bits > 256 || bits % 8 != 0) return fail("uint" + std::to_string(bits) + " is not a type");
  if (v.bit_length() > bits) return fail(v.to_dec() + " does not fit in uint" + std::to_string(bits));
  Value out(Kind::Word, "uint" + std::to_string(bits), false);
  out.word_ = word_of(v);
  return out;
}

Value Value::address(const eth::Address& a) {
  Value out(Kind::Word, "address", false);
  std::copy(a.bytes.begin(), a.bytes.end(), out.word_.begin() + 12);
  return out;
}

Value Value::boolean(bool b) {
  Value out(Kind::Word, "bool", false);
  out.word_[31] = b ? 1 : 0;
  return out;
}

Value Value::bytes32(const Word& w) {
  Value out(Kind::Word, "bytes32", false);
  out.word_ = w;
  return out;
}

Result<Value> Value::fixed_bytes(std::span<const uint8_t> data) {
  if (data.empty() || data.size() > 32) return fail("bytes" + std::to_string(data.size()) + " is not a type");
  Value out(Kind::Word, "bytes" + std::to_string(data.size()), false);
  std::copy(data.begin(), data.end(), out.word_.begin());  // left-aligned
  return out;
}

Value Value::bytes(std::span<const uint8_t> data) {
  Value out(Kind::Bytes, "bytes", true);
  out.bytes_.assign(data.begin(), data.end());
  return out;
}

Value Value::string(std::string_view text) {
  Value out(Kind::Bytes, "string", true);
  out.bytes_.assign(text.begin(), text.end());
  return out;
}

Value Value::array(std::string element_type, std::vector<Value> items) {
  for ([[maybe_unused]] const Value& item : items) assert(item.type() == element_type);
  Value out(Kind::Array, element_type + "[]", true);
  out.items_ = std::move(items);
  return out;
}

Value Value::tuple(std::vector<Value> items) {
  std::string type = "(";
  bool dynamic = false;
  for (size_t i = 0; i < items.size(); ++i) {
    type += (i ? "," : "") + items[i].type();
    dynamic = dynamic || items[i].is_dynamic();
  }
  Value out(Kind::Tuple, type + ")", dynamic);
  out.items_ = std::move(items);
  return out;
}

// Heads in order (a static item in place, a dynamic one as the offset of its tail from the
// start of this tuple), then the dynamic items' tails.
void Value::append_tuple(Bytes& out, std::span<const Value> items) {
  const size_t start = out.size();
  std::vector<size_t> offset_slots;
  for (const Value& item : items) {
    if (item.is_dynamic()) {
      offset_slots.push_back(out.size());
      out.resize(out.size() + 32, 0);
    } else {
      item.append(out);
    }
  }
  size_t slot = 0;
  for (const Value& item : items) {
    if (!item.is_dynamic()) continue;
    Word offset = word_of(U256(static_cast<uint64_t>(out.size() - start)));
    std::copy(offset.begin(), offset.end(), out.begin() + static_cast<std::ptrdiff_t>(offset_slots[slot++]));
    item.append(out);
  }
}

void Value::append(Bytes& out) const {
  switch (kind_) {
    case Kind::Word: append_word(out, word_); break;
    case Kind::Bytes: append_padded(out, bytes_); break;
    case Kind::Array:
      append_word(out, word_of(U256(static_cast<uint64_t>(items_.size()))));
      append_tuple(out, items_);
      break;
    case Kind::Tuple: append_tuple(out, items_); break;
  }
}

Selector selector(std::string_view signature) {
  eth::Digest digest = eth::keccak256(signature);
  Selector out;
  std::copy(digest.begin(), digest.begin() + 4, out.begin());
  return out;
}

std::string signature(std::string_view name, std::span<const Value> args) {
  std::string out(name);
  out += '(';
  for (size_t i = 0; i < args.size(); ++i) out += (i ? "," : "") + args[i].type();
  return out + ')';
}

Bytes encode(std::span<const Value> args) {
  Bytes out;
  Value::append_tuple(out, args);
  return out;
}

Bytes encode_call(std::string_view name, std::span<const Value> args) {
  Selector sel = selector(signature(name, args));
  Bytes out(sel.begin(), sel.end());
  Bytes body = encode(args);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<Word> Reader::word(size_t index) const {
  if (index >= word_count()) {
    return fail("word " + std::to_string(index) + " asked of " + std::to_string(data_.size()) + " bytes of data");
  }
  Word w;
  std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(index * 32), 32, w.begin());
  return w;
}

Result<U256> Reader::u256(size_t index) const {
  auto w = word(index);
  if (!w) return w.error();
  return U256::from_bytes32(*w);
}

Result<U256> Reader::uint_n(size_t index, unsigned bits) const {
  auto v = u256(index);
  if (!v) return v.error();
  if (v->bit_length() > bits) {
    return fail("word " + std::to_string(index) + " (" + v->to_hex() + ") is not a uint" + std::to_string(bits));
  }
  return v;
}

Result<eth::Address> Reader::address(size_t index) const {
  auto w = word(index);
  if (!w) return w.error();
  if (std::any_of(w->begin(), w->begin() + 12, [](uint8_t b) { return b != 0; })) {
    return fail("word " + std::to_string(index) + " is not an address: its high 12 bytes are not zero");
  }
  eth::Address a;
  std::copy(w->begin() + 12, w->end(), a.bytes.begin());
  return a;
}

Result<bool> Reader::boolean(size_t index) const {
  auto v = u256(index);
  if (!v) return v.error();
  if (*v > U256(1)) return fail("word " + std::to_string(index) + " (" + v->to_hex() + ") is not a bool");
  return !v->is_zero();
}

Result<Bytes> Reader::bytes(size_t index) const {
  auto offset = u256(index);
  if (!offset) return offset.error();
  auto off = offset->to_u64();
  if (!off || *off % 32 != 0 || *off > data_.size() || data_.size() - *off < 32) {
    return fail("word " + std::to_string(index) + " (" + offset->to_hex() + ") is not an offset within " +
                std::to_string(data_.size()) + " bytes of data");
  }
  auto length = Reader(data_.subspan(*off)).u256(0);
  if (!length) return length.error();
  auto len = length->to_u64();
  const size_t available = data_.size() - *off - 32;
  if (!len || *len > available) {
    return fail("bytes of length " + length->to_dec() + " at offset " + std::to_string(*off) + " but only " +
                std::to_string(available) + " bytes follow");
  }
  auto begin = data_.begin() + static_cast<std::ptrdiff_t>(*off + 32);
  return Bytes(begin, begin + static_cast<std::ptrdiff_t>(*len));
}

Result<std::string> Reader::string(size_t index) const {
  auto b = bytes(index);
  if (!b) return b.error();
  return std::string(b->begin(), b->end());
}

Result<std::string> revert_reason(std::span<const uint8_t> data) {
  static const Selector kError = selector("Error(string)");
  if (data.size() < 4 || !std::equal(kError.begin(), kError.end(), data.begin())) {
    return fail("revert data of " + std::to_string(data.size()) + " bytes is not Error(string)");
  }
  return Reader(data.subspan(4)).string(0);
}

}  // namespace lp::chain::abi
