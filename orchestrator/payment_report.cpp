#include "payment_report.h"

namespace lp {
namespace {

void number(JsonBuilder* b, const char* name, int64_t v) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

void text(JsonBuilder* b, const char* name, const std::string& v) {
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, v.c_str());
}

// Wei as gwei with nine decimals, for metrics (go-livepeer reports its payment values in gwei).
std::string gwei(const chain::U256& wei) {
  std::string dec = wei.to_dec();
  if (dec.size() <= 9) dec.insert(0, 10 - dec.size(), '0');
  std::string whole = dec.substr(0, dec.size() - 9);
  std::string frac = dec.substr(dec.size() - 9);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

void metric(std::string& out, const char* name, const char* type, const char* help, const std::string& value) {
  out +=
      std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
}

}  // namespace

void add_payment_status(JsonBuilder* b, const pm::PaymentStatus& s, const pm::PaymentService& service) {
  json_builder_set_member_name(b, "payments");
  json_builder_begin_object(b);
  text(b, "recipient", service.recipient().checksummed());
  text(b, "ticket_ev_wei", service.ticket_ev().to_dec());
  json_builder_set_member_name(b, "chain_reachable");
  json_builder_add_boolean_value(b, s.chain_reachable);
  text(b, "chain_error", s.chain_error);
  number(b, "latest_block", static_cast<int64_t>(s.latest_block));
  number(b, "current_round", static_cast<int64_t>(s.current_round));
  number(b, "last_initialized_round", static_cast<int64_t>(s.last_initialized_round));
  text(b, "gas_price_wei", s.gas_price.to_dec());
  number(b, "tickets_received", static_cast<int64_t>(s.tickets_received));
  number(b, "winning_tickets", static_cast<int64_t>(s.winning_tickets));
  number(b, "payment_errors", static_cast<int64_t>(s.ticket_errors));
  number(b, "tickets_pending", s.tickets_pending);
  number(b, "tickets_redeemed", s.tickets_redeemed);
  number(b, "tickets_failed", s.tickets_failed);
  text(b, "value_redeemed_wei", s.value_redeemed.to_dec());
  text(b, "pending_face_value_wei", s.pending_face_value.to_dec());
  number(b, "redemption_transactions", static_cast<int64_t>(s.redeemer.transactions_sent));
  number(b, "redemption_errors", static_cast<int64_t>(s.redeemer.failed_final + s.redeemer.failed_retryable));
  text(b, "last_redemption_error", s.redeemer.last_error);
  text(b, "store_error", s.store_error);
  json_builder_set_member_name(b, "reward");
  json_builder_add_boolean_value(b, s.reward);
  json_builder_set_member_name(b, "initialize_round");
  json_builder_add_boolean_value(b, s.initialize_round);
  number(b, "reward_calls", static_cast<int64_t>(s.duties.reward_calls));
  number(b, "reward_errors", static_cast<int64_t>(s.duties.reward_errors));
  number(b, "last_reward_round", static_cast<int64_t>(s.duties.last_reward_round));
  number(b, "rounds_initialized", static_cast<int64_t>(s.duties.rounds_initialized));
  text(b, "last_duty_error", s.duties.last_error);
  // Per (gateway, stream): credit left, whole wei (the exact value, fractions and all, beside it).
  json_builder_set_member_name(b, "balances");
  json_builder_begin_array(b);
  for (const auto& e : service.balances()) {
    json_builder_begin_object(b);
    text(b, "sender", e.sender.checksummed());
    text(b, "stream", e.stream);
    text(b, "balance_wei", e.amount.whole_dec());
    text(b, "balance_exact", e.amount.to_string());
    if (e.price) {
      number(b, "price_per_unit", e.price->num);
      number(b, "pixels_per_unit", e.price->den);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
}

std::string render_payment_metrics(const pm::PaymentStatus& s) {
  std::string out;
  metric(out, "lpgst_tickets_recv_total", "counter", "Tickets received and credited since start",
         std::to_string(s.tickets_received));
  metric(out, "lpgst_winning_tickets_recv_total", "counter", "Winning tickets received and stored since start",
         std::to_string(s.winning_tickets));
  metric(out, "lpgst_payment_recv_errors_total", "counter", "Tickets or payments refused since start",
         std::to_string(s.ticket_errors));
  metric(out, "lpgst_value_redeemed_total", "counter", "Face value of tickets redeemed by this node, gwei",
         gwei(s.redeemer.redeemed_face_value));
  metric(out, "lpgst_ticket_redemption_errors_total", "counter", "Ticket redemptions that failed since start",
         std::to_string(s.redeemer.failed_final + s.redeemer.failed_retryable));
  metric(out, "lpgst_ticket_redemption_transactions_total", "counter", "redeemWinningTicket transactions sent",
         std::to_string(s.redeemer.transactions_sent));
  metric(out, "lpgst_reward_calls_total", "counter", "reward() transactions mined since start",
         std::to_string(s.duties.reward_calls));
  metric(out, "lpgst_reward_call_errors_total", "counter", "reward() calls that failed since start",
         std::to_string(s.duties.reward_errors));
  metric(out, "lpgst_rounds_initialized_total", "counter", "initializeRound() transactions mined since start",
         std::to_string(s.duties.rounds_initialized));
  metric(out, "lpgst_tickets_pending", "gauge", "Winning tickets stored and not redeemed yet",
         std::to_string(s.tickets_pending));
  metric(out, "lpgst_tickets_redeemed", "gauge", "Winning tickets redeemed, as the store counts them",
         std::to_string(s.tickets_redeemed));
  metric(out, "lpgst_tickets_failed", "gauge", "Winning tickets given up for good, as the store counts them",
         std::to_string(s.tickets_failed));
  metric(out, "lpgst_suggested_gas_price", "gauge", "The chain node's gas price, gwei", gwei(s.gas_price));
  metric(out, "lpgst_chain_reachable", "gauge", "1 while the chain node answers", s.chain_reachable ? "1" : "0");
  return out;
}

}  // namespace lp
