// recipientRand = HMAC-SHA256(secret, params) and its commitment, against node's crypto HMAC and
// ethers' keccak256 (payment_vectors.h); the price normalisation go-livepeer's big.Rat does.
#include <gtest/gtest.h>

#include "hex.h"
#include "payment_vectors.h"
#include "recipient_rand.h"

namespace lp::pm {
namespace {

using namespace test;

TEST(RecipientRand, MessageLayout) {
  EXPECT_EQ(eth::to_hex(rand_message(rand_inputs())), kRandMessage);
  // Zero values add no bytes; the price's denominator is there even for a zero price.
  RandInputs zero;
  zero.price = Price::make(0, 7).value();
  EXPECT_EQ(eth::to_hex(rand_message(zero)), std::string(40, '0') + "01");
}

TEST(RecipientRand, MatchesNodeHmacAndKeccak) {
  RecipientRand rand = secret().rand(rand_inputs());
  EXPECT_EQ(eth::to_hex_0x(rand), kRecipientRand);
  EXPECT_EQ(eth::to_hex_0x(recipient_rand_hash(rand)), kRecipientRandHash);
}

TEST(RecipientRand, EveryPromisedFieldChangesIt) {
  const RecipientRand base = secret().rand(rand_inputs());
  auto differs = [&](auto change) {
    RandInputs in = rand_inputs();
    change(in);
    return secret().rand(in) != base;
  };
  EXPECT_TRUE(differs([](RandInputs& in) { in.seed = *U256::checked_add(in.seed, 1); }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.sender.bytes[19] ^= 1; }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.face_value = *U256::checked_add(in.face_value, 1); }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.win_prob = *U256::checked_sub(in.win_prob, 1); }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.expiration_block = kExpirationBlock + 1; }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.price = Price::make(1201, 1).value(); }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.expiration.creation_round += 1; }));
  EXPECT_TRUE(differs([](RandInputs& in) { in.expiration.creation_round_block_hash[0] ^= 1; }));
  // The same price written differently is the same rational, hence the same rand.
  EXPECT_FALSE(differs([](RandInputs& in) { in.price = Price::make(2400, 2).value(); }));
  // Another secret, another rand.
  RandInputs in = rand_inputs();
  auto other = RecipientSecret::generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->rand(in), base);
}

TEST(RecipientRand, PriceIsReducedLikeBigRat) {
  EXPECT_EQ(Price::make(10, 20).value(), (Price{1, 2}));
  EXPECT_EQ(Price::make(-10, 20).value(), (Price{-1, 2}));
  EXPECT_EQ(Price::make(10, -20).value(), (Price{-1, 2}));
  EXPECT_EQ(Price::make(-10, -20).value(), (Price{1, 2}));
  EXPECT_EQ(Price::make(0, -20).value(), (Price{0, 1}));
  EXPECT_EQ(Price::make(INT64_MIN, 2).value(), (Price{INT64_MIN / 2, 1}));
  EXPECT_TRUE(Price::make(10, 20)->positive());
  EXPECT_FALSE(Price::make(0, 1)->positive());
  EXPECT_TRUE(Fails(Price::make(5, 0), ErrorCode::BadRequest, "pixels per unit is 0"));
  EXPECT_TRUE(Fails(Price::make(INT64_MIN, -1), ErrorCode::BadRequest, "out of range"));
}

TEST(RecipientRand, SeedsAreFresh) {
  auto a = random_seed();
  auto b = random_seed();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace lp::pm
