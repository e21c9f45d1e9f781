// ChainWatcher against the lpchain devnet (hardhat + Livepeer's contracts, tests/support/devnet.h),
// started once for this binary: its snapshot against direct EthRpc reads, new blocks and rounds,
// senders' deposits and max float (go-livepeer's sendermonitor formula), and the node pausing,
// coming back and going away. The tests run in order: the last one stops the node.
#include <gio/gio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "abi.h"
#include "chain_watcher.h"
#include "contracts.h"
#include "devnet.h"
#include "eth_rpc.h"
#include "tx_sender.h"

namespace lp::pm {
namespace {

using chain::U256;
using namespace std::chrono_literals;

const U256 kEther = U256(1'000'000'000'000'000'000ull);

U256 dec(const char* text) { return U256::from_dec(text).value(); }

// Polls `done` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

WatchedSender sender_with(const char* deposit, const char* funds, const char* claimed_round, const char* claimed_us) {
  WatchedSender s;
  s.info.deposit = dec(deposit);
  s.info.reserve_funds_remaining = dec(funds);
  s.info.reserve_claimed_in_current_round = dec(claimed_round);
  s.claimed_reserve = dec(claimed_us);
  return s;
}

TEST(MaxFloat, FollowsSenderMonitor) {
  // reserveAlloc = (1000 + 200) / 3 - 100 = 300.
  const WatchedSender s = sender_with("900", "1000", "200", "100");
  EXPECT_EQ(reserve_alloc(s, 3), U256(300));
  EXPECT_EQ(reserve_alloc(s, 0), U256(0)) << "an empty pool allocates nothing";
  EXPECT_EQ(reserve_alloc(sender_with("0", "10", "0", "6"), 2), U256(0)) << "claimed past the share: 0, not negative";
  EXPECT_EQ(max_float_for(s, 3, U256(0)), U256(300));
  // deposit / pending >= 3: pending ignored; below it: subtracted.
  EXPECT_EQ(max_float_for(s, 3, U256(300)), U256(300)) << "900 / 300 = 3";
  EXPECT_EQ(max_float_for(s, 3, U256(301)), U256(0)) << "900 / 301 < 3";
  EXPECT_EQ(max_float_for(s, 3, U256(250)), U256(300));
  EXPECT_EQ(max_float_for(sender_with("500", "1000", "200", "100"), 3, U256(200)), U256(100)) << "500 / 200 < 3";
  EXPECT_EQ(max_float_for(sender_with("0", "1000", "200", "100"), 3, U256::max()), U256(0));
}

class ChainWatcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::lpchain_source().empty()) return;
    auto started = test::Devnet::start();
    if (!started) {
      start_error_ = started.error().message;
      return;
    }
    devnet_ = std::move(*started);
  }
  static void TearDownTestSuite() { devnet_.reset(); }

  void SetUp() override {
    if (test::lpchain_source().empty()) GTEST_SKIP() << test::kNoLpchain;
    ASSERT_TRUE(devnet_) << "the devnet did not start: " << start_error_;
    rpc_ = std::make_unique<chain::EthRpc>(info().rpc_url);
  }
  void TearDown() override {
    if (HasFailure() && devnet_) ADD_FAILURE() << "node log (" << devnet_->dir() << "):\n" << devnet_->node_log_tail();
  }

  static const test::DevnetInfo& info() { return devnet_->info(); }

  ChainWatcherConfig config(std::chrono::milliseconds interval = 100ms) const {
    ChainWatcherConfig c;
    c.eth_url = info().rpc_url;
    c.controller = info().controller;
    c.claimant = info().account("orchestrator").address;
    c.poll_interval = interval;
    return c;
  }

  static bool ready(const ChainWatcher& w) { return w.snapshot().ready; }

  void mine(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) ASSERT_TRUE(rpc_->request("evm_mine", "[]"));
  }
  uint64_t head() { return rpc_->block_number().value(); }

  void send(const std::string& role, const eth::Address& to, const chain::Bytes& data, const U256& value = U256(0)) {
    const auto key = info().account(role).key();
    chain::TxSender sender(*rpc_, key);
    auto r = sender.send_and_wait({to, value, data, std::nullopt});
    ASSERT_TRUE(r) << r.error().message;
  }

  // scenario.js's ensureInitialized / nextRound: initialize the current round if nobody has (a
  // transaction lands in the next block: if that starts a round, mine it first), or mine to the
  // first block of the next round and initialize that.
  void initialize_round(bool next) {
    chain::RoundsManager rounds(*rpc_, info().contract("RoundsManager"));
    const uint64_t len = rounds.round_length().value();
    uint64_t start = rounds.current_round_start_block().value();
    if (next) mine(start + len - head());
    start = rounds.current_round_start_block().value();
    if (head() + 1 >= start + len) mine(1);
    if (rounds.current_round_initialized().value()) return;
    send("deployer", rounds.address(), chain::abi::encode_call("initializeRound", {}));
  }

  chain::Bytes call(const char* name, std::vector<chain::abi::Value> args) {
    return chain::abi::encode_call(name, args);
  }

  static inline std::unique_ptr<test::Devnet> devnet_;
  static inline std::string start_error_;
  std::unique_ptr<chain::EthRpc> rpc_;
};

