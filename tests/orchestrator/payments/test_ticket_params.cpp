// Face value, win probability and the params an orchestrator offers, as go-livepeer's recipient
// computes them. Expected numbers from node's BigInt running go-livepeer's formulas.
#include <gtest/gtest.h>

#include "payment_vectors.h"
#include "ticket_params.h"

namespace lp::pm {
namespace {

using namespace test;

constexpr uint64_t kGwei = 1'000'000'000;

TicketParamsConfig config() {
  TicketParamsConfig cfg;
  cfg.ev = 8'000'000'000;  // go-livepeer's default -ticketEV
  cfg.redeem_gas = 1'200'000;
  cfg.tx_cost_multiplier = 100;
  return cfg;
}
const U256 kPlentyOfFloat = u256_dec("1000000000000000000000");  // 1000 ETH

TEST(FaceValue, TxCostTimesMultiplier) {
  // 0.1 gwei: 1.2e6 gas * 1e8 = 1.2e14 wei per redemption, * 100.
  EXPECT_EQ(face_value_for(config(), kGwei / 10, kPlentyOfFloat).value(), U256(12'000'000'000'000'000));
  EXPECT_EQ(redemption_tx_cost(config(), kGwei / 10).value(), U256(120'000'000'000'000));
}

TEST(FaceValue, BelowEvIsRaisedToEvTimes100) {
  EXPECT_EQ(face_value_for(config(), 0, kPlentyOfFloat).value(), U256(800'000'000'000));
}

TEST(FaceValue, CappedByMaxFloatAndMaxFaceValue) {
  EXPECT_EQ(face_value_for(config(), kGwei / 10, 5'000'000'000'000'000).value(), U256(5'000'000'000'000'000));
  TicketParamsConfig cfg = config();
  cfg.max_face_value = 1'000'000'000'000'000;
  EXPECT_EQ(face_value_for(cfg, kGwei / 10, kPlentyOfFloat).value(), U256(1'000'000'000'000'000));
  EXPECT_EQ(face_value_for(cfg, kGwei / 10, 900'000'000'000'000).value(), U256(900'000'000'000'000));
}

TEST(FaceValue, InsufficientReserve) {
  // The sender's float cannot even cover one EV.
  EXPECT_TRUE(Fails(face_value_for(config(), kGwei / 10, 7'999'999'999), ErrorCode::BadRequest,
                    "insufficient sender reserve: face value 7999999999 wei (max float 7999999999) is below the "
                    "ticket EV 8000000000"));
  // A float of exactly one EV is enough when gas is free; at 0.1 gwei it is below the redemption
  // cost (1.2e14) and the cost at 3 gwei (3.6e15) both.
  EXPECT_EQ(face_value_for(config(), 0, 8'000'000'000).value(), U256(8'000'000'000));
  EXPECT_TRUE(Fails(face_value_for(config(), kGwei / 10, 8'000'000'000), ErrorCode::BadRequest,
                    "insufficient sender reserve: face value 8000000000 wei is below the redemption cost"));
  // At 1000 gwei a redemption costs 1.2e18; a 1e16 face value is still allowed because it covers
  // the cost at 3 gwei (3.6e15), 1e15 is not.
  EXPECT_EQ(face_value_for(config(), 1000 * kGwei, 10'000'000'000'000'000).value(), U256(10'000'000'000'000'000));
  EXPECT_TRUE(Fails(face_value_for(config(), 1000 * kGwei, 1'000'000'000'000'000), ErrorCode::BadRequest,
                    "below the redemption cost 1200000000000000000 and the cost at 3 gwei 3600000000000000"));
}

TEST(WinProb, GoLivepeerFormula) {
  EXPECT_EQ(win_prob_for(8'000'000'000, 0).value(), U256(0));
  EXPECT_EQ(win_prob_for(8'000'000'000, 8'000'000'000).value(), kMaxWinProb);
  EXPECT_EQ(win_prob_for(8'000'000'000, 800'000'000'000).value().to_dec(),
            "1157920892373161954235709850086879078532699846656405640394575840080000000000");
  EXPECT_EQ(win_prob_for(8'000'000'000, 12'000'000'000'000'000).value().to_dec(),
            "77194726158210796949047323339125271902179989777093709359638392000000000");
  EXPECT_EQ(win_prob_for(3, 7).value().to_dec(),
            "49625181101706940895816136432294817651401421999560241731196107431962769845689");
  // 2^256 - 1 divides by 3 exactly: no rounding up.
  EXPECT_EQ(win_prob_for(1, 3).value().to_dec(),
            "38597363079105398474523661669562635951089994888546854679819194669304376546645");
  // (2^256 - 1) mod (2^192 + 1) = 2^192 - 2^64: non-zero, but its low 64 bits are zero, and
  // go-livepeer's m.Int64() != 0 reads only those, so it does not round up.
  U256 fv = *U256::checked_add(u256_dec("6277101735386680763835789423207666416102355444464034512896"), 1);
  EXPECT_EQ(win_prob_for(1, fv).value(), U256(~0ULL));
  // EV just under a face value over 2^200 would need more than 256 bits.
  U256 huge = *U256::checked_add(u256_dec("1606938044258990275541962092341162602522202993782792835301376"), 1);
  EXPECT_TRUE(
      Fails(win_prob_for(*U256::checked_sub(huge, 1), huge), ErrorCode::BadRequest, "does not fit in 256 bits"));
}

TEST(WinProb, TicketsAreWorthTheEv) {
  // The EV the params give is the configured one, give or take the rounding of one division.
  for (uint64_t fv : {800'000'000'000ULL, 12'000'000'000'000'000ULL, 5'000'000'000'000'001ULL}) {
    TicketEv ev = ticket_ev(fv, win_prob_for(8'000'000'000, fv).value());
    EXPECT_EQ(ev.whole, U256(8'000'000'000)) << fv;
  }
}

TEST(TxCostMultiplier, FaceValueOverTxCost) {
  TxCostRatio r = tx_cost_multiplier(config(), kGwei / 10, 5'000'000'000'000'000).value();
  EXPECT_EQ(r.num, U256(5'000'000'000'000'000));
  EXPECT_EQ(r.den, U256(120'000'000'000'000));
  TxCostRatio free_gas = tx_cost_multiplier(config(), 0, kPlentyOfFloat).value();
  EXPECT_EQ(free_gas.num, U256(0));
  EXPECT_EQ(free_gas.den, U256(1));
}

ChainSnapshot chain() {
  ChainSnapshot c;
  c.gas_price = kGwei / 10;
  c.max_float = kPlentyOfFloat;
  c.last_l1_block = 19'000'000;
  c.last_initialized_round = kCreationRound;
  c.last_initialized_block_hash = fixed<32>(kBlockHash);
  c.pre_last_initialized_block_hash[0] = 0x77;
  return c;
}

TEST(TicketParams, CommitToTheirOwnFields) {
  const eth::Address recipient = address(kRecipient), sender = address(kSender);
  const Price price = Price::make(1200, 1).value();
  auto p = make_ticket_params(secret(), recipient, sender, price, config(), chain(), u256_hex(kSeed));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->recipient, recipient);
  EXPECT_EQ(p->face_value, U256(12'000'000'000'000'000));
  EXPECT_EQ(p->win_prob, win_prob_for(8'000'000'000, p->face_value).value());
  EXPECT_EQ(p->seed, u256_hex(kSeed));
  EXPECT_EQ(p->expiration_block, U256(kExpirationBlock));  // 19 000 000 + 40
  EXPECT_EQ(p->expiration_params, (ExpirationParams{kCreationRound, fixed<32>(kBlockHash)}));
  EXPECT_EQ(p->price, price);
  EXPECT_EQ(p->recipient_rand_hash, recipient_rand_hash(secret().rand(p->rand_inputs(sender))));
  // With the vector's face value and win probability the commitment is the vector's.
  TicketParams q = *p;
  q.face_value = u256_dec(kFaceValue);
  q.win_prob = u256_hex(kWinProbHex);
  EXPECT_EQ(eth::to_hex_0x(recipient_rand_hash(secret().rand(q.rand_inputs(sender)))), kRecipientRandHash);
  // Another sender gets another commitment from the same seed.
  EXPECT_NE(recipient_rand_hash(secret().rand(p->rand_inputs(recipient))), p->recipient_rand_hash);
  // Fresh seeds differ.
  auto r1 = make_ticket_params(secret(), recipient, sender, price, config(), chain());
  auto r2 = make_ticket_params(secret(), recipient, sender, price, config(), chain());
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_NE(r1->seed, r2->seed);
  EXPECT_NE(r1->recipient_rand_hash, r2->recipient_rand_hash);
}

TEST(TicketParams, FreeStreamsNeedNoFloat) {
  ChainSnapshot c = chain();
  c.max_float = 0;
  auto p =
      make_ticket_params(secret(), address(kRecipient), address(kSender), Price::make(0, 1).value(), config(), c, 1);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->face_value.is_zero());
  EXPECT_TRUE(p->win_prob.is_zero());
  // A paid stream with that float is refused.
  EXPECT_TRUE(Fails(
      make_ticket_params(secret(), address(kRecipient), address(kSender), Price::make(1, 1).value(), config(), c, 1),
      ErrorCode::BadRequest, "insufficient sender reserve"));
}

TEST(TicketParams, ZeroRoundBlockHashStepsBackOneRound) {
  ChainSnapshot c = chain();
  c.last_initialized_block_hash = {};
  ExpirationParams e = expiration_params_for(c);
  EXPECT_EQ(e.creation_round, kCreationRound - 1);
  EXPECT_EQ(e.creation_round_block_hash, c.pre_last_initialized_block_hash);
}

}  // namespace
}  // namespace lp::pm
