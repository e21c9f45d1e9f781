#include "payment_report.h"

#include "metrics.h"
#include "wire/json_fields.h"

namespace lp {
namespace {

void flag(JsonBuilder* b, const char* name, bool v) {
  json_builder_set_member_name(b, name);
  json_builder_add_boolean_value(b, v);
}

// Counts in JSON: the Writer's integer() with the reading-only limits left out.
void count(wire::json::Writer& w, const char* name, uint64_t v) { w.integer(name, static_cast<int64_t>(v), 0, 0); }

}  // namespace

void add_payment_status(JsonBuilder* b, const pm::PaymentStatus& s, const pm::PaymentService& service) {
  json_builder_set_member_name(b, "payments");
  json_builder_begin_object(b);
  wire::json::Writer w(b);
  w.string("recipient", service.recipient().checksummed());
  w.string("ticket_ev_wei", service.ticket_ev().to_dec());
  flag(b, "chain_reachable", s.chain_reachable);
  w.string("chain_error", s.chain_error);
  count(w, "latest_block", s.latest_block);
  count(w, "current_round", s.current_round);
  count(w, "last_initialized_round", s.last_initialized_round);
  w.string("gas_price_wei", s.gas_price.to_dec());
  count(w, "tickets_received", s.tickets_received);
  count(w, "winning_tickets", s.winning_tickets);
  count(w, "payment_errors", s.ticket_errors);
  w.integer("tickets_pending", s.tickets_pending, 0, 0);
  w.integer("tickets_redeemed", s.tickets_redeemed, 0, 0);
  w.integer("tickets_failed", s.tickets_failed, 0, 0);
  w.string("value_redeemed_wei", s.value_redeemed.to_dec());
  w.string("pending_face_value_wei", s.pending_face_value.to_dec());
  count(w, "redemption_transactions", s.redeemer.transactions_sent);
  count(w, "redemption_errors", s.redeemer.failed_final + s.redeemer.failed_retryable);
  w.string("last_redemption_error", s.redeemer.last_error);
  w.string("store_error", s.store_error);
  flag(b, "reward", s.reward);
  flag(b, "initialize_round", s.initialize_round);
  count(w, "reward_calls", s.duties.reward_calls);
  count(w, "reward_errors", s.duties.reward_errors);
  count(w, "last_reward_round", s.duties.last_reward_round);
  count(w, "rounds_initialized", s.duties.rounds_initialized);
  w.string("last_duty_error", s.duties.last_error);
  // Per (gateway, stream): credit left, whole wei (the exact value, fractions and all, beside it).
  json_builder_set_member_name(b, "balances");
  json_builder_begin_array(b);
  for (const auto& e : service.balances()) {
    json_builder_begin_object(b);
    w.string("sender", e.sender.checksummed());
    w.string("stream", e.stream);
    w.string("balance_wei", e.amount.whole_dec());
    w.string("balance_exact", e.amount.to_string());
    if (e.price) {
      w.integer("price_per_unit", e.price->num, 0, 0);
      w.integer("pixels_per_unit", e.price->den, 0, 0);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
}

std::string render_payment_metrics(const pm::PaymentStatus& s) {
  std::string out;
  append_metric_family(out, "lpgst_tickets_recv_total", "counter", "Tickets received and credited since start",
                       std::to_string(s.tickets_received));
  append_metric_family(out, "lpgst_winning_tickets_recv_total", "counter",
                       "Winning tickets received and stored since start", std::to_string(s.winning_tickets));
  append_metric_family(out, "lpgst_payment_recv_errors_total", "counter", "Tickets or payments refused since start",
                       std::to_string(s.ticket_errors));
  append_metric_family(out, "lpgst_value_redeemed_total", "counter",
                       "Face value of tickets redeemed by this node, gwei", s.redeemer.redeemed_face_value.to_units(9));
  append_metric_family(out, "lpgst_ticket_redemption_errors_total", "counter",
                       "Ticket redemptions that failed since start",
                       std::to_string(s.redeemer.failed_final + s.redeemer.failed_retryable));
  append_metric_family(out, "lpgst_ticket_redemption_transactions_total", "counter",
                       "redeemWinningTicket transactions sent", std::to_string(s.redeemer.transactions_sent));
  append_metric_family(out, "lpgst_reward_calls_total", "counter", "reward() transactions mined since start",
                       std::to_string(s.duties.reward_calls));
  append_metric_family(out, "lpgst_reward_call_errors_total", "counter", "reward() calls that failed since start",
                       std::to_string(s.duties.reward_errors));
  append_metric_family(out, "lpgst_rounds_initialized_total", "counter",
                       "initializeRound() transactions mined since start", std::to_string(s.duties.rounds_initialized));
  append_metric_family(out, "lpgst_tickets_pending", "gauge", "Winning tickets stored and not redeemed yet",
                       std::to_string(s.tickets_pending));
  append_metric_family(out, "lpgst_tickets_redeemed", "gauge", "Winning tickets redeemed, as the store counts them",
                       std::to_string(s.tickets_redeemed));
  append_metric_family(out, "lpgst_tickets_failed", "gauge",
                       "Winning tickets given up for good, as the store counts them", std::to_string(s.tickets_failed));
  append_metric_family(out, "lpgst_suggested_gas_price", "gauge", "The chain node's gas price, gwei",
                       s.gas_price.to_units(9));
  append_metric_family(out, "lpgst_chain_reachable", "gauge", "1 while the chain node answers",
                       s.chain_reachable ? "1" : "0");
  return out;
}

}  // namespace lp