TEST_F(ChainWatcherTest, SnapshotBecomesReadyWithTheChainsValues) {
  ChainWatcher w(config());
  ASSERT_TRUE(eventually([&] { return ready(w); })) << (w.last_error() ? w.last_error()->message : "");
  const ChainState s = w.snapshot();
  EXPECT_FALSE(w.last_error());

  // Nothing mines on its own (block time 0): direct reads see the same chain.
  chain::RoundsManager rounds(*rpc_, info().contract("RoundsManager"));
  chain::BondingManager bonding(*rpc_, info().contract("BondingManager"));
  auto block = rpc_->get_block(chain::BlockId::latest());
  ASSERT_TRUE(block) << block.error().message;
  EXPECT_EQ(s.block_number, block->number);
  EXPECT_EQ(s.block_hash, block->hash);
  EXPECT_EQ(s.l1_block_number, block->number) << "an L1 chain: no l1BlockNumber";
  EXPECT_EQ(s.contracts.ticket_broker, info().contract("TicketBroker"));
  EXPECT_EQ(s.contracts.rounds_manager, info().contract("RoundsManager"));
  EXPECT_EQ(s.current_round, rounds.current_round().value());
  EXPECT_EQ(s.current_round_initialized, rounds.current_round_initialized().value());
  EXPECT_EQ(s.current_round_start_block, rounds.current_round_start_block().value());
  EXPECT_EQ(s.last_initialized_round, rounds.last_initialized_round().value());
  EXPECT_EQ(s.last_initialized_block_hash, rounds.block_hash_for_round(s.last_initialized_round).value());
  EXPECT_EQ(static_cast<int64_t>(s.round_length), info().params.at("roundLength"));
  EXPECT_EQ(s.transcoder_pool_size, bonding.get_transcoder_pool_size().value());
  EXPECT_EQ(s.gas_price, rpc_->gas_price().value());
  EXPECT_FALSE(s.gas_price.is_zero());
  EXPECT_GE(s.polls, 1u);
  EXPECT_EQ(s.consecutive_failures, 0u);
}

TEST_F(ChainWatcherTest, MinedBlockIsSeenAndFiresOnNewBlock) {
  ChainWatcher w(config());
  std::mutex m;
  std::vector<uint64_t> seen;  // guarded by m
  w.on_new_block([&](const ChainState& s) {
    std::lock_guard lock(m);
    seen.push_back(s.block_number);
  });
  ASSERT_TRUE(eventually([&] { return ready(w); }));
  mine(1);
  const uint64_t mined = head();
  // Within a few intervals (100 ms each).
  ASSERT_TRUE(eventually([&] { return w.snapshot().block_number == mined; }, 3s));
  auto block = rpc_->get_block(mined);
  ASSERT_TRUE(block);
  EXPECT_EQ(w.snapshot().block_hash, block->hash);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(m);
    return !seen.empty() && seen.back() == mined;
  }));
  std::lock_guard lock(m);
  EXPECT_GE(seen.size(), 2u) << "the first poll counts as a new block too";
}

