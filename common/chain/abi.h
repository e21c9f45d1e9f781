// The Solidity contract ABI (docs.soliditylang.org, "Contract ABI Specification"): call data
// for the contracts we call (TicketBroker, BondingManager, RoundsManager, ...) and the words
// their calls return. Encoding covers the types those calls take: uintN, address, bool, bytesN,
// bytes, string, dynamic arrays T[] and tuples, nested as the spec allows.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address.h"
#include "error.h"
#include "u256.h"

namespace lp::chain::abi {

using Bytes = std::vector<uint8_t>;
using Word = std::array<uint8_t, 32>;
using Selector = std::array<uint8_t, 4>;

// One argument: its canonical type name (as it appears in a function signature) and value.
class Value {
 public:
  static Value uint256(const U256& v);
  // uint<bits>, bits a multiple of 8 in 8..256; BadRequest if `v` does not fit.
  static Result<Value> uint_n(unsigned bits, const U256& v);
  static Value address(const eth::Address& a);
  static Value boolean(bool b);
  static Value bytes32(const Word& w);
  // bytes<N> for N = data.size() in 1..32, right-padded with zeros.
  static Result<Value> fixed_bytes(std::span<const uint8_t> data);
  static Value bytes(std::span<const uint8_t> data);
  static Value string(std::string_view text);
  // A dynamic array T[]: `element_type` names T (needed when the array is empty); every item
  // must have that type (checked in debug builds).
  static Value array(std::string element_type, std::vector<Value> items);
  // A tuple (a struct): "(t1,t2,...)".
  static Value tuple(std::vector<Value> items);

  const std::string& type() const { return type_; }
  // Encoded out of line, behind an offset (bytes, string, T[], tuples holding any of those).
  bool is_dynamic() const { return dynamic_; }

 private:
  friend Bytes encode(std::span<const Value> args);
  static void append_tuple(Bytes& out, std::span<const Value> items);
  void append(Bytes& out) const;
  enum class Kind { Word, Bytes, Array, Tuple };
  Value(Kind kind, std::string type, bool dynamic) : kind_(kind), type_(std::move(type)), dynamic_(dynamic) {}

  Kind kind_;
  std::string type_;
  bool dynamic_;
  Word word_{};               // Kind::Word
  Bytes bytes_;               // Kind::Bytes
  std::vector<Value> items_;  // Kind::Array and Kind::Tuple
};

// The first 4 bytes of keccak256(signature), e.g. "transfer(address,uint256)" -> a9059cbb.
Selector selector(std::string_view signature);
// "name(t1,t2,...)" from the arguments' types.
std::string signature(std::string_view name, std::span<const Value> args);
// The arguments encoded as one tuple (the call data after the selector).
Bytes encode(std::span<const Value> args);
// selector(signature(name, args)) ‖ encode(args): what eth_call and transactions carry.
Bytes encode_call(std::string_view name, std::span<const Value> args);

// Reads the data a call returned: a tuple whose static fields are words 0, 1, 2, ...
// Every read is bounds-checked and strict about the padding the type requires, so a wrong
// contract or a wrong function gives an error rather than a garbage value. Errors are
// BadRequest and read "abi: ...".
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  size_t word_count() const { return data_.size() / 32; }
  Result<Word> word(size_t index) const;
  Result<U256> u256(size_t index) const;
  // uint<bits>: the high bits must be zero.
  Result<U256> uint_n(size_t index, unsigned bits) const;
  Result<eth::Address> address(size_t index) const;  // the high 12 bytes must be zero
  Result<bool> boolean(size_t index) const;          // exactly 0 or 1
  // bytes or string whose offset is word `index` (relative to the start of the data).
  Result<Bytes> bytes(size_t index) const;
  Result<std::string> string(size_t index) const;

 private:
  std::span<const uint8_t> data_;
};

// The message of a Solidity revert: return data Error(string) (selector 08c379a0), as
// `require(cond, "sender is unlocked")` produces. An error if the data is anything else
// (empty, a custom error, Panic(uint256)).
Result<std::string> revert_reason(std::span<const uint8_t> data);

}  // namespace lp::chain::abi
