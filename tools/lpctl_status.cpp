// `lpctl status [--cli-addr HOST:PORT] [--json]`: an orchestrator's operator API (/status) as
// a short report, or the JSON itself.
#include "lpctl_status.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <cstdio>
#include <string>

namespace {

int64_t int_of(JsonObject* o, const char* name) {
  if (!o || !json_object_has_member(o, name)) return 0;
  JsonNode* n = json_object_get_member(o, name);
  if (!JSON_NODE_HOLDS_VALUE(n)) return 0;
  return json_node_get_value_type(n) == G_TYPE_BOOLEAN ? json_node_get_boolean(n) : json_node_get_int(n);
}

const char* str_of(JsonObject* o, const char* name) {
  const char* s = o && json_object_has_member(o, name) ? json_object_get_string_member(o, name) : nullptr;
  return s ? s : "";
}

}  // namespace

int lpctl_status_main(int argc, char** argv) {
  g_autofree char* cli_addr = nullptr;
  gboolean json = FALSE;
  GOptionEntry entries[] = {{"cli-addr", 0, 0, G_OPTION_ARG_STRING, &cli_addr,
                             "The orchestrator's operator API (default 127.0.0.1:7935)", "HOST:PORT"},
                            {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print /status as it is", nullptr},
                            {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1) {
    std::fprintf(stderr, "lpctl status: %s\n", err ? err->message : "no arguments expected");
    return 2;
  }
  const std::string url = std::string("http://") + (cli_addr ? cli_addr : "127.0.0.1:7935") + "/status";
  g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", 10u, nullptr);
  soup_session_set_proxy_resolver(session, nullptr);
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  if (!msg) {
    std::fprintf(stderr, "lpctl status: not a usable address: %s\n", url.c_str());
    return 2;
  }
  g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, nullptr, &err);
  if (!body || soup_message_get_status(msg) != 200) {
    std::fprintf(stderr, "lpctl status: %s: %s\n", url.c_str(),
                 err ? err->message : ("HTTP " + std::to_string(soup_message_get_status(msg))).c_str());
    return 1;
  }
  gsize n = 0;
  const char* text = static_cast<const char*>(g_bytes_get_data(body, &n));
  if (json) {
    std::fwrite(text, 1, n, stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, static_cast<gssize>(n), &err)) {
    std::fprintf(stderr, "lpctl status: %s answered something that is not JSON: %s\n", url.c_str(), err->message);
    return 1;
  }
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  JsonObject* o = json_object_get_object_member(root, "orchestrator");
  JsonObject* totals = json_object_get_object_member(root, "totals");
  std::printf("orchestrator %s (lpgst %s)%s, signing as %s\n", str_of(o, "http_addr"), str_of(root, "version"),
              int_of(o, "draining") ? ", draining" : "", str_of(o, "signer"));
  std::printf("sessions: %lld in use of %lld%s\n", static_cast<long long>(int_of(o, "sessions_in_use")),
              static_cast<long long>(int_of(o, "max_sessions")), int_of(o, "max_sessions_auto") ? " (auto)" : "");
  std::printf("segments: %lld received, %lld transcoded, %lld failed, %lld re-dispatched\n",
              static_cast<long long>(int_of(totals, "segments_received")),
              static_cast<long long>(int_of(totals, "segments_transcoded")),
              static_cast<long long>(int_of(totals, "segments_failed")),
              static_cast<long long>(int_of(totals, "segments_redispatched")));
  JsonArray* ts = json_object_get_array_member(root, "transcoders");
  std::printf("transcoders: %u\n", ts ? json_array_get_length(ts) : 0u);
  for (guint i = 0; ts && i < json_array_get_length(ts); ++i) {
    JsonObject* t = json_array_get_object_element(ts, i);
    std::printf("  %-8s %-22s load %lld/%lld  %lld segments\n", str_of(t, "id"), str_of(t, "address"),
                static_cast<long long>(int_of(t, "load")), static_cast<long long>(int_of(t, "capacity")),
                static_cast<long long>(int_of(t, "segments")));
  }
  // An on-chain node (docs/payments.md): the chain it sees and its tickets.
  if (json_object_has_member(root, "payments")) {
    JsonObject* p = json_object_get_object_member(root, "payments");
    if (int_of(p, "chain_reachable")) {
      std::printf("chain: block %lld, round %lld, gas price %s wei\n",
                  static_cast<long long>(int_of(p, "latest_block")), static_cast<long long>(int_of(p, "current_round")),
                  str_of(p, "gas_price_wei"));
    } else {
      std::printf("chain: NOT REACHABLE: %s\n", str_of(p, "chain_error"));
    }
    std::printf(
        "tickets: %lld received, %lld won, %lld redeemed, %lld pending, %lld failed; %s wei redeemed\n",
        static_cast<long long>(int_of(p, "tickets_received")), static_cast<long long>(int_of(p, "winning_tickets")),
        static_cast<long long>(int_of(p, "tickets_redeemed")), static_cast<long long>(int_of(p, "tickets_pending")),
        static_cast<long long>(int_of(p, "tickets_failed")), str_of(p, "value_redeemed_wei"));
    if (*str_of(p, "last_redemption_error"))
      std::printf("  last redemption error: %s\n", str_of(p, "last_redemption_error"));
    if (int_of(p, "reward"))
      std::printf(
          "reward: %lld calls, last for round %lld, %lld errors\n", static_cast<long long>(int_of(p, "reward_calls")),
          static_cast<long long>(int_of(p, "last_reward_round")), static_cast<long long>(int_of(p, "reward_errors")));
  }
  return 0;
}
