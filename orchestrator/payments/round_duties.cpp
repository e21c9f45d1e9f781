#include "round_duties.h"

#include <glib.h>

#include "abi.h"
#include "contracts.h"
#include "tx_sender.h"

namespace lp::pm {

RoundDuties::RoundDuties(const eth::PrivateKey& key, RoundDutiesOptions options)
    : key_(key),
      options_(std::move(options)),
      rpc_(std::make_unique<chain::EthRpc>(options_.rpc_url, options_.rpc)),
      thread_([this] { run(); }) {}

RoundDuties::~RoundDuties() { stop(); }

void RoundDuties::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RoundDuties::on_new_block(const ChainState& state) {
  {
    std::lock_guard lock(mutex_);
    next_ = state;  // a slow pass skips blocks: only the latest state matters
  }
  wake_.notify_one();
}

RoundDutiesStats RoundDuties::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void RoundDuties::run() {
  for (;;) {
    ChainState state;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || next_.has_value(); });
      if (stopping_) return;
      state = std::move(*next_);
      next_.reset();
    }
    if (state.ready) act(state);
  }
}

void RoundDuties::act(const ChainState& state) {
  if (options_.initialize_round) initialize_if_due(state);
  if (options_.reward) reward_if_due(state);
}

void RoundDuties::note_error(uint64_t RoundDutiesStats::*counter, const std::string& what) {
  g_warning("%s", what.c_str());
  std::lock_guard lock(stats_mutex_);
  ++(stats_.*counter);
  stats_.last_error = what;
}

Result<void> RoundDuties::send(const eth::Address& to, const char* function) {
  chain::TxSender sender(*rpc_, key_);
  const chain::TxRequest request{to, chain::U256(), chain::abi::encode_call(function, {}), std::nullopt};
  Result<chain::SentTx> sent = Error{ErrorCode::Internal, "not sent"};
  {
    std::unique_lock<std::mutex> key_lock;
    if (options_.key_mutex) key_lock = std::unique_lock(*options_.key_mutex);
    sent = sender.send(request);  // estimates first: a call that would revert is not sent
  }
  if (!sent) return sent.error();
  auto receipt = sender.wait(*sent, request);
  if (!receipt) return receipt.error();
  return {};
}

void RoundDuties::initialize_if_due(const ChainState& state) {
  // A transaction lands in the next block: when that block starts a new round, it is that round
  // which must be initialized (on a chain that makes blocks only for transactions, nobody else
  // would ever make the block that shows the new round uninitialized).
  const bool next_block_starts_round =
      state.round_length > 0 && state.block_number + 1 >= state.current_round_start_block + state.round_length;
  if (state.current_round_initialized && !next_block_starts_round) return;
  const uint64_t round = next_block_starts_round ? state.current_round + 1 : state.current_round;
  if (uninitialized_round_ != round) {
    uninitialized_round_ = round;
    uninitialized_since_ = state.block_number;
  }
  if (state.block_number < uninitialized_since_ + options_.initialize_after_blocks) return;  // others first
  g_message("round %llu is not initialized: calling initializeRound()", static_cast<unsigned long long>(round));
  if (auto done = send(options_.rounds_manager, "initializeRound"); !done.ok()) {
    // Someone else may have been first (a revert "round already initialized"): the next block shows it.
    return note_error(&RoundDutiesStats::initialize_errors,
                      "initializeRound() for round " + std::to_string(round) + ": " + done.error().message);
  }
  std::lock_guard lock(stats_mutex_);
  ++stats_.rounds_initialized;
}

void RoundDuties::reward_if_due(const ChainState& state) {
  if (!state.current_round_initialized || rewarded_round_ == state.current_round) return;
  if (reward_tried_block_ == state.block_number) return;  // once per block at most
  reward_tried_block_ = state.block_number;
  chain::BondingManager bm(*rpc_, options_.bonding_manager);
  auto active = bm.is_active_transcoder(key_.address());
  if (!active)
    return note_error(&RoundDutiesStats::reward_errors, "reward: isActiveTranscoder: " + active.error().message);
  if (!*active) return;  // not in the active set this round: nothing to claim
  auto transcoder = bm.get_transcoder(key_.address());
  if (!transcoder)
    return note_error(&RoundDutiesStats::reward_errors, "reward: getTranscoder: " + transcoder.error().message);
  if (transcoder->last_reward_round >= state.current_round) {
    rewarded_round_ = state.current_round;  // done already (by lpctl chain reward, or before a restart)
    return;
  }
  g_message("calling reward() for round %llu", static_cast<unsigned long long>(state.current_round));
  if (auto done = send(options_.bonding_manager, "reward"); !done.ok()) {
    return note_error(&RoundDutiesStats::reward_errors,
                      "reward() for round " + std::to_string(state.current_round) + ": " + done.error().message);
  }
  rewarded_round_ = state.current_round;
  std::lock_guard lock(stats_mutex_);
  ++stats_.reward_calls;
  stats_.last_reward_round = state.current_round;
}

}  // namespace lp::pm
