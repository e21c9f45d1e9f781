// The one payments object an orchestrator holds (issue 17): prices, ticket params, receiving
// payments, balances, the durable winning-ticket store and its redemption, and the numbers /status
// and /metrics show. go-livepeer's core/orchestrator.go (PriceInfo, TicketParams, ProcessPayment,
// SufficientBalance, DebitFees) over its pm.Recipient, sender monitor and ticket queue.
//
// Wiring it in: GetOrchestrator answers price_info(gateway, manifest) and ticket_params(gateway,
// that price); POST /segment calls process_payment() (payment_receiver.h says which status each
// outcome gets), sufficient_balance() before transcoding and debit() after it.
//
// Threads and ownership. The service owns, in order of construction: the recipient secret, the
// TicketStore, the Balances, the PaymentReceiver, the TicketRedeemer (one worker thread) and the
// ChainWatcher (one polling thread), and with -reward or -initializeRound the RoundDuties (one thread). The watcher's
// on_new_block callback runs on the watcher thread; it wakes the redeemer and expires old sender nonces, nothing
// slower. Destruction is explicit and the reverse: the callback is removed and the watcher joined first (no callback
// can then reach the redeemer or the receiver), then the redeemer is stopped and joined (a ticket whose transaction was
// sent stays Submitted in the store), then the store is closed. The public calls may be made from any thread, but
// process_payment(), ticket_params() and price_info() may block on the chain node (a sender not cached yet, the
// orchestrator's activation once per round), so not on a main loop; they must all have returned before the service is
// destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "balances.h"
#include "chain_watcher.h"
#include "error.h"
#include "eth_key.h"
#include "eth_rpc.h"
#include "lp_rpc.pb.h"
#include "payment_receiver.h"
#include "recipient_rand.h"
#include "round_duties.h"
#include "ticket_params.h"
#include "ticket_redeemer.h"
#include "ticket_store.h"
#include "u256.h"

namespace lp::pm {

// -pricePerGateway: one gateway's own price (pricePerUnit wei per pixelsPerUnit pixels).
struct GatewayPrice {
  eth::Address gateway;
  int64_t price_per_unit = 0;
  int64_t pixels_per_unit = 1;
};

struct PaymentConfig {
  std::string eth_url;      // -ethUrl
  eth::Address controller;  // -ethController
  // The node's key: signs redemptions; its address is the ticket recipient. Required.
  std::optional<eth::PrivateKey> key;
  std::string data_dir;                         // --data-dir: <data_dir>/payments holds the secret and tickets.sqlite
  int64_t price_per_unit = 0;                   // -pricePerUnit, wei
  int64_t pixels_per_unit = 1;                  // -pixelsPerUnit
  std::vector<GatewayPrice> price_per_gateway;  // -pricePerGateway
  U256 ticket_ev = U256(1'000'000'000'000);     // -ticketEV (go-livepeer's default, 1e12 wei)
  U256 max_face_value;                          // -maxFaceValue; 0 = no cap
  bool auto_adjust_price = true;                // -autoAdjustPrice
  uint64_t tx_cost_multiplier = 100;            // -txCostMultiplier
  uint64_t redeem_gas = 1'200'000;              // gas a redemption is priced at (Arbitrum's)
  bool reward = false;                          // -reward: reward() once per round while active
  bool initialize_round = false;                // -initializeRound
  std::chrono::milliseconds block_polling_interval{5000};  // -blockPollingInterval
  chain::RpcOptions rpc{std::chrono::milliseconds(10000)};
  // Tuning of the parts (their eth_url, controller and addresses are filled in by start()).
  ChainWatcherConfig watcher;
  RedeemerOptions redeemer;
  BalancesConfig balances;
};

// What /status and /metrics show (go-livepeer's metric names in the comments).
struct PaymentStatus {
  bool chain_reachable = false;  // the latest poll succeeded
  std::string chain_error;       // why it failed, while it does
  uint64_t latest_block = 0;
  uint64_t current_round = 0;
  uint64_t last_initialized_round = 0;
  chain::U256 gas_price;
  uint64_t tickets_received = 0;  // ticket_recv_count: tickets credited since start
  uint64_t winning_tickets = 0;   // winning_tickets_recv: new winners stored since start
  uint64_t ticket_errors = 0;     // payment_recv_errors: tickets or payments refused since start
  // The store's durable totals (since the store was made, across restarts).
  int64_t tickets_pending = 0;  // pending + submitted
  int64_t tickets_redeemed = 0;
  int64_t tickets_failed = 0;
  chain::U256 value_redeemed;                     // value_redeemed: sum of redeemed face values, wei
  chain::U256 pending_face_value;                 // face value of tickets not redeemed yet, wei
  RedeemerStats redeemer;                         // transactions sent, redemption errors, ...
  bool reward = false, initialize_round = false;  // the duties this node has
  RoundDutiesStats duties;                        // reward() and initializeRound() calls
  std::string store_error;                        // when the totals could not be read
};

// What process_payment() did: the receiver's outcome, its winners already stored.
struct ProcessedPayment {
  PaymentOutcome outcome;
  size_t new_winners = 0;  // winners the store had not seen before
};

// The one ChainState -> ticket_params.h / payment_receiver.h mapping.
ChainSnapshot chain_snapshot(const ChainState& state, const U256& max_float);
PaymentChainSnapshot payment_chain_snapshot(const ChainState& state, bool orchestrator_active,
                                            const std::optional<WatchedSender>& sender);

// priceInfo's -autoAdjustPrice step: base * (1 + 1 / (faceValue / txCost)), truncated to 3 decimal
// places as common.PriceToFixed does, then reduced. A zero ratio (no tx cost) leaves the base as is
// (also truncated); a base of 0 or less is returned unchanged.
Result<Price> auto_adjusted_price(const Price& base, const TxCostRatio& ratio);

class PaymentService {
 public:
  // Loads (or makes) the recipient secret, opens <data_dir>/payments/tickets.sqlite, reads the
  // contracts' addresses from the Controller (an unreachable node fails the start, as go-livepeer's
  // does), then starts the redeemer and the chain watcher.
  static Result<std::unique_ptr<PaymentService>> start(PaymentConfig config);
  ~PaymentService();
  PaymentService(const PaymentService&) = delete;
  PaymentService& operator=(const PaymentService&) = delete;