TEST_F(ChainWatcherTest, NewRoundFiresOnNewRoundAndUpdatesTheRound) {
  initialize_round(false);
  ChainWatcher w(config());
  ASSERT_TRUE(eventually([&] { return ready(w); }));
  const uint64_t before = w.snapshot().last_initialized_round;
  std::mutex m;
  std::vector<uint64_t> rounds_seen;  // guarded by m
  auto id = w.on_new_round([&](const ChainState& s) {
    std::lock_guard lock(m);
    rounds_seen.push_back(s.last_initialized_round);
  });

  initialize_round(true);
  chain::RoundsManager rounds(*rpc_, info().contract("RoundsManager"));
  const uint64_t round = rounds.last_initialized_round().value();
  ASSERT_EQ(round, before + 1);
  ASSERT_TRUE(eventually(
      [&] {
        std::lock_guard lock(m);
        return !rounds_seen.empty() && rounds_seen.back() == round;
      },
      3s));
  const ChainState s = w.snapshot();
  EXPECT_EQ(s.last_initialized_round, round);
  EXPECT_EQ(s.current_round, round);
  EXPECT_TRUE(s.current_round_initialized);
  const eth::Digest hash = rounds.block_hash_for_round(round).value();
  EXPECT_NE(hash, eth::Digest{});
  EXPECT_EQ(s.last_initialized_block_hash, hash);
  EXPECT_EQ(s.pre_last_initialized_block_hash, rounds.block_hash_for_round(round - 1).value());
  EXPECT_EQ(s.current_round_start_block, rounds.current_round_start_block().value());

  // Removed: not called again.
  w.remove_callback(id);
  const size_t calls = rounds_seen.size();
  initialize_round(true);
  ASSERT_TRUE(eventually([&] { return w.snapshot().last_initialized_round == round + 1; }, 3s));
  std::lock_guard lock(m);
  EXPECT_EQ(rounds_seen.size(), calls);
}

