// U256: parsing, printing and encodings as go-livepeer's big.Int and Solidity's uint256 write them,
// and the arithmetic the chain and payment code does. Division results from node's BigInt.
#include <gtest/gtest.h>

#include "hex.h"
#include "u256.h"

namespace lp::chain {
namespace {

constexpr const char* kMaxDec = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

U256 dec(std::string_view s) { return U256::from_dec(s).value(); }

TEST(U256, DecimalRoundTrip) {
  for (const char* s : {"0", "1", "18446744073709551615", "18446744073709551616", "1000000000000000000",
                        "10000000000000000000",  // exactly one 10^19 chunk and a zero-padded one
                        "340282366920938463463374607431768211456", kMaxDec}) {
    EXPECT_EQ(dec(s).to_dec(), s);
  }
  EXPECT_EQ(dec(kMaxDec), U256::max());
  EXPECT_EQ(dec("000123").to_dec(), "123");
}

TEST(U256, Units) {
  EXPECT_EQ(U256(0).to_units(18), "0");
  EXPECT_EQ(U256(1).to_units(9), "0.000000001");
  EXPECT_EQ(U256(1'500'000'000).to_units(9), "1.5");
  EXPECT_EQ(U256(700'000'000'000'000'000ull).to_units(18), "0.7");
  EXPECT_EQ(U256::from_dec("500000000000000000000").value().to_units(18), "500");
  EXPECT_EQ(U256(42).to_units(0), "42");
}

TEST(U256, Hex) {
  EXPECT_EQ(U256::from_hex("0x0").value(), U256(0));
  EXPECT_EQ(U256::from_hex("0xDE0B6B3A7640000").value(), dec("1000000000000000000"));
  EXPECT_EQ(U256::from_hex(std::string(64, 'f')).value(), U256::max());
  EXPECT_EQ(U256::from_hex("0x00" + std::string(64, 'f')).value(), U256::max());  // leading zeros are fine
  EXPECT_EQ(dec("1000000000000000000").to_hex(), "0xde0b6b3a7640000");
  EXPECT_EQ(U256(0).to_hex(), "0x0");
  EXPECT_EQ(U256::parse("0x10").value(), U256(16));
  EXPECT_EQ(U256::parse("10").value(), U256(10));
}

TEST(U256, ParseErrors) {
  auto over = U256::from_dec("115792089237316195423570985008687907853269984665640564039457584007913129639936");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("exceeds 2^256-1"), std::string::npos) << over.error().message;
  EXPECT_EQ(over.error().code, ErrorCode::BadRequest);
  auto letter = U256::from_dec("12a4");
  ASSERT_FALSE(letter.ok());
  EXPECT_NE(letter.error().message.find("'a' at position 2"), std::string::npos) << letter.error().message;
  EXPECT_FALSE(U256::from_dec("").ok());
  EXPECT_FALSE(U256::from_dec("-1").ok());
  EXPECT_FALSE(U256::from_hex("0x").ok());
  EXPECT_FALSE(U256::from_hex("0x1g").ok());
  EXPECT_FALSE(U256::from_hex("1" + std::string(64, '0')).ok());
  EXPECT_FALSE(U256::from_bytes(std::vector<uint8_t>(33, 1)).ok());
}

TEST(U256, Bytes) {
  auto v = U256::from_hex("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20").value();
  auto b = v.to_bytes32();
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(b[i], i + 1);
  EXPECT_EQ(U256::from_bytes32(b), v);
  EXPECT_EQ(eth::to_hex(U256(1024).to_minimal_bytes()), "0400");
  EXPECT_TRUE(U256(0).to_minimal_bytes().empty());
  EXPECT_EQ(U256::from_bytes(std::vector<uint8_t>{0x04, 0x00}).value(), U256(1024));
  EXPECT_EQ(eth::to_hex(U256(0x0102).to_bytes32()), std::string(60, '0') + "0102");
  U256 top = dec("57896044618658097711785492504343953926634992332820282019728792003956564819969");  // 2^255 + 1
  EXPECT_EQ(eth::to_hex(top.to_bytes32()), "80" + std::string(61, '0') + "1");
  EXPECT_EQ(top.bit_length(), 256u);
}

TEST(U256, FromBytesAsBigIntSetBytes) {
  EXPECT_EQ(U256::from_bytes(std::vector<uint8_t>{}).value(), U256(0));
  std::vector<uint8_t> padded(40, 0);  // leading zeros past 32 bytes are fine
  padded.back() = 5;
  EXPECT_EQ(U256::from_bytes(padded).value(), U256(5));
  std::vector<uint8_t> too_big(33, 0);
  too_big[0] = 1;
  auto r = U256::from_bytes(too_big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
  EXPECT_NE(r.error().message.find("does not fit in 256 bits"), std::string::npos) << r.error().message;
}

TEST(U256, Arithmetic) {
  U256 two64 = dec("18446744073709551616");
  EXPECT_EQ(U256(~uint64_t{0}) + U256(1), two64);  // carry across limbs
  EXPECT_EQ(two64 - U256(1), U256(~uint64_t{0}));  // borrow across limbs
  EXPECT_EQ(U256::max() + U256(1), U256(0));       // wraps like the EVM
  EXPECT_EQ(U256(0) - U256(1), U256::max());
  EXPECT_FALSE(U256::checked_add(U256::max(), U256(1)));
  EXPECT_FALSE(U256::checked_sub(U256(1), U256(2)));
  EXPECT_EQ(*U256::checked_sub(U256(5), U256(2)), U256(3));
  EXPECT_EQ(U256::checked_mul(dec("1000000000000000000"), 1000000000)->to_dec(), "1000000000000000000000000000");
  EXPECT_FALSE(U256::checked_mul(U256::max(), 2));
  EXPECT_EQ(U256::checked_add(U256::max(), 0).value(), U256::max());
  EXPECT_EQ(U256::checked_sub(U256::max(), U256::max()).value(), U256(0));
  EXPECT_EQ(U256::checked_mul(3, 5).value(), U256(15));
  EXPECT_FALSE(U256::checked_mul(U256::from_hex("0x8" + std::string(59, '0') + "3039").value(), 2));  // 2^256 + 24690
  EXPECT_FALSE(U256::checked_mul(dec("340282366920938463463374607431768211456"),
                                 dec("340282366920938463463374607431768211456")));
}

TEST(U256, MulWide) {
  // (2^256 - 1)^2 = (2^256 - 2) * 2^256 + 1
  U256::Wide w = U256::mul_wide(U256::max(), U256::max());
  EXPECT_EQ(w.high, *U256::checked_sub(U256::max(), 1));
  EXPECT_EQ(w.low, U256(1));
  // 2^128 * 2^128 = 1 * 2^256 + 0
  U256::Wide p =
      U256::mul_wide(dec("340282366920938463463374607431768211456"), dec("340282366920938463463374607431768211456"));
  EXPECT_EQ(p.high, U256(1));
  EXPECT_EQ(p.low, U256(0));
}

TEST(U256, DivModByOneLimb) {
  auto d = U256::divmod(U256::max(), 10);
  EXPECT_EQ(d.quotient.to_dec(), "11579208923731619542357098500868790785326998466564056403945758400791312963993");
  EXPECT_EQ(d.remainder, U256(5));
  d = U256::divmod(dec("1000000000000000000"), 3);
  EXPECT_EQ(d.quotient, dec("333333333333333333"));
  EXPECT_EQ(d.remainder, U256(1));
  // BigInt: (2^256 - 1) / (10^18 + 9) and its remainder.
  d = U256::divmod(U256::max(), dec("1000000000000000009"));
  EXPECT_EQ(d.quotient.to_dec(), "115792089237316194381442181872842158420290347810061138256844");
  EXPECT_EQ(d.remainder.to_dec(), "453717362885328339");
  EXPECT_EQ(U256::divmod(7, 7).quotient, U256(1));
  EXPECT_EQ(U256::divmod(0, 7).quotient, U256(0));
}

TEST(U256, DivModWide) {
  // A divisor over 2^255, where the running remainder shifts past 256 bits.
  U256 a = dec("57896044618658097711785492504343953928042367207311320137751478010998129819088");
  auto d = U256::divmod(U256::max(), a);
  EXPECT_EQ(d.quotient, U256(1));
  EXPECT_EQ(d.remainder, U256::max() - a);
  // (2^255 + 2^130 + 12345678901234567890) / (2^200 - 3)
  U256 n = dec("57896044618658097711785492504343953926634992332820282019728792003956564819968") +
           dec("1361129467683753853853498429727072845824") + dec("12345678901234567890");
  d = U256::divmod(n, dec("1606938044258990275541962092341162602522202993782792835301373"));
  EXPECT_EQ(d.quotient.to_dec(), "36028797018963968");
  EXPECT_EQ(d.remainder.to_dec(), "1361129467683753853865952195019364305618");
  // A two-limb divisor: (2^192 + 5) / (2^64 + 1).
  d = U256::divmod(dec("6277101735386680763835789423207666416102355444464034512901"), dec("18446744073709551617"));
  EXPECT_EQ(d.quotient.to_dec(), "340282366920938463444927863358058659841");
  EXPECT_EQ(d.remainder, U256(4));
}

TEST(U256, Compare) {
  EXPECT_LT(U256(1), U256(2));
  EXPECT_LT(U256(~uint64_t{0}), dec("18446744073709551616"));
  EXPECT_GT(U256::max(), dec("340282366920938463463374607431768211456"));
  EXPECT_EQ(U256(7), dec("7"));
  EXPECT_EQ(U256(255).bit_length(), 8u);
  EXPECT_EQ(U256::max().bit_length(), 256u);
  EXPECT_EQ(U256(0).bit_length(), 0u);
  EXPECT_EQ(dec("18446744073709551616").to_u64(), std::nullopt);
  EXPECT_EQ(U256(42).to_u64(), 42u);
  EXPECT_EQ(dec("18446744073709551658").low64(), 42u);  // 2^64 + 42
  EXPECT_GT(dec("18446744073709551616"), U256(~0ULL));
  EXPECT_DOUBLE_EQ(U256::max().to_double(), 1.157920892373162e77);
  EXPECT_DOUBLE_EQ(dec("1000000000000000000").to_double(), 1e18);
}

}  // namespace
}  // namespace lp::chain