  const eth::Address& recipient() const { return key_.address(); }
  const chain::LivepeerContracts& contracts() const { return contracts_; }
  const U256& ticket_ev() const { return params_config_.ev; }
  // Held by anyone else sending transactions with the node's key (reward calls, lpctl duties).
  std::mutex& key_mutex() { return key_mutex_; }

  // orchestrator.priceInfo: the price fixed for (gateway, manifest) when there is one; else the
  // gateway's own price or the base price, adjusted for the redemption cost with auto_adjust_price.
  Result<Price> price(const eth::Address& gateway, const std::string& manifest_id = {});
  Result<net::PriceInfo> price_info(const eth::Address& gateway, const std::string& manifest_id = {});

  // orchestrator.TicketParams for `gateway` at `price` (common.RatPriceInfo's refusal of a zero
  // pixelsPerUnit first), made from the watcher's snapshot and the gateway's max float. Errors:
  // the chain not read yet (Unreachable), the sender's info unreadable, "insufficient sender
  // reserve" (face value under the EV or the redemption cost).
  Result<net::TicketParams> ticket_params(const eth::Address& gateway, const net::PriceInfo& price);
  Result<TicketParams> make_params(const eth::Address& gateway, const Price& price);

  // ProcessPayment: receives every ticket (payment_receiver.h) and writes every winner with
  // TicketStore::add_winner before returning; a store failure is an error (Internal), and the
  // segment must then be refused. The header form parses first (its errors are the 402 ones).
  Result<ProcessedPayment> process_payment(const net::Payment& payment, const std::string& manifest_id);
  Result<ProcessedPayment> process_payment(std::string_view header, const std::string& manifest_id);

  // SufficientBalance: an entry for (sender, manifest) holding at least the ticket EV.
  bool sufficient_balance(const eth::Address& sender, const std::string& manifest_id) const;
  // DebitFees: pixels at the stream's fixed price (else the price it would be quoted now).
  Result<void> debit(const eth::Address& sender, const std::string& manifest_id, int64_t pixels);
  std::optional<Wei> balance(const eth::Address& sender, const std::string& manifest_id) const;
  std::vector<Balances::Listed> balances() const { return balances_.list(); }

  PaymentStatus status();
  ChainWatcher& watcher() { return *watcher_; }
  TicketStore& store() { return *store_; }

 private:
  PaymentService(PaymentConfig config, RecipientSecret secret, std::unique_ptr<TicketStore> store,
                 chain::LivepeerContracts contracts);
  // go-livepeer's isActive: BondingManager.isActiveTranscoder(us) (activation in the current round;
  // go-livepeer's DB filter asks about the last initialized one, the same round once it is
  // initialized), read once per round while active and once per block while not.
  Result<bool> orchestrator_active(const ChainState& state);
  Result<ChainState> ready_state() const;
  // The sender's max float less the face value of its tickets being redeemed now.
  Result<U256> max_float_of(const eth::Address& gateway);

  PaymentConfig config_;
  const eth::PrivateKey key_;
  const chain::LivepeerContracts contracts_;
  TicketParamsConfig params_config_;
  Price base_price_;
  std::vector<std::pair<eth::Address, Price>> gateway_prices_;
  std::mutex key_mutex_;

  RecipientSecret secret_;
  std::unique_ptr<TicketStore> store_;
  Balances balances_;
  PaymentReceiver receiver_;

  std::mutex active_mutex_;  // guards the rpc and the cache below
  std::unique_ptr<chain::EthRpc> rpc_;
  std::optional<uint64_t> active_round_, active_block_;
  bool active_ = false;

  std::atomic<uint64_t> tickets_received_{0};
  std::atomic<uint64_t> winning_tickets_{0};
  std::atomic<uint64_t> ticket_errors_{0};

  std::unique_ptr<TicketRedeemer> redeemer_;
  std::unique_ptr<RoundDuties> duties_;  // with -reward or -initializeRound only
  std::unique_ptr<ChainWatcher> watcher_;
  ChainWatcher::CallbackId block_callback_ = 0;
};

}  // namespace lp::pm
