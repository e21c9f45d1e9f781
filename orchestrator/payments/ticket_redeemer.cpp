#include "ticket_redeemer.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "abi.h"
#include "contracts.h"
#include "hex.h"
#include "tx_sender.h"

namespace lp::pm {
namespace {

using chain::U256;

int64_t now_ms() { return g_get_real_time() / 1000; }

std::string hex(const Hash& h) { return eth::to_hex_0x(h); }

// The contracts' exact require() strings (protocol-src/contracts/pm/mixins/MixinTicketBrokerCore.sol,
// MixinTicketProcessor.sol, OpenZeppelin 4.9 ECDSA.sol) for reverts no later block can change.
constexpr std::array kFinalReasons = {
    "ticket is used",
    "ticket is expired",
    "invalid signature over ticket hash",
    "INVALID_SIGNATURE_LENGTH",
    "ECDSA: invalid signature",
    "ECDSA: invalid signature length",
    "ECDSA: invalid signature 's' value",
    "ticket did not win",
    "recipientRand does not match recipientRandHash",
    "ticket recipient is null address",
    "ticket sender is null address",
    "invalid length for ticket auxData: must be 64 bytes",
    // A round that was never initialized has no block hash, and an initialized one never changes
    // its hash: neither can become valid.
    "ticket creationRound does not have a block hash",
    "ticket creationRoundBlockHash invalid for creationRound",
};
// Chain-wide conditions that someone else clears (Manager.sol, MixinContractRegistry.sol).
constexpr std::array kWaitReasons = {
    "current round is not initialized",
    "system is paused",
};

}  // namespace

RevertClass classify_revert(std::string_view reason) {
  for (const char* r : kFinalReasons) {
    if (reason == r) return RevertClass::Final;
  }
  for (const char* r : kWaitReasons) {
    if (reason == r) return RevertClass::Wait;
  }
  // "sender is unlocked", "sender deposit and reserve are zero" (the sender may fund again),
  // BondingManager's "transcoder must be registered" (we may register again), out of gas, unknown.
  return RevertClass::Retry;
}

const char* revert_class_name(RevertClass c) {
  switch (c) {
    case RevertClass::Final: return "final";
    case RevertClass::Retry: return "retry";
    case RevertClass::Wait: return "wait";
  }
  return "?";
}

chain::Bytes redeem_winning_ticket_call(const WinningTicket& w) {
  namespace abi = chain::abi;
  const Ticket& t = w.ticket;
  const std::vector<uint8_t> aux = t.expiration_params().aux_data();
  const std::vector<abi::Value> args = {
      abi::Value::tuple({abi::Value::address(t.recipient), abi::Value::address(t.sender),
                         abi::Value::uint256(t.face_value), abi::Value::uint256(t.win_prob),
                         abi::Value::uint256(U256(t.sender_nonce)), abi::Value::bytes32(t.recipient_rand_hash),
                         abi::Value::bytes(aux)}),
      abi::Value::bytes(w.sig), abi::Value::uint256(U256::from_bytes32(w.recipient_rand))};
  return abi::encode_call("redeemWinningTicket", args);
}

TicketRedeemer::TicketRedeemer(TicketStore& store, const eth::PrivateKey& key, RedeemerOptions options)
    : store_(store),
      key_(key),
      options_(std::move(options)),
      rpc_(std::make_unique<chain::EthRpc>(options_.rpc_url, options_.rpc)) {}

TicketRedeemer::~TicketRedeemer() { stop(); }

void TicketRedeemer::start() {
  if (started_) return;
  started_ = true;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  thread_.start([this] { run(); });
}

void TicketRedeemer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  rpc_->cancel();  // the call in flight ends now (Timeout "cancelled"), and every later one
  thread_.join_all();
}

void TicketRedeemer::on_new_block(uint64_t block) {
  {
    std::lock_guard lock(mutex_);
    new_block_ = std::max(new_block_, block);
    wake_ = true;
  }
  cv_.notify_all();
}

RedeemerStats TicketRedeemer::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

bool TicketRedeemer::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool TicketRedeemer::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

void TicketRedeemer::run() {
  for (;;) {
    pass();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, options_.tick_interval, [this] { return stopping_ || wake_; });
    if (stopping_) return;
    wake_ = false;
  }
}

