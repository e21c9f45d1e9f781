// What the operator API shows of payments (on chain only): a "payments" object in /status and
// go-livepeer's payment metrics (monitor/census.go names, lpgst_ prefix) in /metrics.
#pragma once

#include <json-glib/json-glib.h>

#include <string>

#include "payment_service.h"

namespace lp {

// Adds "payments": {...} to the object `b` is building. Amounts are decimal wei strings (they
// overflow JSON numbers).
void add_payment_status(JsonBuilder* b, const pm::PaymentStatus& s, const pm::PaymentService& service);

// Prometheus text: tickets received, winning tickets, payment errors, value redeemed (gwei, as
// go-livepeer), redemption errors and transactions, the store's ticket counts, the gas price.
std::string render_payment_metrics(const pm::PaymentStatus& s);

}  // namespace lp
