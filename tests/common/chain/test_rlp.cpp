// RLP against the examples in the Ethereum wiki's RLP page (ethereum.org, "Recursive-length
// prefix (RLP) serialization") and the yellow paper, and the decoder's refusals.
#include <gtest/gtest.h>

#include "hex.h"
#include "rlp.h"

namespace lp::chain::rlp {
namespace {

std::string hex(const Bytes& b) { return eth::to_hex(b); }
Bytes unhex(std::string_view h) { return eth::from_hex(h, "test", ErrorCode::Internal).value(); }

Item s(std::string_view text) { return Item::string(text); }
Item l(std::vector<Item> items) { return Item::list(std::move(items)); }

// Encodes, checks the bytes, decodes them back and checks the item.
void expect_round_trip(const Item& item, std::string_view expected_hex) {
  EXPECT_EQ(hex(encode(item)), expected_hex);
  auto back = decode(unhex(expected_hex));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, item);
}

TEST(Rlp, WikiExamples) {
  expect_round_trip(s("dog"), "83646f67");
  expect_round_trip(l({s("cat"), s("dog")}), "c88363617483646f67");
  expect_round_trip(s(""), "80");
  expect_round_trip(l({}), "c0");
  expect_round_trip(Item::integer(0), "80");
  expect_round_trip(Item::string(Bytes{0x00}), "00");
  expect_round_trip(Item::string(Bytes{0x0f}), "0f");
  expect_round_trip(Item::string(Bytes{0x04, 0x00}), "820400");
  expect_round_trip(Item::integer(15), "0f");
  expect_round_trip(Item::integer(1024), "820400");
  // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ].
  expect_round_trip(l({l({}), l({l({})}), l({l({}), l({l({})})})}), "c7c0c1c0c3c0c1c0");
  expect_round_trip(
      s("Lorem ipsum dolor sit amet, consectetur adipisicing elit"),
      "b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963"
      "696e6720656c6974");
}

TEST(Rlp, DirectEncodersMatchItems) {
  EXPECT_EQ(hex(encode_string("dog")), "83646f67");
  EXPECT_EQ(hex(encode_uint(1024)), "820400");
  EXPECT_EQ(hex(encode_uint(0)), "80");
  std::vector<Bytes> items = {encode_string("cat"), encode_string("dog")};
  EXPECT_EQ(hex(encode_list(items)), "c88363617483646f67");
  EXPECT_EQ(hex(encode_uint(U256::max())), "a0" + std::string(64, 'f'));
}

TEST(Rlp, LongFormLengths) {
  // 1024-byte string: b9 0400; a list whose payload is 60 bytes: f8 3c.
  Bytes big(1024, 0xaa);
  Bytes enc = encode(Item::string(big));
  EXPECT_EQ(hex(Bytes(enc.begin(), enc.begin() + 3)), "b90400");
  EXPECT_EQ(enc.size(), 1027u);
  std::vector<Item> many(20, s("ab"));  // 20 × 3 bytes
  Bytes list = encode(l(many));
  EXPECT_EQ(hex(Bytes(list.begin(), list.begin() + 2)), "f83c");
  auto back = decode(list);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->items.size(), 20u);
}

TEST(Rlp, Integers) {
  EXPECT_EQ(decode(unhex("820400"))->as_uint("n").value(), U256(1024));
  EXPECT_EQ(decode(unhex("80"))->as_u64("n").value(), 0u);
  auto leading_zero = decode(unhex("820004"))->as_uint("nonce");
  ASSERT_FALSE(leading_zero.ok());
  EXPECT_NE(leading_zero.error().message.find("nonce is a non-canonical integer"), std::string::npos);
  EXPECT_FALSE(decode(unhex("c0"))->as_uint("n").ok());
  EXPECT_FALSE(decode(encode(Item::string(Bytes(33, 1))))->as_uint("n").ok());
  EXPECT_FALSE(decode(encode_uint(U256::max()))->as_u64("gas").ok());
}

// The decoder's error for `h`, which must mention `needle`.
void expect_refused(std::string_view h, std::string_view needle, const Limits& limits = {}) {
  auto r = decode(unhex(h), limits);
  ASSERT_FALSE(r.ok()) << h;
  EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << h << ": " << r.error().message;
}

TEST(Rlp, Truncated) {
  expect_refused("", "truncated");
  expect_refused("83646f", "truncated: string of 3 bytes but only 2 left");
  expect_refused("c88363617483646f", "truncated");
  expect_refused("b8", "truncated: length");
  expect_refused("b90400aa", "truncated");
  expect_refused("c5836361", "truncated");  // list claims more than its item gives
}

TEST(Rlp, NonCanonical) {
  expect_refused("8100", "single byte below 0x80");  // 0x00 must be encoded as itself
  expect_refused("817f", "single byte below 0x80");
  expect_refused("b803646f67", "non-canonical long form");           // short string in long form
  expect_refused("f803c0c0c0", "non-canonical long form");           // short list in long form
  expect_refused("b9003a" + std::string(116, 'a'), "leading zero");  // length with a leading zero byte
}

TEST(Rlp, Oversized) {
  expect_refused("83646f6700", "1 trailing bytes");
  expect_refused("c0c0", "trailing");
  expect_refused("bf0100000000000000", "truncated");  // an 8-byte length far beyond the input
  expect_refused("83646f67", "exceeds the limit", Limits{.max_size = 3});
  expect_refused("c3c2c1c0", "nested deeper than 2", Limits{.max_depth = 2});
  expect_refused("c3808080", "more than 3 items", Limits{.max_items = 3});
  EXPECT_TRUE(decode(unhex("c3c2c1c0"), Limits{.max_depth = 4}).ok());
}

}  // namespace
}  // namespace lp::chain::rlp
