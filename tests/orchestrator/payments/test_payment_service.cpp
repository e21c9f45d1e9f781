// PaymentService against the lpchain devnet (tests/support/devnet.h), started once for this binary:
// the orchestrator bonds and becomes active and the broadcaster funds a deposit and reserve (as
// ../shared/lpchain/scenario.js does); then prices, ticket params, a payment of tickets signed by the
// broadcaster for those params, balances credited and debited, the winners stored before
// process_payment() returns and redeemed on chain once their params expire.
#include <glib.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "contracts.h"
#include "devnet.h"
#include "devnet_chain.h"
#include "payment_receiver.h"
#include "payment_service.h"
#include "ticket.h"

namespace lp::pm {
namespace {

namespace fs = std::filesystem;

const U256 kEther = U256(1'000'000'000'000'000'000ull);
const U256 kFace = U256(100'000'000'000'000'000ull);  // 0.1 ETH: the max face value configured
const U256 kEv = U256(90'000'000'000'000'000ull);     // win probability 0.9: most tickets win
const U256 kBond = U256::checked_mul(kEther, 1000).value();

U256 times(const U256& v, uint64_t n) { return U256::checked_mul(v, n).value(); }

template <typename T>
T ok(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

TEST(AutoAdjustedPrice, FollowsPriceInfo) {
  // 1000 * (1 + 1/100) = 1010.
  EXPECT_EQ(auto_adjusted_price({1000, 1}, {U256(100), U256(1)}).value(), (Price{1010, 1}));
  // 1/3 * (1 + 2/5) = 0.4666.. -> 0.466 (PriceToFixed truncates to 3 places).
  EXPECT_EQ(auto_adjusted_price({1, 3}, {U256(5), U256(2)}).value(), (Price{233, 500}));
  // No tx cost: the base, truncated.
  EXPECT_EQ(auto_adjusted_price({1, 3}, {U256(0), U256(1)}).value(), (Price{333, 1000}));
  EXPECT_EQ(auto_adjusted_price({0, 1}, {U256(7), U256(1)}).value(), (Price{0, 1}));
  EXPECT_FALSE(auto_adjusted_price({INT64_MAX, 1}, {U256(1), U256(1)}));
}

TEST(ChainSnapshotMapping, CopiesTheWatchersState) {
  ChainState st;
  st.ready = true;
  st.block_number = 90;
  st.l1_block_number = 80;
  st.last_initialized_round = 7;
  st.last_initialized_block_hash[0] = 1;
  st.pre_last_initialized_block_hash[0] = 2;
  st.gas_price = U256(5);
  const ChainSnapshot c = chain_snapshot(st, U256(9));
  EXPECT_EQ(c.gas_price, U256(5));
  EXPECT_EQ(c.max_float, U256(9));
  EXPECT_EQ(c.last_l1_block, 80u);
  EXPECT_EQ(c.last_initialized_round, 7);
  EXPECT_EQ(c.last_initialized_block_hash[0], 1);
  EXPECT_EQ(c.pre_last_initialized_block_hash[0], 2);
  WatchedSender w;
  w.info.deposit = U256(3);
  w.info.reserve_funds_remaining = U256(4);
  w.info.withdraw_round = 6;
  const PaymentChainSnapshot p = payment_chain_snapshot(st, false, w);
  EXPECT_EQ(p.last_l1_block, 80u);
  EXPECT_EQ(p.last_initialized_round, 7);
  EXPECT_FALSE(p.orchestrator_active);
  ASSERT_TRUE(p.sender);
  EXPECT_EQ(p.sender->deposit, U256(3));
  EXPECT_EQ(p.sender->reserve, U256(4));
  EXPECT_EQ(p.sender->withdraw_round, U256(6));
  EXPECT_FALSE(payment_chain_snapshot(st, true, std::nullopt).sender);
}

class PaymentServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::lpchain_source().empty()) return;
    auto started = test::Devnet::start();
    if (!started) {
      setup_error_ = started.error().message;
      return;
    }
    devnet_ = std::move(*started);
    chain_ = std::make_unique<test::DevnetChain>(devnet_->info());
    try {
      // scenario.js (a) and (b), as test_ticket_redeemer.cpp does.
      chain_->fresh_round();
      chain_->bond_orchestrator("orchestrator", kBond, 100000, 500000);
      chain_->fund_sender("broadcaster", times(kEther, 2), kEther);
    } catch (const std::exception& e) {
      setup_error_ = std::string("preparing the chain: ") + e.what();
    }
  }
  static void TearDownTestSuite() {
    chain_.reset();
    devnet_.reset();
  }

  void SetUp() override {
    if (test::lpchain_source().empty()) GTEST_SKIP() << test::kNoLpchain;
    ASSERT_TRUE(devnet_ && setup_error_.empty()) << "the devnet is not ready: " << setup_error_;
    std::string tmpl = (fs::temp_directory_path() / "lp-payment-service-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(tmpl.data()));
    dir_ = tmpl;
    ASSERT_NO_THROW(chain_->fresh_round());
  }
  void TearDown() override {
    if (HasFailure() && devnet_) ADD_FAILURE() << "node log (" << devnet_->dir() << "):\n" << devnet_->node_log_tail();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static const test::DevnetInfo& info() { return devnet_->info(); }
  static eth::Address addr(const char* role) { return info().account(role).address; }
  static const eth::Address& contract(const char* name) { return info().contract(name); }
  static void mine(uint64_t n) { chain_->mine(n); }
  static uint64_t head() { return chain_->head(); }
  static void ensure_initialized() { chain_->ensure_initialized(); }
  static U256 deposit() { return chain_->sender_info("broadcaster").deposit; }
  static bool eventually(const std::function<bool()>& cond, int seconds = 60) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return cond();
  }

  PaymentConfig config() const {
    PaymentConfig c;
    c.eth_url = info().rpc_url;
    c.controller = info().controller;
    c.key.emplace(info().account("orchestrator").key());
    c.data_dir = dir_;
    c.price_per_unit = 1000;
    c.pixels_per_unit = 1;
    c.price_per_gateway.push_back(GatewayPrice{addr("spare"), 3, 2});
    c.ticket_ev = kEv;
    c.max_face_value = kFace;
    c.auto_adjust_price = false;
    c.block_polling_interval = std::chrono::milliseconds(100);
    c.redeemer.tick_interval = std::chrono::milliseconds(300);
    c.redeemer.poll_interval = std::chrono::milliseconds(100);
    c.redeemer.retry_delay = std::chrono::milliseconds(200);
    return c;
  }

  // Winning tickets in the store, read by a second, read-only connection.
  int64_t stored_winners() const {
    sqlite3* db = nullptr;
    const std::string path = dir_ + "/payments/tickets.sqlite";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_stmt* st = nullptr;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM winning_tickets", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }

  static inline std::unique_ptr<test::Devnet> devnet_;
  static inline std::unique_ptr<test::DevnetChain> chain_;
  static inline std::string setup_error_;
  std::string dir_;
};

// net::TicketParams back into what the gateway's ticket code takes.
TicketParams from_net(const net::TicketParams& tp, const Price& price) {
  const auto num = [](const std::string& b) {
    return U256::from_bytes({reinterpret_cast<const uint8_t*>(b.data()), b.size()}).value();
  };
  TicketParams p;
  std::copy(tp.recipient().begin(), tp.recipient().end(), p.recipient.bytes.begin());
  p.face_value = num(tp.face_value());
  p.win_prob = num(tp.win_prob());
  std::copy(tp.recipient_rand_hash().begin(), tp.recipient_rand_hash().end(), p.recipient_rand_hash.begin());
  p.seed = num(tp.seed());
  p.expiration_block = num(tp.expiration_block());
  p.price = price;
  p.expiration_params.creation_round = tp.expiration_params().creation_round();
  const std::string& h = tp.expiration_params().creation_round_block_hash();
  std::copy(h.begin(), h.end(), p.expiration_params.creation_round_block_hash.begin());
  return p;
}

TEST_F(PaymentServiceTest, PaysCreditsDebitsStoresAndRedeems) {
  auto started = PaymentService::start(config());
  ASSERT_TRUE(started) << started.error().message;
  std::unique_ptr<PaymentService> service = std::move(*started);
  ASSERT_TRUE(eventually([&] { return service->status().chain_reachable; })) << service->status().chain_error;
  EXPECT_EQ(service->recipient(), addr("orchestrator"));
  EXPECT_EQ(service->contracts().ticket_broker, contract("TicketBroker"));

  const eth::Address bcast = addr("broadcaster");
  // Prices: the base for the broadcaster, its own for the gateway that has one.
  const net::PriceInfo pi = ok(service->price_info(bcast), "price_info");
  EXPECT_EQ(pi.priceperunit(), 1000);
  EXPECT_EQ(pi.pixelsperunit(), 1);
  const net::PriceInfo spare = ok(service->price_info(addr("spare")), "price_info");
  EXPECT_EQ(spare.priceperunit(), 3);
  EXPECT_EQ(spare.pixelsperunit(), 2);

  // Ticket params: face value capped at -maxFaceValue, win probability for the EV.
  net::PriceInfo zero_pixels = pi;
  zero_pixels.set_pixelsperunit(0);
  EXPECT_FALSE(service->ticket_params(bcast, zero_pixels));
  const net::TicketParams tp = ok(service->ticket_params(bcast, pi), "ticket_params");
  const Price price{1000, 1};
  const TicketParams params = from_net(tp, price);
  EXPECT_EQ(params.recipient, addr("orchestrator"));
  EXPECT_EQ(params.face_value, kFace);
  EXPECT_EQ(params.win_prob, win_prob_for(kEv, kFace).value());
  const ChainState state = service->watcher().snapshot();
  EXPECT_EQ(params.expiration_block, U256(state.l1_block_number + kParamsExpirationBlocks));
  EXPECT_EQ(params.expiration_params.creation_round, static_cast<int64_t>(state.last_initialized_round));
  // An unfunded sender gets no face value it could not cover.
  EXPECT_FALSE(service->ticket_params(addr("spare"), pi));

  // A payment of 8 tickets signed by the broadcaster.
  const eth::PrivateKey bkey = info().account("broadcaster").key();
  net::Payment payment = payment_for(params, bcast);
  const int kTickets = 8;
  for (uint32_t n = 1; n <= kTickets; ++n) {
    const eth::Signature sig = sign_ticket(bkey, ticket_for(params, bcast, n));
    net::TicketSenderParams* t = payment.add_ticket_sender_params();
    t->set_sender_nonce(n);
    t->set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
  }
  const std::string stream = "manifest-1";
  EXPECT_FALSE(service->sufficient_balance(bcast, stream)) << "nothing paid yet";
  const ProcessedPayment paid = ok(service->process_payment(payment_header(payment), stream), "process_payment");
  EXPECT_EQ(paid.outcome.tickets_credited, static_cast<size_t>(kTickets));
  EXPECT_EQ(paid.outcome.refusal(), nullptr) << paid.outcome.refusal()->message;
  EXPECT_EQ(paid.outcome.price, price);
  const size_t winners = paid.outcome.winners.size();
  ASSERT_GE(winners, 2u) << "win probability 0.9: several should win";
  EXPECT_EQ(paid.new_winners, winners);
  // Durable before process_payment returned: another connection sees them.
  EXPECT_EQ(stored_winners(), static_cast<int64_t>(winners));

  // Credited exactly the tickets' EV.
  TicketEv expected;
  for (int i = 0; i < kTickets; ++i) expected = add_ev(expected, ticket_ev(kFace, params.win_prob)).value();
  std::optional<Wei> bal = service->balance(bcast, stream);
  ASSERT_TRUE(bal);
  EXPECT_EQ(bal->whole, static_cast<Int128>(*expected.whole.to_u64()));
  EXPECT_EQ(bal->ev_frac, expected.frac);
  EXPECT_TRUE(service->sufficient_balance(bcast, stream));
  EXPECT_FALSE(service->sufficient_balance(bcast, "another-stream"));
  EXPECT_FALSE(service->sufficient_balance(addr("spare"), stream));

  // A replay: refused ticket by ticket, nothing credited, no new winner.
  const ProcessedPayment replay = ok(service->process_payment(payment, stream), "replay");
  EXPECT_EQ(replay.outcome.tickets_credited, 0u);
  ASSERT_NE(replay.outcome.refusal(), nullptr);
  EXPECT_EQ(replay.new_winners, 0u);
  EXPECT_EQ(service->balance(bcast, stream)->whole, bal->whole);
  EXPECT_EQ(stored_winners(), static_cast<int64_t>(winners));

  // Debits: pixels * 1000 wei, then down below the EV.
  ASSERT_TRUE(service->debit(bcast, stream, 1'000'000));
  EXPECT_EQ(service->balance(bcast, stream)->whole, bal->whole - 1'000'000'000);
  const Int128 left = service->balance(bcast, stream)->whole;
  const auto pixels = static_cast<int64_t>((left - static_cast<Int128>(*kEv.to_u64())) / 1000 + 1);
  ASSERT_TRUE(service->debit(bcast, stream, pixels));
  EXPECT_FALSE(service->sufficient_balance(bcast, stream)) << "insufficient balance";
  EXPECT_TRUE(service->price_info(bcast, stream)) << "the stream's fixed price";

  PaymentStatus s = service->status();
  EXPECT_EQ(s.tickets_received, static_cast<uint64_t>(kTickets));
  EXPECT_EQ(s.winning_tickets, winners);
  EXPECT_EQ(s.tickets_pending, static_cast<int64_t>(winners));
  EXPECT_EQ(s.pending_face_value, times(kFace, winners));
  EXPECT_EQ(s.tickets_redeemed, 0) << "redeemed before the params expired";
  EXPECT_GE(s.latest_block, state.block_number);
  EXPECT_GT(s.current_round, 0u);

  // The params expire: the redeemer (woken by the watcher) redeems every winner.
  const U256 deposit0 = deposit();
  const uint64_t expiry = *params.expiration_block.to_u64();
  if (head() < expiry) mine(expiry - head());
  ensure_initialized();
  ASSERT_TRUE(eventually([&] { return service->status().tickets_redeemed == static_cast<int64_t>(winners); }, 120))
      << service->status().redeemer.last_error;
  s = service->status();
  EXPECT_EQ(s.value_redeemed, times(kFace, winners));
  EXPECT_EQ(s.pending_face_value, U256(0));
  EXPECT_EQ(s.tickets_failed, 0);
  EXPECT_EQ(s.redeemer.redeemed, winners);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), times(kFace, winners).to_dec());
  service.reset();  // joins the watcher, then the redeemer
}

TEST_F(PaymentServiceTest, AutoAdjustedPriceAndRestartKeepsTheSecret) {
  PaymentConfig c = config();
  c.auto_adjust_price = true;
  auto started = PaymentService::start(std::move(c));
  ASSERT_TRUE(started) << started.error().message;
  std::unique_ptr<PaymentService> service = std::move(*started);
  ASSERT_TRUE(eventually([&] { return service->status().chain_reachable; }));
  const ChainState state = service->watcher().snapshot();
  TicketParamsConfig pc;
  pc.ev = kEv;
  pc.redeem_gas = 1'200'000;
  pc.max_face_value = kFace;
  const U256 max_float = ok(service->watcher().max_float(addr("broadcaster"), U256(0)), "max_float");
  const TxCostRatio ratio = ok(tx_cost_multiplier(pc, state.gas_price, max_float), "ratio");
  const Price want = ok(auto_adjusted_price({1000, 1}, ratio), "adjusted");
  const net::PriceInfo pi = ok(service->price_info(addr("broadcaster")), "price_info");
  EXPECT_EQ(pi.priceperunit(), want.num);
  EXPECT_EQ(pi.pixelsperunit(), want.den);
  EXPECT_GT(static_cast<double>(want.num) / static_cast<double>(want.den), 1000.0) << "the tx cost adds overhead";
  // An unfunded gateway gets no price when its reserve cannot cover a face value.
  EXPECT_FALSE(service->price_info(addr("spare")));
  const Price price{pi.priceperunit(), pi.pixelsperunit()};
  const TicketParams params = ok(service->make_params(addr("broadcaster"), price), "make_params");
  service.reset();

  // A restart over the same data dir keeps the secret: tickets for the params issued before it
  // still pass the recipientRand check.
  auto again = PaymentService::start(config());
  ASSERT_TRUE(again) << again.error().message;
  service = std::move(*again);
  ASSERT_TRUE(eventually([&] { return service->status().chain_reachable; }));
  const eth::PrivateKey bkey = info().account("broadcaster").key();
  net::Payment payment = payment_for(params, addr("broadcaster"));
  const eth::Signature sig = sign_ticket(bkey, ticket_for(params, addr("broadcaster"), 1));
  net::TicketSenderParams* t = payment.add_ticket_sender_params();
  t->set_sender_nonce(1);
  t->set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
  const ProcessedPayment paid = ok(service->process_payment(payment, "after-restart"), "process_payment");
  EXPECT_EQ(paid.outcome.tickets_credited, 1u);
  EXPECT_EQ(paid.outcome.refusal(), nullptr) << paid.outcome.refusal()->message;
  EXPECT_TRUE(service->sufficient_balance(addr("broadcaster"), "after-restart"));
  EXPECT_EQ(service->store().path(), dir_ + "/payments/tickets.sqlite");
}

}  // namespace
}  // namespace lp::pm