void TicketRedeemer::pass() {
  if (stopping()) return;
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.passes;
  }
  auto head = rpc_->block_number();
  if (!head) return rpc_error(nullptr, head.error());
  const uint64_t latest = *head;
  {
    std::lock_guard lock(stats_mutex_);
    stats_.last_block = latest;
  }

  auto submitted = store_.submitted();
  if (!submitted) return note_error(submitted.error().message);
  for (const StoredTicket& t : *submitted) {
    if (stopping()) return;
    check_submitted(t);
  }
  if (latest > options_.stale_blocks) {
    auto reset = store_.reset_stale_submissions(latest - options_.stale_blocks);
    if (!reset) return note_error(reset.error().message);
    if (*reset > 0) {
      g_message(
          "ticket redeemer: %lld redemption transaction(s) not mined after %llu blocks; their tickets are "
          "pending again",
          static_cast<long long>(*reset), static_cast<unsigned long long>(options_.stale_blocks));
    }
  }

  auto due = store_.redeemable(latest, options_.batch);
  if (!due) return note_error(due.error().message);
  for (const StoredTicket& t : *due) {
    if (stopping()) return;
    process(t, latest);
  }
}

void TicketRedeemer::check_submitted(const StoredTicket& t) {
  if (!t.tx_hash) return;  // the store sets one on every submission
  auto receipt = rpc_->get_transaction_receipt(*t.tx_hash);
  if (!receipt) return rpc_error(&t.hash, receipt.error());
  if (*receipt) settle(t, **receipt);
  // Not mined yet: reset_stale_submissions() takes it back once it is stale.
}

void TicketRedeemer::settle(const StoredTicket& t, const chain::Receipt& receipt) {
  if (receipt.status) {
    auto marked = store_.mark_redeemed(t.hash, receipt.transaction_hash);
    if (!marked) return note_error(marked.error().message);
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.redeemed;
      stats_.redeemed_face_value =
          U256::checked_add(stats_.redeemed_face_value, t.winner.ticket.face_value).value_or(U256::max());
    }
    g_message("ticket redeemer: winning ticket %s redeemed for %s wei by %s in block %llu", hex(t.hash).c_str(),
              t.winner.ticket.face_value.to_dec().c_str(), hex(receipt.transaction_hash).c_str(),
              static_cast<unsigned long long>(receipt.block_number));
    return;
  }
  // Why it reverted: the same call at the block it was mined in (as TxSender does).
  chain::CallRequest call{address(), options_.ticket_broker, redeem_winning_ticket_call(t.winner), std::nullopt,
                          std::nullopt};
  auto replay = rpc_->try_call(call, chain::BlockId(receipt.block_number));
  if (!replay) return rpc_error(&t.hash, replay.error());
  StoredTicket submitted = t;
  submitted.status = TicketStatus::Submitted;  // mark_failed() takes it back to Pending or Failed
  on_revert(submitted, replay->reverted ? replay->reason
                                        : "transaction " + hex(receipt.transaction_hash) + " reverted in block " +
                                              std::to_string(receipt.block_number) + " (out of gas? gas used " +
                                              std::to_string(receipt.gas_used) + ")");
}

void TicketRedeemer::on_revert(const StoredTicket& t, const std::string& reason) {
  switch (classify_revert(reason)) {
    case RevertClass::Final: return fail(t, reason, true);
    case RevertClass::Wait:
      // A mined transaction reverted: back to Pending the only way the store has (counted).
      if (t.status == TicketStatus::Submitted) return fail(t, reason, false);
      return defer(t, reason);
    case RevertClass::Retry:
      if (t.attempts + 1 >= options_.max_attempts) {
        return fail(t, reason + " (given up after " + std::to_string(t.attempts + 1) + " attempts)", true);
      }
      return fail(t, reason, false);
  }
}

void TicketRedeemer::fail(const StoredTicket& t, const std::string& reason, bool final) {
  auto marked = store_.mark_failed(t.hash, reason, final);
  if (!marked) return note_error(marked.error().message);
  {
    std::lock_guard lock(stats_mutex_);
    ++(final ? stats_.failed_final : stats_.failed_retryable);
  }
  note_error("ticket " + hex(t.hash) + (final ? " failed: " : " will be retried: ") + reason);
  g_warning("ticket redeemer: winning ticket %s (%s wei) %s: %s", hex(t.hash).c_str(),
            t.winner.ticket.face_value.to_dec().c_str(), final ? "cannot be redeemed" : "failed, will retry",
            reason.c_str());
}

void TicketRedeemer::defer(const StoredTicket& t, const std::string& why) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.deferred;
  }
  note_error("ticket " + hex(t.hash) + " waits: " + why);
  g_debug("ticket redeemer: winning ticket %s waits: %s", hex(t.hash).c_str(), why.c_str());
}

