// An active orchestrator's once-a-round chain calls (go-livepeer's eth/rewardservice.go and
// roundinitializer.go): -initializeRound calls RoundsManager.initializeRound() when it sees a new round
// that nobody has initialized; -reward calls BondingManager.reward() once per
// round while the node is in the active set and has not been rewarded for the round.
//
// Threads: one worker (owned, joined by stop() and the destructor), woken by on_new_block() from
// the chain watcher's thread; it reads the state it was handed, asks the chain through its own
// EthRpc, and sends with the node's key under `key_mutex` (shared with the ticket redeemer).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "chain_watcher.h"
#include "eth_key.h"
#include "eth_rpc.h"

namespace lp::pm {

struct RoundDutiesOptions {
  bool reward = false;            // -reward
  bool initialize_round = false;  // -initializeRound
  std::string rpc_url;
  chain::RpcOptions rpc{std::chrono::milliseconds(10000)};
  eth::Address rounds_manager;
  eth::Address bonding_manager;
  std::mutex* key_mutex = nullptr;  // shared with every other sender of the key
  // Blocks a new round may stay uninitialized before this node initializes it (0: at once; a
  // chain that makes blocks only for transactions would otherwise wait forever).
  uint64_t initialize_after_blocks = 0;
};

struct RoundDutiesStats {
  uint64_t reward_calls = 0;        // reward() transactions mined
  uint64_t reward_errors = 0;       // reward_call_errors
  uint64_t last_reward_round = 0;   // the round our last reward() was for
  uint64_t rounds_initialized = 0;  // initializeRound() transactions mined
  uint64_t initialize_errors = 0;
  std::string last_error;
};

class RoundDuties {
 public:
  RoundDuties(const eth::PrivateKey& key, RoundDutiesOptions options);
  ~RoundDuties();
  RoundDuties(const RoundDuties&) = delete;
  RoundDuties& operator=(const RoundDuties&) = delete;

  void on_new_block(const ChainState& state);  // any thread; never blocks
  RoundDutiesStats stats() const;
  void stop();

 private:
  void run();
  void act(const ChainState& state);
  void initialize_if_due(const ChainState& state);
  void reward_if_due(const ChainState& state);
  Result<void> send(const eth::Address& to, const char* function);
  void note_error(uint64_t RoundDutiesStats::*counter, const std::string& what);

  const eth::PrivateKey& key_;
  const RoundDutiesOptions options_;
  std::unique_ptr<chain::EthRpc> rpc_;  // worker thread only

  std::mutex mutex_;  // guards next_, stopping_
  std::condition_variable wake_;
  std::optional<ChainState> next_;  // the latest state not acted on yet
  bool stopping_ = false;

  // Worker thread only.
  uint64_t rewarded_round_ = 0;       // a reward() for this round was mined (or found done)
  uint64_t reward_tried_block_ = 0;   // the block of the last reward attempt
  uint64_t uninitialized_since_ = 0;  // first block the current round was seen uninitialized
  uint64_t uninitialized_round_ = 0;

  mutable std::mutex stats_mutex_;  // guards stats_
  RoundDutiesStats stats_;
  std::thread thread_;  // owned; joined by stop()
};

}  // namespace lp::pm
