// A 256-bit unsigned integer: the EVM's word and Solidity's uint256, what go-livepeer keeps in
// big.Int for wei amounts, gas prices, ticket face values, win probabilities and seeds. Just the
// arithmetic the chain and payment code needs; no general bignum. The operators wrap as the EVM
// does; money goes through the checked forms, since a wrapped wei amount would be a wrong payment.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace lp::chain {

class U256 {
 public:
  using Bytes32 = std::array<uint8_t, 32>;  // big-endian, left-padded: Solidity's uint256 encoding
  struct Wide;
  struct DivMod;

  constexpr U256() = default;
  constexpr U256(uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT: implicit, like a built-in integer

  // 2^256 - 1: also go-livepeer's maxWinProb, the denominator of every win probability.
  static constexpr U256 max() {
    U256 m;
    m.limbs_ = {~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
    return m;
  }
  // Big-endian bytes of any length, as big.Int.SetBytes reads them: leading zeros allowed, empty
  // is 0. Values of 2^256 and over are refused (BadRequest).
  static Result<U256> from_bytes(std::span<const uint8_t> be);
  static U256 from_bytes32(const Bytes32& be);
  // Decimal digits only ("0", "1000000000000000000"): no sign, no separators. Errors
  // (BadRequest) name the offending character, or say that the value exceeds 2^256-1.
  static Result<U256> from_dec(std::string_view text);
  // Hex with an optional 0x prefix, 1 to 64 digits, either case.
  static Result<U256> from_hex(std::string_view text);
  // "0x..." is hex, anything else decimal: what JSON-RPC and command lines hand us.
  static Result<U256> parse(std::string_view text);

  Bytes32 to_bytes32() const;  // big-endian, 32 bytes
  // Big-endian with no leading zero bytes, zero is empty: big.Int.Bytes() and RLP's integer form.
  std::vector<uint8_t> to_minimal_bytes() const;
  std::string to_dec() const;
  std::string to_hex() const;
  // In units of 10^decimals: to_units(18) of 1.5 ether is "1.5" (trailing zeros dropped).
  std::string to_units(unsigned decimals) const;  // "0x" + lower-case digits without leading zeros ("0x0" for zero)
  double to_double() const;                       // approximate: for EV estimates and logs, never for amounts

  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // The value if it fits in 64 bits.
  std::optional<uint64_t> to_u64() const;
  // The low 64 bits, whatever is above them (big.Int.Int64()'s view of a non-negative value).
  uint64_t low64() const { return limbs_[0]; }
  unsigned bit_length() const;

  // Wrapping arithmetic modulo 2^256, as the EVM does without checks.
  friend U256 operator+(const U256& a, const U256& b);
  friend U256 operator-(const U256& a, const U256& b);
  // Checked forms: nullopt where the exact result is not in [0, 2^256).
  static std::optional<U256> checked_add(const U256& a, const U256& b);
  static std::optional<U256> checked_sub(const U256& a, const U256& b);
  static std::optional<U256> checked_mul(const U256& a, const U256& b);
  // The full 512-bit product.
  static Wide mul_wide(const U256& a, const U256& b);
  // Floor division and remainder; a zero divisor is a bug (it aborts).
  static DivMod divmod(const U256& dividend, const U256& divisor);

  friend bool operator==(const U256& a, const U256& b) = default;
  friend std::strong_ordering operator<=>(const U256& a, const U256& b);

 private:
  // *this / d for a one-limb d: the quotient, with the remainder in *rem.
  U256 div_small(uint64_t d, uint64_t* rem) const;

  std::array<uint64_t, 4> limbs_{};  // little-endian limbs: limbs_[0] is the lowest 64 bits
};

// high * 2^256 + low.
struct U256::Wide {
  U256 high;
  U256 low;
};

struct U256::DivMod {
  U256 quotient;
  U256 remainder;
};

}  // namespace lp::chain