TEST_F(ChainWatcherTest, FundedSenderAndMaxFloatMatchTheChain) {
  const test::DevnetAccount& orch = info().account("orchestrator");
  const test::DevnetAccount& b = info().account("broadcaster");
  chain::BondingManager bonding(*rpc_, info().contract("BondingManager"));
  chain::TicketBroker broker(*rpc_, info().contract("TicketBroker"));
  // Bond the orchestrator to itself (pool size 1) well before the round lock (the last 10% of
  // the round), then fund the broadcaster.
  initialize_round(true);
  const U256 stake = U256::checked_mul(kEther, U256(1000)).value();
  send("orchestrator", info().contract("LivepeerToken"),
       call("approve", {chain::abi::Value::address(bonding.address()), chain::abi::Value::uint256(stake)}));
  send("orchestrator", bonding.address(),
       call("bond", {chain::abi::Value::uint256(stake), chain::abi::Value::address(orch.address)}));
  const uint64_t pool = bonding.get_transcoder_pool_size().value();
  ASSERT_EQ(pool, 1u);
  const U256 deposit = kEther, reserve = dec("500000000000000000");
  send("broadcaster", broker.address(),
       call("fundDepositAndReserve", {chain::abi::Value::uint256(deposit), chain::abi::Value::uint256(reserve)}),
       deposit + reserve);

  ChainWatcher w(config());
  ASSERT_TRUE(eventually([&] { return ready(w) && w.snapshot().transcoder_pool_size == pool; }));
  auto got = w.sender_info(b.address);
  ASSERT_TRUE(got) << got.error().message;
  const chain::SenderInfo raw = broker.get_sender_info(b.address).value();
  const U256 claimed = broker.claimed_reserve(b.address, orch.address).value();
  EXPECT_EQ(got->info.deposit, raw.deposit);
  EXPECT_GE(raw.deposit, deposit);
  EXPECT_EQ(got->info.reserve_funds_remaining, raw.reserve_funds_remaining);
  EXPECT_EQ(got->info.reserve_claimed_in_current_round, raw.reserve_claimed_in_current_round);
  EXPECT_EQ(got->info.withdraw_round, raw.withdraw_round);
  EXPECT_EQ(got->claimed_reserve, claimed);

  // sendermonitor: reserveAlloc = (fundsRemaining + claimedInCurrentRound) / poolSize - claimed;
  // maxFloat = reserveAlloc when deposit / pending >= 3, else reserveAlloc - pending.
  const U256 alloc =
      U256::divmod(raw.reserve_funds_remaining + raw.reserve_claimed_in_current_round, U256(pool)).quotient - claimed;
  EXPECT_EQ(alloc, reserve);
  EXPECT_EQ(w.max_float(b.address, U256(0)).value(), alloc);
  const U256 third = U256::divmod(raw.deposit, U256(3)).quotient;  // deposit / third >= 3
  EXPECT_EQ(w.max_float(b.address, third).value(), alloc);
  const U256 more = third + U256(1);  // the ratio drops below 3
  EXPECT_EQ(w.max_float(b.address, more).value(), alloc > more ? alloc - more : U256(0));
  const U256 half = U256::divmod(alloc, U256(2)).quotient;
  if (U256::checked_mul(half, U256(3)).value() > raw.deposit) {
    EXPECT_EQ(w.max_float(b.address, half).value(), alloc - half);
  }

  // A deposit made now is seen from its DepositFunded event, well before the round ends.
  send("broadcaster", broker.address(), call("fundDeposit", {}), kEther);
  const U256 now_deposit = broker.get_sender_info(b.address).value().deposit;
  EXPECT_EQ(now_deposit, raw.deposit + kEther);
  EXPECT_TRUE(eventually([&] { return w.sender_info(b.address).value().info.deposit == now_deposit; }, 3s));
}

TEST_F(ChainWatcherTest, UnknownSenderReadsZeros) {
  ChainWatcher w(config());
  ASSERT_TRUE(eventually([&] { return ready(w); }));
  eth::Address nobody;
  nobody.bytes.fill(0x5a);
  auto got = w.sender_info(nobody);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->info.deposit.is_zero());
  EXPECT_TRUE(got->info.reserve_funds_remaining.is_zero());
  EXPECT_TRUE(got->info.reserve_claimed_in_current_round.is_zero());
  EXPECT_EQ(got->info.withdraw_round, 0u);
  EXPECT_TRUE(got->claimed_reserve.is_zero());
  EXPECT_EQ(w.max_float(nobody, U256(0)).value(), U256(0));
  EXPECT_EQ(w.max_float(nobody, kEther).value(), U256(0));
}

// SIGSTOP on the hardhat node: connections are accepted and never answered (a node that hangs).
class PausedNode {
 public:
  explicit PausedNode(const std::string& dir) {
    std::ifstream in(dir + "/run/node.pid");
    in >> pid_;
    if (pid_ > 0 && kill(pid_, SIGSTOP) != 0) pid_ = 0;
  }
  ~PausedNode() { resume(); }
  bool paused() const { return pid_ > 0; }
  void resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
};

