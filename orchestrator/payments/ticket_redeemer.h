// Redeems the orchestrator's stored winning tickets on chain (issue 17, "Winning tickets are never
// lost"; go-livepeer's pm/queue.go and pm/sendermonitor.go redeemWinningTicket). One thread, woken
// by on_new_block() and by its own periodic tick, makes passes over the TicketStore:
//
//   1. Submitted tickets: the receipt of their transaction. Status 1 -> Redeemed; status 0 -> the
//      revert's reason, classified as below. Not mined yet -> left alone; once it has not been mined
//      for `stale_blocks` blocks, reset_stale_submissions() puts the ticket back to Pending (with the
//      transaction kept as last_tx_hash).
//   2. Pending tickets whose params have expired (expiration block <= latest block), oldest first:
//      - a recipient that is not our key: final failure (the contract would pay someone else);
//      - TicketBroker.usedTickets(hash) already set: Redeemed when last_tx_hash is ours and its
//        receipt succeeded, else a final failure "ticket already used" (no transaction is sent);
//      - last_tx_hash still pending in the node's mempool: wait for it rather than send another;
//      - eth_call of redeemWinningTicket reverts: classified (classify_revert), nothing sent;
//      - gas estimate x eth_gasPrice >= face value, or the sender's deposit + our share of its
//        reserve (go-livepeer's availableFunds) <= that cost: left Pending for a later block (a
//        wait, not a failure);
//      - else the transaction is signed, mark_submitted() records its hash, and only then is it sent
//        (ticket_store.h's protocol: a kill -9 anywhere leaves the ticket Pending or Submitted, never
//        lost and never sent twice unchecked). Its receipt is awaited for up to `receipt_wait`
//        (stop() interrupts the wait; step 1 picks the ticket up again on a later pass).
//
// Retryable failures are counted in the store (attempts) and retried with a doubling delay; after
// `max_attempts` the ticket fails for good. Waits (round not initialized, system paused, cost above
// the face value, funds short, an earlier transaction still pending) are not counted: the ticket
// expires on chain eventually, and "ticket is expired" is final.
//
// The redeemer signs with the orchestrator's key and reads the nonce from the node (pending count):
// nothing else may send with that key at the same time unless it holds `key_mutex` too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "address.h"
#include "error.h"
#include "eth_key.h"
#include "eth_rpc.h"
#include "owned_threads.h"
#include "ticket_store.h"
#include "transaction.h"
#include "u256.h"

namespace lp::pm {

// What to do after redeemWinningTicket reverted with `reason` (the contract's require() string).
enum class RevertClass {
  Final,  // can never succeed: used, expired, bad signature, did not win, bad auxData, ...
  Retry,  // may succeed later: counted in attempts, given up after max_attempts
  Wait,   // a chain-wide condition (round not initialized, system paused): retried, not counted
};
RevertClass classify_revert(std::string_view reason);
const char* revert_class_name(RevertClass c);

// redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256) call
// data for a stored winner (MixinTicketBrokerCore.sol).
chain::Bytes redeem_winning_ticket_call(const WinningTicket& winner);

struct RedeemerOptions {
  std::string rpc_url;  // -ethUrl; the redeemer makes its own EthRpc, which stop() cancels
  chain::RpcOptions rpc;
  eth::Address ticket_broker;    // TicketBroker (proxy)
  eth::Address bonding_manager;  // BondingManager (proxy): the pool size for the reserve share
  // A pass runs on every on_new_block() and at least this often.
  std::chrono::milliseconds tick_interval{15000};
  // A submitted transaction with no receipt after this many blocks: the ticket goes back to Pending.
  uint64_t stale_blocks = 20;
  // How long a pass waits for the receipt of a transaction it just sent, polling this often.
  std::chrono::milliseconds receipt_wait{60000};
  std::chrono::milliseconds poll_interval{1000};
  // Retryable failures: the n-th retry waits retry_delay * 2^(n-1), at most retry_max_delay; after
  // max_attempts failures the ticket fails for good.
  int64_t max_attempts = 16;
  std::chrono::milliseconds retry_delay{30000};
  std::chrono::milliseconds retry_max_delay{3600000};
  size_t batch = 200;  // redeemable tickets looked at per pass
  // Transaction pricing, as TxSender: gas limit = estimate * 6 / 5; EIP-1559 where the chain has a
  // base fee (maxFee = 2 * baseFee + tip), legacy EIP-155 otherwise or when forced.
  uint64_t gas_margin_numerator = 6;
  uint64_t gas_margin_denominator = 5;
  chain::U256 default_priority_fee = chain::U256(1'000'000'000);
  bool force_legacy = false;
  // Held from reading the nonce until the transaction is sent, when other code sends with the same
  // key (a chain worker's TxSender): share one mutex. Null: the redeemer is the key's only sender.
  std::mutex* key_mutex = nullptr;
};

// Counters for /status and /metrics, since start. The store's counts() give the durable totals.
struct RedeemerStats {
  uint64_t passes = 0;
  uint64_t last_block = 0;          // the latest block the last pass saw
  uint64_t redeemed = 0;            // tickets confirmed redeemed by our transaction
  chain::U256 redeemed_face_value;  // their face values, wei
  uint64_t transactions_sent = 0;   // redeemWinningTicket transactions sent
  uint64_t failed_final = 0;        // tickets given up for good
  uint64_t failed_retryable = 0;    // counted retryable failures
  uint64_t deferred = 0;            // times a ticket was left pending (a wait, not a failure)
  uint64_t rpc_errors = 0;          // passes or tickets cut short by the chain node
  std::string last_error;           // the latest failure, wait or RPC error, with the ticket hash
  int64_t last_error_ms = 0;        // unix milliseconds; 0: none yet
};

class TicketRedeemer {
 public:
  // `store` and `key` (the orchestrator's: tickets' recipient and the transactions' signer) must
  // outlive the redeemer.
  TicketRedeemer(TicketStore& store, const eth::PrivateKey& key, RedeemerOptions options);
  ~TicketRedeemer();  // stop()
  TicketRedeemer(const TicketRedeemer&) = delete;
  TicketRedeemer& operator=(const TicketRedeemer&) = delete;

