#include "u256.h"

#include <algorithm>
#include <cstdlib>

namespace lp::chain {
namespace {

__extension__ typedef unsigned __int128 U128;  // GCC/Clang builtin; __extension__ keeps -Wpedantic quiet

Error bad(std::string_view text, std::string why) {
  return Error{ErrorCode::BadRequest, "bad 256-bit integer \"" + std::string(text.substr(0, 80)) + "\": " + why};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

U256 U256::from_bytes32(const Bytes32& be) {
  U256 v;
  for (size_t i = 0; i < 32; ++i) {
    size_t limb = (31 - i) / 8;
    v.limbs_[limb] = (v.limbs_[limb] << 8) | be[i];
  }
  return v;
}

Result<U256> U256::from_bytes(std::span<const uint8_t> be) {
  auto first = std::find_if(be.begin(), be.end(), [](uint8_t b) { return b != 0; });
  auto significant = be.subspan(static_cast<size_t>(first - be.begin()));
  if (significant.size() > 32) {
    return Error{ErrorCode::BadRequest,
                 "integer of " + std::to_string(significant.size()) + " significant bytes does not fit in 256 bits"};
  }
  Bytes32 padded{};
  std::copy(significant.begin(), significant.end(), padded.end() - static_cast<std::ptrdiff_t>(significant.size()));
  return from_bytes32(padded);
}

Result<U256> U256::from_dec(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  U256 v;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return bad(text, "'" + std::string(1, c) + "' at position " + std::to_string(i));
    auto times10 = checked_mul(v, 10);
    if (!times10) return bad(text, "exceeds 2^256-1");
    auto next = checked_add(*times10, U256(static_cast<uint64_t>(c - '0')));
    if (!next) return bad(text, "exceeds 2^256-1");
    v = *next;
  }
  return v;
}

Result<U256> U256::from_hex(std::string_view text) {
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
  if (digits.empty()) return bad(text, "no hex digits");
  // Leading zeros do not count towards the 64-digit limit.
  size_t first = digits.find_first_not_of('0');
  std::string_view significant = first == std::string_view::npos ? std::string_view{} : digits.substr(first);
  U256 v;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (hex_digit(digits[i]) < 0) {
      return bad(text, "'" + std::string(1, digits[i]) + "' at position " + std::to_string(i) + " is not hex");
    }
  }
  if (significant.size() > 64) return bad(text, "exceeds 2^256-1");
  for (char c : significant) {
    for (size_t l = 3; l > 0; --l) v.limbs_[l] = (v.limbs_[l] << 4) | (v.limbs_[l - 1] >> 60);
    v.limbs_[0] = (v.limbs_[0] << 4) | static_cast<uint64_t>(hex_digit(c));
  }
  return v;
}

Result<U256> U256::parse(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) return from_hex(text);
  return from_dec(text);
}

U256::Bytes32 U256::to_bytes32() const {
  Bytes32 out{};
  for (size_t i = 0; i < 32; ++i) out[31 - i] = static_cast<uint8_t>(limbs_[i / 8] >> (8 * (i % 8)));
  return out;
}

std::vector<uint8_t> U256::to_minimal_bytes() const {
  Bytes32 all = to_bytes32();
  auto first = std::find_if(all.begin(), all.end(), [](uint8_t b) { return b != 0; });
  return {first, all.end()};
}

std::string U256::to_dec() const {
  if (is_zero()) return "0";
  std::string out;
  U256 v = *this;
  while (!v.is_zero()) {
    uint64_t rem = 0;
    v = v.div_small(10'000'000'000'000'000'000ULL, &rem);  // 19 digits per step: 10^19 < 2^64
    std::string chunk = std::to_string(rem);
    if (!v.is_zero()) chunk.insert(0, 19 - chunk.size(), '0');
    out.insert(0, chunk);
  }
  return out;
}

std::string U256::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 64; ++i) {
    unsigned nibble = static_cast<unsigned>(limbs_[3 - i / 16] >> (4 * (15 - i % 16))) & 0xf;
    if (out.empty() && nibble == 0) continue;
    out.push_back(kDigits[nibble]);
  }
  return "0x" + (out.empty() ? std::string("0") : out);
}

double U256::to_double() const {
  double out = 0;
  for (size_t l = 4; l > 0; --l) out = out * 18446744073709551616.0 + static_cast<double>(limbs_[l - 1]);
  return out;
}

std::optional<uint64_t> U256::to_u64() const {
  if (limbs_[1] | limbs_[2] | limbs_[3]) return std::nullopt;
  return limbs_[0];
}