void TicketRedeemer::rpc_error(const Hash* ticket, const Error& e) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.rpc_errors;
  }
  note_error((ticket ? "ticket " + hex(*ticket) + ": " : std::string()) + e.message);
}

void TicketRedeemer::note_error(const std::string& text) {
  std::lock_guard lock(stats_mutex_);
  stats_.last_error = text;
  stats_.last_error_ms = now_ms();
}

void TicketRedeemer::process(const StoredTicket& t, uint64_t latest) {
  const Ticket& ticket = t.winner.ticket;
  if (ticket.recipient != address()) {
    return fail(
        t,
        "ticket recipient " + ticket.recipient.checksummed() + " is not this orchestrator " + address().checksummed(),
        true);
  }
  if (t.attempts > 0) {  // a counted failure: wait retry_delay * 2^(attempts-1) after it
    const int shift = static_cast<int>(std::min<int64_t>(t.attempts - 1, 30));
    const int64_t delay = std::min<int64_t>(options_.retry_delay.count() << shift, options_.retry_max_delay.count());
    if (now_ms() < t.updated_ms + delay) return;
  }

  chain::TicketBroker broker(*rpc_, options_.ticket_broker);
  auto used = broker.used_tickets(t.hash);
  if (!used) return rpc_error(&t.hash, used.error());
  if (*used) {
    // Ours when the transaction we sent before (then reset as stale) did it.
    if (t.last_tx_hash) {
      auto receipt = rpc_->get_transaction_receipt(*t.last_tx_hash);
      if (!receipt) return rpc_error(&t.hash, receipt.error());
      if (*receipt && (*receipt)->status) return settle(t, **receipt);
    }
    return fail(t, "ticket already used", true);
  }
  if (t.last_tx_hash) {
    // Our earlier transaction may still be mined: do not pay gas for a second one meanwhile.
    auto pending = in_mempool(*t.last_tx_hash);
    if (!pending) return rpc_error(&t.hash, pending.error());
    if (*pending) return defer(t, "its transaction " + hex(*t.last_tx_hash) + " is still pending");
  }

  // A dry run: a revert here costs nothing and tells why.
  const chain::Bytes data = redeem_winning_ticket_call(t.winner);
  auto outcome = rpc_->try_call({address(), options_.ticket_broker, data, std::nullopt, std::nullopt});
  if (!outcome) return rpc_error(&t.hash, outcome.error());
  if (outcome->reverted) return on_revert(t, outcome->reason);

  auto c = cost(data);
  if (!c) {
    // The state may have moved between the dry run and the estimate.
    const std::string& m = c.error().message;
    if (auto at = m.find(" reverted: "); at != std::string::npos) return on_revert(t, m.substr(at + 11));
    return rpc_error(&t.hash, c.error());
  }
  const std::string cost_text =
      c->total.to_dec() + " wei (" + std::to_string(c->gas) + " gas at " + c->gas_price.to_dec() + " wei)";
  if (ticket.face_value <= c->total) {
    return defer(t,
                 "face value " + ticket.face_value.to_dec() + " wei does not cover the redemption's cost " + cost_text);
  }
  auto funds = available_funds(ticket.sender);
  if (!funds) return rpc_error(&t.hash, funds.error());
  if (*funds <= c->total) {
    return defer(t, "sender " + ticket.sender.checksummed() + " has " + funds->to_dec() +
                        " wei available, not more than the redemption's cost " + cost_text);
  }

  // Sign, record the hash, and only then send (ticket_store.h): a crash after mark_submitted()
  // leaves a Submitted ticket whose receipt or staleness the next redeemer checks.
  Hash tx{};
  {
    std::unique_lock<std::mutex> key_lock;
    if (options_.key_mutex) key_lock = std::unique_lock(*options_.key_mutex);
    auto signed_tx = sign_redeem(data, c->gas);
    if (!signed_tx) return rpc_error(&t.hash, signed_tx.error());
    tx = signed_tx->hash;
    auto marked = store_.mark_submitted(t.hash, tx, latest);
    if (!marked) return note_error(marked.error().message);
    auto sent = rpc_->send_raw_transaction(signed_tx->raw);
    if (!sent) {
      // Maybe sent, maybe not: it stays Submitted, and once stale it is Pending again with this
      // hash as last_tx_hash (checked before any new transaction). Nothing is counted against it.
      return rpc_error(&t.hash, Error{sent.error().code, "sending " + hex(tx) + ": " + sent.error().message});
    }
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.transactions_sent;
  }
  g_message("ticket redeemer: redeeming winning ticket %s (%s wei from %s) with transaction %s", hex(t.hash).c_str(),
            ticket.face_value.to_dec().c_str(), ticket.sender.checksummed().c_str(), hex(tx).c_str());

  auto receipt = await_receipt(tx);
  if (!receipt) return rpc_error(&t.hash, receipt.error());
  if (!*receipt) return;  // a later pass checks it (check_submitted)
  StoredTicket submitted = t;
  submitted.status = TicketStatus::Submitted;
  submitted.tx_hash = tx;
  settle(submitted, **receipt);
}