  // Starts the thread (once). The owner's thread only.
  void start();
  // Ends the pass in progress at its next step (cancelling the RPC call in flight and any receipt
  // wait) and joins the thread. A ticket whose transaction was sent stays Submitted; the next
  // redeemer finds its receipt. Idempotent; the redeemer cannot be started again.
  void stop();
  // A new block was seen: run a pass now. Any thread.
  void on_new_block(uint64_t block);

  RedeemerStats stats() const;
  const eth::Address& address() const { return key_.address(); }

 private:
  struct Cost {
    uint64_t gas = 0;
    chain::U256 gas_price;
    chain::U256 total;
  };

  void run();
  // false when stopping.
  bool sleep_for(std::chrono::milliseconds d);
  bool stopping() const;
  void pass();
  void check_submitted(const StoredTicket& t);
  void process(const StoredTicket& t, uint64_t latest);
  // Applies a receipt of `tx`, ours, for ticket `t`.
  void settle(const StoredTicket& t, const chain::Receipt& receipt);
  // The ticket's transaction reverted (or would): fail it as `reason` says.
  void on_revert(const StoredTicket& t, const std::string& reason);
  void fail(const StoredTicket& t, const std::string& reason, bool final);
  void defer(const StoredTicket& t, const std::string& why);
  void rpc_error(const Hash* ticket, const Error& e);
  void note_error(const std::string& text);
  Result<Cost> cost(const chain::Bytes& data);
  Result<chain::U256> available_funds(const eth::Address& sender);
  // True when the node knows `tx` and it is not mined yet.
  Result<bool> in_mempool(const Hash& tx);
  Result<chain::SignedTx> sign_redeem(const chain::Bytes& data, uint64_t gas_estimate);
  Result<std::optional<chain::Receipt>> await_receipt(const Hash& tx);

  TicketStore& store_;
  const eth::PrivateKey& key_;
  const RedeemerOptions options_;
  // The worker thread's alone (stop() only calls its thread-safe cancel()).
  std::unique_ptr<chain::EthRpc> rpc_;

  // Guards stopping_, wake_ and new_block_; cv_ wakes the worker from its sleeps.
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool wake_ = false;
  uint64_t new_block_ = 0;

  mutable std::mutex stats_mutex_;  // guards stats_
  RedeemerStats stats_;

  bool started_ = false;  // the owner's thread only
  OwnedThreads thread_;   // the worker; joined by stop()
};

}  // namespace lp::pm
