#include "payment_service.h"

#include <cstdint>
#include <string>
#include <utility>

#include "contracts.h"
#include "recipient_secret.h"

namespace lp::pm {
namespace {

std::string as_string(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
std::string number_bytes(const U256& v) { return as_string(v.to_minimal_bytes()); }

// common.PriceToFixed's scale: prices are quoted with 3 decimal places of wei per pixel.
constexpr uint64_t kPriceScale = 1000;

Error overflow(const std::string& what) { return Error{ErrorCode::Internal, what + " does not fit"}; }

}  // namespace

ChainSnapshot chain_snapshot(const ChainState& state, const U256& max_float) {
  ChainSnapshot s;
  s.gas_price = state.gas_price;
  s.max_float = max_float;
  s.last_l1_block = state.l1_block_number;
  s.last_initialized_round = static_cast<int64_t>(state.last_initialized_round);
  s.last_initialized_block_hash = state.last_initialized_block_hash;
  s.pre_last_initialized_block_hash = state.pre_last_initialized_block_hash;
  return s;
}

PaymentChainSnapshot payment_chain_snapshot(const ChainState& state, bool orchestrator_active,
                                            const std::optional<WatchedSender>& sender) {
  PaymentChainSnapshot s;
  s.last_l1_block = state.l1_block_number;
  s.last_initialized_round = static_cast<int64_t>(state.last_initialized_round);
  s.orchestrator_active = orchestrator_active;
  if (sender) {
    s.sender =
        SenderInfo{sender->info.deposit, sender->info.reserve_funds_remaining, U256(sender->info.withdraw_round)};
  }
  return s;
}

Result<Price> auto_adjusted_price(const Price& base, const TxCostRatio& ratio) {
  // base * (1 + txCost / faceValue) * 1000 = |num| * (face + txCost) * 1000 / (den * face),
  // truncated toward zero as big.Float.Int64 does, then over 1000.
  const bool negative = base.num < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(base.num) : static_cast<uint64_t>(base.num);
  auto numerator = U256::checked_mul(U256(magnitude), U256(kPriceScale));
  U256 denominator = U256(static_cast<uint64_t>(base.den));
  if (!ratio.num.is_zero()) {
    auto sum = U256::checked_add(ratio.num, ratio.den);
    if (numerator && sum) numerator = U256::checked_mul(*numerator, *sum);
    auto den = U256::checked_mul(denominator, ratio.num);
    if (!sum || !den) return overflow("the adjusted price's denominator");
    denominator = *den;
  }
  if (!numerator) return overflow("the adjusted price's numerator");
  const auto fixed = U256::divmod(*numerator, denominator).quotient.to_u64();
  if (!fixed || *fixed > static_cast<uint64_t>(INT64_MAX)) {
    return overflow("price " + std::to_string(base.num) + "/" + std::to_string(base.den) + " adjusted");
  }
  const int64_t value = static_cast<int64_t>(*fixed);
  return Price::make(negative ? -value : value, static_cast<int64_t>(kPriceScale));
}

Result<std::unique_ptr<PaymentService>> PaymentService::start(PaymentConfig config) {
  if (!config.key) return Error{ErrorCode::BadKey, "payments need the node's Ethereum key"};
  if (config.data_dir.empty()) return Error{ErrorCode::BadRequest, "payments need a data directory"};
  auto base = Price::make(config.price_per_unit, config.pixels_per_unit);
  if (!base) return Error{base.error().code, "-pricePerUnit/-pixelsPerUnit: " + base.error().message};
  for (const GatewayPrice& g : config.price_per_gateway) {
    auto p = Price::make(g.price_per_unit, g.pixels_per_unit);
    if (!p) return Error{p.error().code, "price for gateway " + g.gateway.checksummed() + ": " + p.error().message};
  }
  auto secret = load_or_create_recipient_secret(config.data_dir);
  if (!secret) return secret.error();
  auto store = TicketStore::open(payments_dir(config.data_dir) + "/tickets.sqlite");
  if (!store) return store.error();
  chain::LivepeerContracts contracts;
  {
    chain::EthRpc rpc(config.eth_url, config.rpc);
    auto found = chain::lookup_contracts(rpc, config.controller);
    if (!found) {
      return Error{found.error().code, "reading the Livepeer contracts from the Controller " +
                                           config.controller.checksummed() + " at " + config.eth_url + ": " +
                                           found.error().message};
    }
    contracts = *found;
  }
  std::unique_ptr<PaymentService> service(
      new PaymentService(std::move(config), std::move(*secret), std::move(*store), contracts));

  PaymentService& s = *service;
  RedeemerOptions ro = s.config_.redeemer;
  ro.rpc_url = s.config_.eth_url;
  ro.rpc = s.config_.rpc;
  ro.ticket_broker = s.contracts_.ticket_broker;
  ro.bonding_manager = s.contracts_.bonding_manager;
  ro.key_mutex = &s.key_mutex_;
  s.redeemer_ = std::make_unique<TicketRedeemer>(*s.store_, s.key_, std::move(ro));
  s.redeemer_->start();

  if (s.config_.reward || s.config_.initialize_round) {
    RoundDutiesOptions duties;
    duties.reward = s.config_.reward;
    duties.initialize_round = s.config_.initialize_round;
    duties.rpc_url = s.config_.eth_url;
    duties.rpc = s.config_.rpc;
    duties.rounds_manager = s.contracts_.rounds_manager;
    duties.bonding_manager = s.contracts_.bonding_manager;
    duties.key_mutex = &s.key_mutex_;
    s.duties_ = std::make_unique<RoundDuties>(s.key_, std::move(duties));
  }

  ChainWatcherConfig wc = s.config_.watcher;
  wc.eth_url = s.config_.eth_url;
  wc.controller = s.config_.controller;
  wc.claimant = s.key_.address();
  wc.poll_interval = s.config_.block_polling_interval;
  wc.rpc = s.config_.rpc;
  s.watcher_ = std::make_unique<ChainWatcher>(std::move(wc));
  // On the watcher thread; the redeemer and the receiver outlive the watcher (see the destructor).
  s.block_callback_ = s.watcher_->on_new_block([&s](const ChainState& state) {
    s.redeemer_->on_new_block(state.block_number);
    s.receiver_.expire_nonces(state.l1_block_number);
    if (s.duties_) s.duties_->on_new_block(state);
  });
  return service;
}

PaymentService::PaymentService(PaymentConfig config, RecipientSecret secret, std::unique_ptr<TicketStore> store,
                               chain::LivepeerContracts contracts)
    : config_(std::move(config)),
      key_(std::move(*config_.key)),
      contracts_(contracts),
      secret_(std::move(secret)),
      store_(std::move(store)),
      balances_(config_.balances),
      receiver_(key_.address(), secret_, balances_),
      rpc_(std::make_unique<chain::EthRpc>(config_.eth_url, config_.rpc)) {
  config_.key.reset();
  params_config_.ev = config_.ticket_ev;
  params_config_.redeem_gas = config_.redeem_gas;
  params_config_.tx_cost_multiplier = config_.tx_cost_multiplier;
  params_config_.max_face_value = config_.max_face_value;
  base_price_ = *Price::make(config_.price_per_unit, config_.pixels_per_unit);  // checked by start()
  for (const GatewayPrice& g : config_.price_per_gateway) {
    gateway_prices_.emplace_back(g.gateway, *Price::make(g.price_per_unit, g.pixels_per_unit));
  }
}

PaymentService::~PaymentService() {
  // The watcher first: after this no callback runs, so nothing reaches the redeemer or receiver.
  if (watcher_) {
    watcher_->remove_callback(block_callback_);
    watcher_.reset();
  }
  if (duties_) duties_->stop();
  // Then the redeemer's thread (a sent transaction stays Submitted for the next start).
  if (redeemer_) {
    redeemer_->stop();
    redeemer_.reset();
  }
  // The store, balances, receiver and secret go with the members.
}

Result<ChainState> PaymentService::ready_state() const {
  ChainState state = watcher_->snapshot();
  if (state.ready) return state;
  std::string why = "the chain has not been read yet";
  if (auto e = watcher_->last_error()) why += ": " + e->message;
  return Error{ErrorCode::Unreachable, why};
}

Result<bool> PaymentService::orchestrator_active(const ChainState& state) {
  std::lock_guard lock(active_mutex_);
  if (active_round_ == state.current_round && (active_ || active_block_ == state.block_number)) return active_;
  chain::BondingManager bm(*rpc_, contracts_.bonding_manager);
  auto active = bm.is_active_transcoder(key_.address());
  if (!active) return active.error();
  active_ = *active;
  active_round_ = state.current_round;
  active_block_ = state.block_number;
  return active_;
}

Result<Price> PaymentService::price(const eth::Address& gateway, const std::string& manifest_id) {
  // The price fixed for the session by its first payment wins.
  if (!manifest_id.empty()) {
    if (auto fixed = balances_.fixed_price(gateway, manifest_id)) return *fixed;
  }
  Price base = base_price_;
  for (const auto& [address, p] : gateway_prices_) {
    if (address == gateway) base = p;
  }
  if (!config_.auto_adjust_price) return base;
  TxCostRatio ratio{0, 1};  // price 0: overhead 1
  if (base.positive()) {
    auto state = ready_state();
    if (!state) return state.error();
    auto max_float = max_float_of(gateway);
    if (!max_float) return max_float.error();
    auto r = tx_cost_multiplier(params_config_, state->gas_price, *max_float);
    if (!r) return r.error();
    ratio = *r;
  }
  return auto_adjusted_price(base, ratio);
}

Result<net::PriceInfo> PaymentService::price_info(const eth::Address& gateway, const std::string& manifest_id) {
  auto p = price(gateway, manifest_id);
  if (!p) return p.error();
  net::PriceInfo info;
  info.set_priceperunit(p->num);
  info.set_pixelsperunit(p->den);
  return info;
}

Result<U256> PaymentService::max_float_of(const eth::Address& gateway) {
  // go-livepeer's pendingAmount: face value whose redemption is in flight is not float any more.
  auto submitted = store_->submitted_face_value(gateway);
  if (!submitted) return submitted.error();
  return watcher_->max_float(gateway, *submitted);
}

Result<TicketParams> PaymentService::make_params(const eth::Address& gateway, const Price& price) {
  auto state = ready_state();
  if (!state) return state.error();
  U256 max_float;
  if (price.positive()) {  // go-livepeer only sizes a face value for a positive price
    auto mf = max_float_of(gateway);
    if (!mf) return mf.error();
    max_float = *mf;
  }
  return make_ticket_params(secret_, key_.address(), gateway, price, params_config_, chain_snapshot(*state, max_float));
}

Result<net::TicketParams> PaymentService::ticket_params(const eth::Address& gateway, const net::PriceInfo& price) {
  auto p = Price::make(price.priceperunit(), price.pixelsperunit());
  if (!p) return p.error();
  auto params = make_params(gateway, *p);
  if (!params) return params.error();
  net::TicketParams out;
  out.set_recipient(as_string(params->recipient.bytes));
  out.set_face_value(number_bytes(params->face_value));
  out.set_win_prob(number_bytes(params->win_prob));
  out.set_recipient_rand_hash(as_string(params->recipient_rand_hash));
  out.set_seed(number_bytes(params->seed));
  out.set_expiration_block(number_bytes(params->expiration_block));
  net::TicketExpirationParams& e = *out.mutable_expiration_params();
  e.set_creation_round(params->expiration_params.creation_round);
  e.set_creation_round_block_hash(as_string(params->expiration_params.creation_round_block_hash));
  return out;
}

Result<ProcessedPayment> PaymentService::process_payment(std::string_view header, const std::string& manifest_id) {
  auto payment = parse_payment_header(header);
  if (!payment) {
    ticket_errors_.fetch_add(1);
    return payment.error();
  }
  return process_payment(*payment, manifest_id);
}

Result<ProcessedPayment> PaymentService::process_payment(const net::Payment& payment, const std::string& manifest_id) {
  auto state = ready_state();
  if (!state) return state.error();
  eth::Address sender;
  if (payment.sender().size() <= sender.bytes.size()) {
    std::copy(payment.sender().begin(), payment.sender().end(),
              sender.bytes.end() - static_cast<std::ptrdiff_t>(payment.sender().size()));
  }
  bool active = true;
  std::optional<WatchedSender> info;
  if (payment.has_ticket_params() && !payment.sender().empty()) {
    auto a = orchestrator_active(*state);
    if (!a) {
      ticket_errors_.fetch_add(1);
      return Error{a.error().code, "checking the orchestrator is active: " + a.error().message};
    }
    active = *a;
    auto s = watcher_->sender_info(sender);
    if (s) info = *s;  // else refused by the receiver ("could not get sender info")
  }
  // What a ticketless payment to a new stream is charged at; tickets carry their own price.
  auto offered = price(sender, manifest_id);
  Price offered_price = base_price_;
  if (offered) {
    offered_price = *offered;
  } else if (!payment.has_ticket_params()) {
    return offered.error();
  }
  auto received = receiver_.receive(payment, manifest_id, payment_chain_snapshot(*state, active, info), offered_price);
  if (!received) {
    ticket_errors_.fetch_add(1);
    return received.error();
  }
  ProcessedPayment out{std::move(*received), 0};
  tickets_received_.fetch_add(out.outcome.tickets_credited);
  ticket_errors_.fetch_add(out.outcome.ticket_errors.size());
  // The durability rule: every winner committed before the segment is answered.
  for (const WinningTicket& w : out.outcome.winners) {
    auto added = store_->add_winner(w);
    if (!added) {
      return Error{ErrorCode::Internal,
                   "storing a winning ticket from " + sender.checksummed() + ": " + added.error().message};
    }
    if (*added) ++out.new_winners;
  }
  winning_tickets_.fetch_add(out.new_winners);  // replayed winners are not counted twice
  return out;
}

bool PaymentService::sufficient_balance(const eth::Address& sender, const std::string& manifest_id) const {
  return balances_.sufficient(sender, manifest_id, params_config_.ev);
}

Result<void> PaymentService::debit(const eth::Address& sender, const std::string& manifest_id, int64_t pixels) {
  auto p = price(sender, manifest_id);  // the fixed price when there is one
  if (!p) return p.error();
  return balances_.debit(sender, manifest_id, pixels, *p);
}

std::optional<Wei> PaymentService::balance(const eth::Address& sender, const std::string& manifest_id) const {
  return balances_.balance(sender, manifest_id);
}

PaymentStatus PaymentService::status() {
  PaymentStatus s;
  const ChainState state = watcher_->snapshot();
  const auto error = watcher_->last_error();
  s.chain_reachable = state.ready && !error;
  if (error) s.chain_error = error->message;
  s.latest_block = state.block_number;
  s.current_round = state.current_round;
  s.last_initialized_round = state.last_initialized_round;
  s.gas_price = state.gas_price;
  s.tickets_received = tickets_received_.load();
  s.winning_tickets = winning_tickets_.load();
  s.ticket_errors = ticket_errors_.load();
  s.redeemer = redeemer_->stats();
  s.reward = config_.reward;
  s.initialize_round = config_.initialize_round;
  if (duties_) s.duties = duties_->stats();
  auto counts = store_->counts();
  if (counts) {
    s.tickets_pending = counts->pending + counts->submitted;
    s.tickets_redeemed = counts->redeemed;
    s.tickets_failed = counts->failed;
    s.value_redeemed = counts->redeemed_face_value;
    s.pending_face_value = counts->unredeemed_face_value;
  } else {
    s.store_error = counts.error().message;
  }
  return s;
}

}  // namespace lp::pm
