// Per-stream credit balances: exact sums of ticket EVs and pixel fees, the fixed price, the
// SufficientBalance rule, idle expiry and the stream cap.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "balances.h"
#include "payment_vectors.h"

namespace lp::pm {
namespace {

using namespace test;
using std::chrono::minutes;
using std::chrono::nanoseconds;

const U256 kThird = U256::divmod(kMaxWinProb, 3).quotient;  // (2^256 - 1) / 3, exact: 2^256 = 1 mod 3

struct FakeClock {
  Balances::Clock::time_point t{};
  std::function<Balances::Clock::time_point()> fn() {
    return [this] { return t; };
  }
};

class BalancesTest : public ::testing::Test {
 protected:
  Balances make(size_t max_streams = 100) {
    BalancesConfig cfg;
    cfg.max_streams = max_streams;
    cfg.now = clock.fn();
    return Balances(cfg);
  }
  FakeClock clock;
  const eth::Address sender = address(kSender);
  const Price third = Price::make(1, 3).value();
};

TEST_F(BalancesTest, CreditsAreExactEvs) {
  Balances b = make();
  EXPECT_FALSE(b.balance(sender, "s").has_value());
  const TicketEv ev = ticket_ev(u256_dec(kFaceValue), u256_hex(kWinProbHex));
  ASSERT_TRUE(b.credit(sender, "s", ev).ok());
  Wei w = *b.balance(sender, "s");
  ASSERT_GT(ev.whole.bit_length(), 64u);  // past 64 bits, and exact
  EXPECT_EQ(w.to_string(), ev.whole.to_dec() + " + " + ev.frac.to_dec() + "/(2^256-1)");
  EXPECT_EQ(w.ev_frac, ev.frac);
  EXPECT_EQ(w.price_frac, 0u);

  // Fractions carry into whole wei: 2 * (M - 1)/M = 1 + (M - 2)/M.
  Balances c = make();
  const TicketEv almost_one{0, *U256::checked_sub(kMaxWinProb, 1)};
  ASSERT_TRUE(c.credit(sender, "s", almost_one).ok());
  ASSERT_TRUE(c.credit(sender, "s", almost_one).ok());
  w = *c.balance(sender, "s");
  EXPECT_EQ(w.whole, 1);
  EXPECT_EQ(w.ev_frac, *U256::checked_sub(kMaxWinProb, 2));
  EXPECT_EQ(add_ev(almost_one, almost_one), (TicketEv{1, *U256::checked_sub(kMaxWinProb, 2)}));
  // Three thirds make exactly one wei.
  ASSERT_TRUE(c.credit(sender, "t", {0, kThird}).ok());
  ASSERT_TRUE(c.credit(sender, "t", {0, kThird}).ok());
  ASSERT_TRUE(c.credit(sender, "t", {0, kThird}).ok());
  w = *c.balance(sender, "t");
  EXPECT_EQ(w.whole, 1);
  EXPECT_TRUE(w.ev_frac.is_zero());
}

TEST_F(BalancesTest, DebitsArePixelsTimesPrice) {
  Balances b = make();
  ASSERT_TRUE(b.credit(sender, "s", {100, 0}).ok());
  ASSERT_TRUE(b.debit(sender, "s", 10, third).ok());  // 100 - 10/3 = 96 + 2/3
  Wei w = *b.balance(sender, "s");
  EXPECT_EQ(w.whole, 96);
  EXPECT_EQ(w.price_frac, 2u);
  EXPECT_EQ(w.price_den, 3u);
  EXPECT_EQ(w.to_string(), "96 + 2/3");
  ASSERT_TRUE(b.debit(sender, "s", 2, third).ok());  // - 2/3: 96 exactly
  w = *b.balance(sender, "s");
  EXPECT_EQ(w.whole, 96);
  EXPECT_EQ(w.price_frac, 0u);
  // Below zero, as go-livepeer lets a balance go.
  ASSERT_TRUE(b.debit(sender, "s", 301, third).ok());  // 96 - 100 - 1/3 = -5 + 2/3
  w = *b.balance(sender, "s");
  EXPECT_EQ(w.whole, -5);
  EXPECT_EQ(w.price_frac, 2u);
  EXPECT_EQ(w.to_string(), "-5 + 2/3");
  EXPECT_NEAR(w.to_double(), -4.3333, 1e-3);

  // Big numbers stay exact: 2^62 pixels at 1200 wei each.
  Balances big = make();
  ASSERT_TRUE(big.debit(sender, "s", int64_t{1} << 62, Price::make(1200, 1).value()).ok());
  EXPECT_EQ(big.balance(sender, "s")->whole, -(Int128{1200} << 62));

  EXPECT_TRUE(Fails(b.debit(sender, "s", -1, third), ErrorCode::BadRequest, "negative pixel count -1"));
  EXPECT_TRUE(Fails(b.debit(sender, "s", 1, Price{-1, 3}), ErrorCode::BadRequest, "invalid price -1/3"));
  // A zero charge to an unknown stream leaves no entry behind.
  ASSERT_TRUE(b.debit(sender, "nothing", 0, third).ok());
  ASSERT_TRUE(b.debit(sender, "free", 1000, Price::make(0, 1).value()).ok());
  EXPECT_FALSE(b.balance(sender, "nothing").has_value());
  EXPECT_FALSE(b.balance(sender, "free").has_value());
}

TEST_F(BalancesTest, FirstPriceIsFixed) {
  Balances b = make();
  EXPECT_FALSE(b.fixed_price(sender, "s").has_value());
  EXPECT_EQ(b.fix_price(sender, "s", third).value(), third);
  EXPECT_EQ(b.fix_price(sender, "s", third).value(), third);
  const Price half = Price::make(1, 2).value();
  EXPECT_TRUE(
      Fails(b.fix_price(sender, "s", half), ErrorCode::BadRequest, "price 1/2 differs from the price 1/3 fixed"));
  EXPECT_EQ(*b.fixed_price(sender, "s"), third);
  EXPECT_TRUE(Fails(b.debit(sender, "s", 1, half), ErrorCode::BadRequest, "differs from the price 1/3"));
  EXPECT_TRUE(b.debit(sender, "s", 1, third).ok());
  // Another stream, or another sender, has its own.
  EXPECT_EQ(b.fix_price(sender, "other", half).value(), half);
  EXPECT_EQ(b.fix_price(address(kRecipient), "s", half).value(), half);
  // A first debit fixes the price too.
  ASSERT_TRUE(b.debit(sender, "debited", 3, half).ok());
  EXPECT_EQ(*b.fixed_price(sender, "debited"), half);
}

TEST_F(BalancesTest, SufficientIsAtLeastTheMinimumExactly) {
  Balances b = make();
  EXPECT_FALSE(b.sufficient(sender, "s", 0));  // no entry: go-livepeer's nil balance
  // 10 + (M/3)/M - 1/3 = 10 exactly, kept as 9 + (M/3)/M + 2/3.
  ASSERT_TRUE(b.credit(sender, "s", {10, kThird}).ok());
  ASSERT_TRUE(b.debit(sender, "s", 1, third).ok());
  Wei w = *b.balance(sender, "s");
  EXPECT_EQ(w.whole, 9);
  EXPECT_TRUE(b.sufficient(sender, "s", 10));
  EXPECT_TRUE(b.sufficient(sender, "s", 9));
  EXPECT_FALSE(b.sufficient(sender, "s", 11));
  // One part in 2^256 less is not enough.
  Balances c = make();
  ASSERT_TRUE(c.credit(sender, "s", {10, *U256::checked_sub(kThird, 1)}).ok());
  ASSERT_TRUE(c.debit(sender, "s", 1, third).ok());
  EXPECT_FALSE(c.sufficient(sender, "s", 10));
  EXPECT_TRUE(c.sufficient(sender, "s", 9));
  // Around zero: -1 + 1/3 + 2/3 is 0.
  Balances z = make();
  ASSERT_TRUE(z.credit(sender, "s", {0, kThird}).ok());
  ASSERT_TRUE(z.debit(sender, "s", 1, third).ok());
  EXPECT_EQ(z.balance(sender, "s")->whole, -1);
  EXPECT_TRUE(z.sufficient(sender, "s", 0));
  EXPECT_FALSE(z.sufficient(sender, "s", 1));
  ASSERT_TRUE(z.debit(sender, "s", 1, third).ok());
  EXPECT_FALSE(z.sufficient(sender, "s", 0));
  // A minimum past 2^127 wei is never met.
  EXPECT_FALSE(b.sufficient(sender, "s", kMaxWinProb));
}

TEST_F(BalancesTest, IdleEntriesExpireAfterTheTtl) {
  Balances b = make();
  ASSERT_TRUE(b.credit(sender, "idle", {5, 0}).ok());
  ASSERT_TRUE(b.credit(sender, "busy", {5, 0}).ok());
  clock.t += minutes(9);
  ASSERT_TRUE(b.debit(sender, "busy", 1, third).ok());  // a write keeps it alive
  clock.t += minutes(1);                                // exactly the TTL: not yet idle past it
  EXPECT_TRUE(b.balance(sender, "idle").has_value());
  clock.t += nanoseconds(1);
  EXPECT_FALSE(b.balance(sender, "idle").has_value());
  EXPECT_FALSE(b.sufficient(sender, "idle", 0));
  EXPECT_FALSE(b.fixed_price(sender, "idle").has_value());
  EXPECT_TRUE(b.balance(sender, "busy").has_value());
  EXPECT_EQ(b.size(), 2u);  // gone for readers, freed by the next sweep
  b.cleanup();
  EXPECT_EQ(b.size(), 1u);
  // A stream paid again after expiry starts from nothing.
  ASSERT_TRUE(b.credit(sender, "idle", {1, 0}).ok());
  EXPECT_EQ(b.balance(sender, "idle")->whole, 1);
  // Writes sweep by themselves once per TTL.
  clock.t += minutes(11);
  ASSERT_TRUE(b.credit(sender, "new", {1, 0}).ok());
  EXPECT_EQ(b.size(), 1u);
}

TEST_F(BalancesTest, StreamCap) {
  Balances b = make(2);
  ASSERT_TRUE(b.credit(sender, "a", {1, 0}).ok());
  ASSERT_TRUE(b.fix_price(sender, "b", third).ok());
  EXPECT_TRUE(Fails(b.credit(sender, "c", {1, 0}), ErrorCode::Busy, "payment balances are full: 2 streams"));
  EXPECT_TRUE(Fails(b.fix_price(sender, "c", third), ErrorCode::Busy, "full"));
  EXPECT_TRUE(Fails(b.debit(sender, "c", 1, third), ErrorCode::Busy, "full"));
  ASSERT_TRUE(b.credit(sender, "a", {1, 0}).ok());  // held streams still work
  EXPECT_EQ(b.size(), 2u);
  // Once one is idle past the TTL it makes room.
  clock.t += minutes(5);
  ASSERT_TRUE(b.credit(sender, "a", {1, 0}).ok());
  clock.t += minutes(6);
  ASSERT_TRUE(b.credit(sender, "c", {1, 0}).ok());
  EXPECT_FALSE(b.balance(sender, "b").has_value());
  EXPECT_EQ(b.balance(sender, "a")->whole, 3);
}

TEST_F(BalancesTest, ConcurrentCreditsAndDebitsAddUp) {
  Balances b = make();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(b.credit(sender, "s", {0, kThird}).ok());
        ASSERT_TRUE(b.debit(sender, "s", 1, third).ok());
        ASSERT_TRUE(b.credit(sender, "s", {1, 0}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  // 4000 * (1/3 - 1/3 + 1) = 4000 exactly.
  EXPECT_TRUE(b.sufficient(sender, "s", 4000));
  EXPECT_FALSE(b.sufficient(sender, "s", 4001));
}

}  // namespace
}  // namespace lp::pm