unsigned U256::bit_length() const {
  for (size_t l = 4; l > 0; --l) {
    if (limbs_[l - 1] != 0) return static_cast<unsigned>(64 * (l - 1) + 64 - __builtin_clzll(limbs_[l - 1]));
  }
  return 0;
}

U256 operator+(const U256& a, const U256& b) {
  U256 r;
  uint64_t carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    U128 sum = static_cast<U128>(a.limbs_[i]) + b.limbs_[i] + carry;
    r.limbs_[i] = static_cast<uint64_t>(sum);
    carry = static_cast<uint64_t>(sum >> 64);
  }
  return r;
}

U256 operator-(const U256& a, const U256& b) {
  U256 r;
  uint64_t borrow = 0;
  for (size_t i = 0; i < 4; ++i) {
    uint64_t d = a.limbs_[i] - b.limbs_[i] - borrow;
    borrow = (a.limbs_[i] < b.limbs_[i]) || (a.limbs_[i] == b.limbs_[i] && borrow) ? 1 : 0;
    r.limbs_[i] = d;
  }
  return r;
}

std::optional<U256> U256::checked_add(const U256& a, const U256& b) {
  U256 r = a + b;
  if (r < a) return std::nullopt;  // wrapped
  return r;
}

std::optional<U256> U256::checked_sub(const U256& a, const U256& b) {
  if (a < b) return std::nullopt;
  return a - b;
}

U256::Wide U256::mul_wide(const U256& a, const U256& b) {
  std::array<uint64_t, 8> r{};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < 4; ++j) {
      U128 t = static_cast<U128>(a.limbs_[i]) * b.limbs_[j] + r[i + j] + carry;
      r[i + j] = static_cast<uint64_t>(t);
      carry = static_cast<uint64_t>(t >> 64);
    }
    r[i + 4] = carry;
  }
  Wide w;
  std::copy(r.begin(), r.begin() + 4, w.low.limbs_.begin());
  std::copy(r.begin() + 4, r.end(), w.high.limbs_.begin());
  return w;
}

std::optional<U256> U256::checked_mul(const U256& a, const U256& b) {
  Wide w = mul_wide(a, b);
  if (!w.high.is_zero()) return std::nullopt;
  return w.low;
}

U256 U256::div_small(uint64_t d, uint64_t* rem) const {
  U256 q;
  U128 r = 0;
  for (size_t l = 4; l > 0; --l) {
    U128 cur = (r << 64) | limbs_[l - 1];
    q.limbs_[l - 1] = static_cast<uint64_t>(cur / d);
    r = cur % d;
  }
  *rem = static_cast<uint64_t>(r);
  return q;
}

U256::DivMod U256::divmod(const U256& dividend, const U256& divisor) {
  if (divisor.is_zero()) std::abort();
  DivMod r;
  if (auto small = divisor.to_u64()) {
    uint64_t rem = 0;
    r.quotient = dividend.div_small(*small, &rem);
    r.remainder = rem;
    return r;
  }
  // Shift-and-subtract, one bit at a time: wide divisors are rare (ticket parameters, a few times
  // per session), so clarity wins over speed.
  for (unsigned i = dividend.bit_length(); i-- > 0;) {
    bool overflow = (r.remainder.limbs_[3] >> 63) != 0;
    for (size_t l = 3; l > 0; --l)
      r.remainder.limbs_[l] = (r.remainder.limbs_[l] << 1) | (r.remainder.limbs_[l - 1] >> 63);
    r.remainder.limbs_[0] = (r.remainder.limbs_[0] << 1) | ((dividend.limbs_[i / 64] >> (i % 64)) & 1);
    // With a shifted-out bit the true remainder is >= 2^256 > divisor; the wrapping subtraction
    // still lands on the right value because the true difference is below 2^256.
    if (overflow || r.remainder >= divisor) {
      r.remainder = r.remainder - divisor;
      r.quotient.limbs_[i / 64] |= uint64_t{1} << (i % 64);
    }
  }
  return r;
}

std::strong_ordering operator<=>(const U256& a, const U256& b) {
  for (size_t l = 4; l > 0; --l) {
    if (a.limbs_[l - 1] != b.limbs_[l - 1]) return a.limbs_[l - 1] <=> b.limbs_[l - 1];
  }
  return std::strong_ordering::equal;
}

std::string U256::to_units(unsigned decimals) const {
  std::string dec = to_dec();
  if (dec.size() <= decimals) dec.insert(0, decimals + 1 - dec.size(), '0');
  std::string whole = dec.substr(0, dec.size() - decimals);
  std::string frac = dec.substr(dec.size() - decimals);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

}  // namespace lp::chain
