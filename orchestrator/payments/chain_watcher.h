// What the payment code needs to know about the chain, kept fresh by polling the node: the latest
// block, Livepeer's rounds, the gas price and the transcoder pool size (go-livepeer's
// eth/blockwatch + eth/watchers/timewatcher.go), and per-sender deposit and reserve
// (eth/watchers/senderwatcher.go) with the max float built from them (pm/sendermonitor.go).
//
// go-livepeer follows contract events block by block; lpgst polls the same values instead, once
// per interval (-blockPollingInterval, 5 s): cheaper to get right, and every value is re-read
// rather than derived. Senders are the exception: their cache is re-read when a TicketBroker event
// names them (DepositFunded, ReserveFunded, WinningTicketTransfer, Unlock, Withdrawal, ...), when
// a round starts, and after sender_max_age.
//
// Threads: one polling thread, owned and joined by the ChainWatcher; its destructor cancels the
// RPC in flight and returns at once. snapshot(), sender_info(), max_float() and last_error() may
// be called from any thread; sender_info() and max_float() block on the node for a sender not yet
// cached (as go-livepeer's GetSenderInfo does), so not on a main loop.
// Other threads must be done calling it before it is destroyed.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "address.h"
#include "contracts.h"
#include "error.h"
#include "eth_rpc.h"
#include "u256.h"

namespace lp::pm {

struct ChainWatcherConfig {
  std::string eth_url;      // -ethUrl
  eth::Address controller;  // -ethController: the contracts' addresses are read from it
  // The ticket recipient (our account or -ethOrchAddr): its claimedReserve per sender is tracked.
  eth::Address claimant;
  std::chrono::milliseconds poll_interval{5000};  // go-livepeer's -blockPollingInterval default
  chain::RpcOptions rpc{std::chrono::milliseconds(10000)};
  // Senders cached at most; the least recently used goes first.
  size_t max_senders = 1000;
  // A sender nobody asked about for this long is dropped (go-livepeer's smTTL, 60 s).
  std::chrono::milliseconds sender_idle_ttl{60000};
  // A cached sender is re-read in the background once this old, events or not.
  std::chrono::milliseconds sender_max_age{300000};
  // TicketBroker events are read for at most this many new blocks per poll; after a longer gap
  // (the node was away) every cached sender is re-read instead.
  uint64_t max_log_blocks = 1000;
};

// The chain as the last successful poll saw it. Everything is zero until `ready`.
struct ChainState {
  bool ready = false;
  chain::LivepeerContracts contracts;
  uint64_t block_number = 0;  // the node's latest block
  eth::Digest block_hash{};
  // The L1 block of the latest block: its l1BlockNumber on Arbitrum, else block_number
  // (blockwatch's MiniHeader.L1BlockNumber; tickets expire by it).
  uint64_t l1_block_number = 0;
  uint64_t current_round = 0;
  bool current_round_initialized = false;
  uint64_t current_round_start_block = 0;
  uint64_t last_initialized_round = 0;
  eth::Digest last_initialized_block_hash{};  // blockHashForRound(last_initialized_round)
  // blockHashForRound(last_initialized_round - 1): what ticket params fall back on when the
  // last one is zero (timewatcher's preLastInitializedL1BlockHash).
  eth::Digest pre_last_initialized_block_hash{};
  uint64_t round_length = 0;  // blocks
  chain::U256 gas_price;      // eth_gasPrice
  uint64_t transcoder_pool_size = 0;
  // Poll attempts so far, and failed ones in a row (0 while the node answers).
  uint64_t polls = 0;
  uint64_t consecutive_failures = 0;
};

// One sender as TicketBroker sees it, and what our claimant took from its reserve this round.
struct WatchedSender {
  chain::SenderInfo info;  // deposit, withdrawRound, reserve fundsRemaining, claimedInCurrentRound
  chain::U256 claimed_reserve;
};

// sendermonitor's reserveAlloc: (fundsRemaining + claimedInCurrentRound) / poolSize -
// claimedReserve; 0 with an empty pool. Go's big.Int goes negative when the claimant took more
// than its share; here that is 0, which refuses the same face values.
chain::U256 reserve_alloc(const WatchedSender& sender, uint64_t pool_size);
// sendermonitor's maxFloat: reserveAlloc while deposit / pending >= 3 (minDepositPendingRatio;
// with nothing pending the ratio counts as 0), else reserveAlloc - pending (0 at the least).
// `pending` is the face value of this sender's tickets being redeemed now.
chain::U256 max_float_for(const WatchedSender& sender, uint64_t pool_size, const chain::U256& pending);

class ChainWatcher {
 public:
  using Callback = std::function<void(const ChainState&)>;
  using CallbackId = uint64_t;