Result<TicketRedeemer::Cost> TicketRedeemer::cost(const chain::Bytes& data) {
  auto gas = rpc_->estimate_gas({address(), options_.ticket_broker, data, std::nullopt, std::nullopt});
  if (!gas) return gas.error();
  auto price = rpc_->gas_price();
  if (!price) return price.error();
  auto total = U256::checked_mul(*price, U256(*gas));
  if (!total) return Error{ErrorCode::BadRequest, "gas price " + price->to_dec() + " wei is out of range"};
  return Cost{*gas, *price, *total};
}

// go-livepeer's availableFunds (pm/sendermonitor.go): deposit + the share of the reserve a
// recipient may claim, (fundsRemaining + claimedInCurrentRound) / poolSize - claimed by us.
Result<U256> TicketRedeemer::available_funds(const eth::Address& sender) {
  chain::TicketBroker broker(*rpc_, options_.ticket_broker);
  auto info = broker.get_sender_info(sender);
  if (!info) return info.error();
  auto pool = chain::BondingManager(*rpc_, options_.bonding_manager).get_transcoder_pool_size();
  if (!pool) return pool.error();
  U256 alloc;
  if (*pool > 0) {
    auto claimed = broker.claimed_reserve(sender, address());
    if (!claimed) return claimed.error();
    const U256 reserve =
        U256::checked_add(info->reserve_funds_remaining, info->reserve_claimed_in_current_round).value_or(U256::max());
    const U256 share = U256::divmod(reserve, U256(*pool)).quotient;
    alloc = U256::checked_sub(share, *claimed).value_or(U256());
  }
  return U256::checked_add(info->deposit, alloc).value_or(U256::max());
}

Result<bool> TicketRedeemer::in_mempool(const Hash& tx) {
  auto text = rpc_->request("eth_getTransactionByHash", "[\"" + hex(tx) + "\"]");
  if (!text) return text.error();
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text->data(), static_cast<gssize>(text->size()), nullptr)) {
    return Error{ErrorCode::BadRequest, "eth_getTransactionByHash: malformed answer"};
  }
  JsonNode* root = json_parser_get_root(parser);
  if (!root || JSON_NODE_HOLDS_NULL(root)) return false;  // unknown to the node
  if (!JSON_NODE_HOLDS_OBJECT(root)) return Error{ErrorCode::BadRequest, "eth_getTransactionByHash: not an object"};
  JsonNode* block = json_object_get_member(json_node_get_object(root), "blockNumber");
  return !block || JSON_NODE_HOLDS_NULL(block);
}

// Priced and signed by TxSender (the same fees and gas margin as every other transaction of
// the node), but not sent: the hash is recorded before the node has the transaction.
Result<chain::SignedTx> TicketRedeemer::sign_redeem(const chain::Bytes& data, uint64_t gas_estimate) {
  chain::TxOptions tx_options;
  tx_options.gas_margin_numerator = options_.gas_margin_numerator;
  tx_options.gas_margin_denominator = options_.gas_margin_denominator;
  tx_options.default_priority_fee = options_.default_priority_fee;
  tx_options.force_legacy = options_.force_legacy;
  chain::TxSender sender(*rpc_, key_, tx_options);
  chain::TxRequest request;
  request.to = options_.ticket_broker;
  request.data = data;
  request.gas_estimate = gas_estimate;
  auto prepared = sender.prepare(request);
  if (!prepared) return prepared.error();
  return std::move(prepared->signed_tx);
}

Result<std::optional<chain::Receipt>> TicketRedeemer::await_receipt(const Hash& tx) {
  const gint64 deadline = g_get_monotonic_time() + options_.receipt_wait.count() * 1000;
  for (;;) {
    auto receipt = rpc_->get_transaction_receipt(tx);
    if (!receipt) return receipt.error();
    if (*receipt) return receipt;
    if (g_get_monotonic_time() >= deadline || !sleep_for(options_.poll_interval)) {
      return std::optional<chain::Receipt>();
    }
  }
}

}  // namespace lp::pm