TEST_F(ChainWatcherTest, HungNodeTimesOutNamingTheUrlAndIsFollowedWhenItReturns) {
  ChainWatcherConfig c = config();
  c.rpc.timeout = 1000ms;
  ChainWatcher w(c);
  ASSERT_TRUE(eventually([&] { return ready(w); }));
  const uint64_t before = w.snapshot().block_number;
  {
    PausedNode paused(devnet_->dir());
    ASSERT_TRUE(paused.paused());
    ASSERT_TRUE(eventually([&] { return w.last_error().has_value(); }, 5s));
    const Error e = *w.last_error();
    EXPECT_EQ(e.code, ErrorCode::Timeout) << e.message;
    EXPECT_NE(e.message.find(info().rpc_url), std::string::npos) << e.message;
    EXPECT_TRUE(w.snapshot().ready) << "the last values stay";
    EXPECT_GE(w.snapshot().consecutive_failures, 1u);

    eth::Address someone;
    someone.bytes.fill(0x77);
    auto refused = w.sender_info(someone);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(someone.checksummed()), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find(info().rpc_url), std::string::npos) << refused.error().message;

    // Destroyed while its first poll waits on the hung node (30 s timeout): returns at once.
    ChainWatcherConfig patient = config();
    patient.rpc.timeout = 30000ms;
    auto stuck = std::make_unique<ChainWatcher>(patient);
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(stuck->snapshot().ready);
    const auto t0 = std::chrono::steady_clock::now();
    stuck.reset();
    EXPECT_LT(seconds_since(t0), 1.0);
  }
  mine(1);
  const uint64_t mined = head();
  EXPECT_GT(mined, before);
  ASSERT_TRUE(eventually([&] { return !w.last_error() && w.snapshot().block_number == mined; }, 5s))
      << (w.last_error() ? w.last_error()->message : "no error, block " + std::to_string(w.snapshot().block_number));
  EXPECT_EQ(w.snapshot().consecutive_failures, 0u);
}

TEST_F(ChainWatcherTest, DestroyedPromptlyWhileItsFirstPollRuns) {
  for (int i = 0; i < 5; ++i) {
    auto w = std::make_unique<ChainWatcher>(config(5000ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(i * 7));
    const auto t0 = std::chrono::steady_clock::now();
    w.reset();
    EXPECT_LT(seconds_since(t0), 1.0);
  }
  // And between polls, in a long interval.
  ChainWatcher w(config(60000ms));
  ASSERT_TRUE(eventually([&] { return ready(w); }));
}

// Last: stops the node for good.
TEST_F(ChainWatcherTest, StoppedNodeIsUnreachableNamingTheUrlAndPollingGoesOn) {
  auto w = std::make_unique<ChainWatcher>(config());
  ASSERT_TRUE(eventually([&] { return ready(*w); }));
  const ChainState before = w->snapshot();
  g_autofree char* out = nullptr;
  g_autofree char* err = nullptr;
  gint status = 0;
  const std::string stop = devnet_->dir() + "/stop.sh";
  const char* argv[] = {stop.c_str(), nullptr};
  ASSERT_TRUE(g_spawn_sync(nullptr, const_cast<char**>(argv), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                           &status, nullptr));
  ASSERT_TRUE(g_spawn_check_wait_status(status, nullptr)) << out << err;

  ASSERT_TRUE(eventually([&] { return w->last_error().has_value(); }, 5s));
  const Error e = *w->last_error();
  EXPECT_EQ(e.code, ErrorCode::Unreachable) << e.message;
  EXPECT_NE(e.message.find(info().rpc_url), std::string::npos) << e.message;
  const uint64_t polls = w->snapshot().polls;
  EXPECT_TRUE(eventually([&] { return w->snapshot().polls >= polls + 3; }, 5s)) << "it keeps polling";
  const ChainState after = w->snapshot();
  EXPECT_TRUE(after.ready);
  EXPECT_EQ(after.block_number, before.block_number);
  EXPECT_GE(after.consecutive_failures, 3u);
  const auto t0 = std::chrono::steady_clock::now();
  w.reset();
  EXPECT_LT(seconds_since(t0), 1.0);
}

}  // namespace
}  // namespace lp::pm