  // Starts polling at once; the first poll resolves the contracts through the Controller. A node
  // that does not answer is retried every interval (see last_error()).
  explicit ChainWatcher(ChainWatcherConfig config);
  ~ChainWatcher();  // cancels the RPC in flight and joins the thread: returns promptly
  ChainWatcher(const ChainWatcher&) = delete;
  ChainWatcher& operator=(const ChainWatcher&) = delete;

  const ChainWatcherConfig& config() const { return config_; }

  ChainState snapshot() const;
  // Why the latest poll failed (naming the node's URL), or nullopt once a poll succeeds. The
  // watcher keeps polling; the failure is logged once per streak of failures.
  std::optional<Error> last_error() const;

  // The sender's cached state, read from the chain first when not cached (blocking). Errors name
  // the sender. A sender that never funded anything reads as zeros.
  Result<WatchedSender> sender_info(const eth::Address& sender);
  // max_float_for() with the cached sender and pool size. Unreachable while no poll succeeded.
  Result<chain::U256> max_float(const eth::Address& sender, const chain::U256& pending);

  // Called on the watcher thread, without the watcher's lock held (they may call snapshot() and
  // sender_info()), after the state they see is published. on_new_block: once per poll that finds
  // a new latest block (several blocks mined since the last poll give one call). on_new_round:
  // when last_initialized_round changes (go-livepeer's NewRound event). Both fire on the first
  // successful poll too. Callbacks must return quickly: destruction waits for one in progress.
  CallbackId on_new_block(Callback callback);
  CallbackId on_new_round(Callback callback);
  // After it returns, that callback is not running and will not be called again (from inside a
  // callback: not called again).
  void remove_callback(CallbackId id);

 private:
  struct Head {
    uint64_t number = 0;
    eth::Digest hash{};
    uint64_t l1_number = 0;
  };
  struct CachedSender {
    WatchedSender value;
    std::chrono::steady_clock::time_point fetched_at;
    std::chrono::steady_clock::time_point used_at;
    bool stale = false;  // re-read on the next poll
    std::list<eth::Address>::iterator lru;
  };
  struct Subscriber {
    CallbackId id = 0;
    bool rounds = false;  // on_new_round, else on_new_block
    Callback callback;
  };
  using SenderKey = std::array<uint8_t, 20>;

  void run();
  Result<void> poll_once();
  Result<Head> latest_head();
  Result<chain::LivepeerContracts> contracts(chain::EthRpc& rpc);
  Result<WatchedSender> fetch_sender(chain::EthRpc& rpc, const eth::Address& sender);
  // Stores a sender read while sender_generation_ was `generation`; a `refresh` only updates.
  void store_sender(const eth::Address& sender, const WatchedSender& value, uint64_t generation, bool refresh);
  Result<void> refresh_senders();
  void record(const Result<void>& polled);
  void dispatch(bool new_block, bool new_round, const ChainState& state);
  CallbackId subscribe(bool rounds, Callback callback);

  const ChainWatcherConfig config_;
  // Two connections: the poll's, and one for sender_info() callers, so a slow poll does not hold
  // up a segment's payment check (EthRpc runs one call at a time).
  std::unique_ptr<chain::EthRpc> poll_rpc_;
  std::unique_ptr<chain::EthRpc> fetch_rpc_;

  mutable std::mutex mutex_;      // guards everything below up to callbacks_mutex_
  std::condition_variable wake_;  // with mutex_: the wait between polls, cut short by stopping_
  bool stopping_ = false;
  ChainState state_;
  std::optional<chain::LivepeerContracts> contracts_;
  std::optional<Error> last_error_;
  std::map<SenderKey, CachedSender> senders_;
  std::list<eth::Address> lru_;  // most recently used first
  // Bumped when every cached sender goes stale (a new round, a reorg, a gap in the events): a
  // read begun before it is stored stale.
  uint64_t sender_generation_ = 0;

  std::mutex callbacks_mutex_;  // guards subscribers_ and next_callback_id_
  std::vector<Subscriber> subscribers_;
  CallbackId next_callback_id_ = 1;
  std::mutex dispatch_mutex_;  // held by the watcher thread while callbacks run
  std::atomic<std::thread::id> watcher_thread_id_{};

  std::thread thread_;  // the poll loop; joined by the destructor
};

}  // namespace lp::pm
