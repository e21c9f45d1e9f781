#include "dashboard.h"

namespace lp {
namespace {

// No external resources: the operator port may be on a host without internet access. Values
// are inserted with textContent only, so a stream id cannot inject markup.
constexpr const char* kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lpgst orchestrator</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
  h1 { font-size: 1.3em; margin: 0 0 .2em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  #state { color: #666; }
  #state.error { color: #b00; }
  .cards { display: flex; flex-wrap: wrap; gap: .8em; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .5em .9em; min-width: 9em; }
  .card .v { font-size: 1.5em; font-weight: 600; }
  .card .k { color: #666; font-size: .85em; }
  table { border-collapse: collapse; background: #fff; min-width: 30em; }
  th, td { border: 1px solid #ddd; padding: .3em .7em; text-align: left; }
  th { background: #f0f0f0; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .empty { color: #888; font-style: italic; }
</style>
</head>
<body>
<h1>lpgst orchestrator</h1>
<div id="state">loading&hellip;</div>
<h2>Totals</h2>
<div class="cards" id="totals"></div>
<h2>Transcoders</h2>
<table><thead><tr><th>id</th><th>protocol</th><th>address</th><th>capacity</th><th>load</th><th>hardware</th></tr></thead>
<tbody id="transcoders"></tbody></table>
<h2>Gateway sessions (go-livepeer)</h2>
<table><thead><tr><th>session id</th><th>idle (s)</th></tr></thead>
<tbody id="gateway_sessions"></tbody></table>
<h2>Sessions</h2>
<table><thead><tr><th>stream id</th><th>transcoder</th><th>segments</th></tr></thead>
<tbody id="streams"></tbody></table>
<div id="payments_section" hidden>
<h2>Payments (on chain)</h2>
<div id="chain"></div>
<div class="cards" id="payments"></div>
<table><thead><tr><th>gateway</th><th>stream</th><th>balance (wei)</th><th>price (wei/pixel)</th></tr></thead>
<tbody id="balances"></tbody></table>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const val = (v) => (v === undefined || v === null || v === "") ? "\u2013" : String(v);
const list = (v) => Array.isArray(v) ? v : [];
const obj = (v) => (v && typeof v === "object") ? v : {};

function cell(row, text, numeric) {
  const td = row.insertCell();
  td.textContent = val(text);
  if (numeric) td.className = "num";
}

function fillTable(body, items, columns, emptyText) {
  body.replaceChildren();
  if (items.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns;
    td.className = "empty";
    td.textContent = emptyText;
  }
  return items.map(() => body.insertRow());
}

function hardware(items) {
  return list(items).map((h) => {
    const d = obj(h);
    let s = val(d.kind) + (d.index !== undefined ? ":" + d.index : "");
    if (d.name) s += " (" + d.name + ")";
    if (d.path) s += " " + val(d.path) + " " + val(d.sessions) + "/" + val(d.capacity) + " sessions, load " + val(d.load_percent) + "%";
    if (d.error) s += " NOT USABLE: " + val(d.error);
    return s;
  }).join(", ");
}

function card(key, value) {
  const div = document.createElement("div");
  div.className = "card";
  const v = document.createElement("div");
  v.className = "v";
  v.textContent = val(value);
  const k = document.createElement("div");
  k.className = "k";
  k.textContent = key;
  div.append(v, k);
  return div;
}

function render(s) {
  const o = obj(s.orchestrator), t = obj(s.totals);
  const transcoders = list(s.transcoders), streams = list(s.sessions);
  $("state").className = "";
  $("state").textContent = "version " + val(s.version) + " \u00b7 " + val(o.service_addr) +
      " \u00b7 updated " + new Date().toLocaleTimeString();
  $("totals").replaceChildren(
      card("sessions", val(o.sessions_in_use) + " / " + val(o.max_sessions)),
      card("transcoders", transcoders.length),
      card("segments received", t.segments_received),
      card("segments transcoded", t.segments_transcoded),
      card("segments failed", t.segments_failed));
  fillTable($("transcoders"), transcoders, 6, "no transcoders").forEach((row, i) => {
    const x = obj(transcoders[i]);
    cell(row, val(x.id) + (x.local ? " (local)" : ""));
    cell(row, x.protocol);
    cell(row, x.address);
    cell(row, x.capacity, true);
    cell(row, x.load, true);
    cell(row, hardware(x.hardware));
  });
  const gateways = list(s.gateway_sessions);
  fillTable($("gateway_sessions"), gateways, 2, "no gateway sessions").forEach((row, i) => {
    const x = obj(gateways[i]);
    cell(row, x.session_id);
    cell(row, x.idle_seconds, true);
  });
  fillTable($("streams"), streams, 3, "no sessions").forEach((row, i) => {
    const x = obj(streams[i]);
    cell(row, x.stream_id);
    cell(row, x.transcoder);
    cell(row, x.segments, true);
  });
  renderPayments(s.payments);
}

// Only an on-chain node's /status has "payments".
function renderPayments(p) {
  $("payments_section").hidden = !p;
  if (!p) return;
  $("chain").textContent = (p.chain_reachable ? "chain reachable" : "CHAIN NOT REACHABLE: " + val(p.chain_error)) +
      " \u00b7 block " + val(p.latest_block) + " \u00b7 round " + val(p.current_round) +
      " \u00b7 recipient " + val(p.recipient) + (p.last_redemption_error ? " \u00b7 last redemption error: " + p.last_redemption_error : "");
  $("payments").replaceChildren(
      card("tickets received", p.tickets_received),
      card("winning tickets", p.winning_tickets),
      card("payment errors", p.payment_errors),
      card("tickets pending", p.tickets_pending),
      card("tickets redeemed", p.tickets_redeemed),
      card("tickets failed", p.tickets_failed),
      card("value redeemed (wei)", p.value_redeemed_wei),
      card("reward calls", p.reward_calls));
  const balances = list(p.balances);
  fillTable($("balances"), balances, 4, "no balances").forEach((row, i) => {
    const x = obj(balances[i]);
    cell(row, x.sender);
    cell(row, x.stream);
    cell(row, x.balance_wei, true);
    cell(row, x.price_per_unit === undefined ? undefined : x.price_per_unit + "/" + x.pixels_per_unit, true);
  });
}

async function poll() {
  try {
    const r = await fetch("/status", { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(obj(await r.json()));
  } catch (e) {
    $("state").className = "error";
    $("state").textContent = "cannot reach /status: " + e.message;
  }
  setTimeout(poll, 2000);
}
poll();
</script>
</body>
</html>
)html";

}  // namespace

const std::string& dashboard_html() {
  static const std::string page(kPage);
  return page;
}

}  // namespace lp
