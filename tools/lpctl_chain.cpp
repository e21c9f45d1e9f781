// `lpctl chain ...` talks to the chain node itself (JSON-RPC over libsoup) with the node's key:
//   status         stake, active or not, reward cut and fee share, last reward round, pending fees,
//                  ETH for gas, the service URI, and the node's tickets (its --cli-addr /status);
//   activate       approve + bond the stake to itself, transcoder(rewardCut, feeShare), and the
//                  service URI in the ServiceRegistry (livepeer_cli's "become an orchestrator");
//   reward         BondingManager.reward() for the current round;
//   withdraw-fees  BondingManager.withdrawFees(recipient, amount): all pending fees by default.
#include "lpctl_chain.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <cstdio>
#include <string>
#include <vector>

#include "abi.h"
#include "contracts.h"
#include "eth_rpc.h"
#include "node_flag_values.h"
#include "node_identity.h"
#include "node_payments.h"
#include "tx_sender.h"

namespace {

using lp::chain::U256;
namespace abi = lp::chain::abi;

struct ChainArgs {
  std::string eth_url, controller = lp::kArbitrumOneController;
  std::string keystore, password, acct_addr, address, cli_addr = "127.0.0.1:7935";
  std::string stake, service_uri, amount, to;
  double reward_cut = -1, fee_share = -1;
};

int fail(const std::string& what) {
  std::fprintf(stderr, "lpctl chain: %s\n", what.c_str());
  return 1;
}

std::string ether(const U256& wei) { return wei.to_units(18); }

lp::Result<lp::eth::PrivateKey> load_key(const ChainArgs& a) {
  if (a.keystore.empty()) return lp::Error{lp::ErrorCode::BadRequest, "--eth-keystore-path is required"};
  lp::NodeOptions o;
  o.eth_keystore_path = a.keystore;
  o.eth_password = a.password;
  o.eth_acct_addr = a.acct_addr;
  auto key = lp::load_node_key(o);
  if (!key) return key.error();
  return std::move(key->key);
}

// Percent (as livepeer_cli takes it) -> parts per million (Livepeer's PERC_DIVISOR).
U256 ppm(double percent) { return U256(static_cast<uint64_t>(percent * 10000.0 + 0.5)); }

lp::Result<lp::chain::Receipt> send(lp::chain::EthRpc& rpc, const lp::eth::PrivateKey& key, const lp::eth::Address& to,
                                    std::string_view function, std::vector<abi::Value> args, const char* what) {
  lp::chain::TxSender sender(rpc, key);
  auto receipt = sender.send_and_wait(lp::chain::TxRequest{to, U256(), abi::encode_call(function, args), std::nullopt});
  if (!receipt) return lp::Error{receipt.error().code, std::string(what) + ": " + receipt.error().message};
  std::printf("%s: mined in block %llu\n", what, static_cast<unsigned long long>(receipt->block_number));
  return receipt;
}

// The node's own ticket counts, when its operator API answers.
void print_node_tickets(const std::string& cli_addr) {
  const std::string url = "http://" + cli_addr + "/status";
  g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", 5u, nullptr);
  soup_session_set_proxy_resolver(session, nullptr);
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  g_autoptr(GBytes) body = msg ? soup_session_send_and_read(session, msg, nullptr, nullptr) : nullptr;
  g_autoptr(JsonParser) parser = json_parser_new();
  gsize n = 0;
  const char* text = body ? static_cast<const char*>(g_bytes_get_data(body, &n)) : nullptr;
  JsonObject* p = nullptr;
  if (text && soup_message_get_status(msg) == 200 &&
      json_parser_load_from_data(parser, text, static_cast<gssize>(n), nullptr)) {
    JsonObject* root = json_node_get_object(json_parser_get_root(parser));
    if (root && json_object_has_member(root, "payments")) p = json_object_get_object_member(root, "payments");
  }
  if (!p) {
    std::printf("tickets:          (no on-chain node answering at %s)\n", url.c_str());
    return;
  }
  std::printf("tickets:          %lld received, %lld won, %lld redeemed, %lld pending, %lld failed\n",
              static_cast<long long>(json_object_get_int_member(p, "tickets_received")),
              static_cast<long long>(json_object_get_int_member(p, "winning_tickets")),
              static_cast<long long>(json_object_get_int_member(p, "tickets_redeemed")),
              static_cast<long long>(json_object_get_int_member(p, "tickets_pending")),
              static_cast<long long>(json_object_get_int_member(p, "tickets_failed")));
  std::printf("value redeemed:   %s wei\n", json_object_get_string_member(p, "value_redeemed_wei"));
}

int status(lp::chain::EthRpc& rpc, const lp::chain::LivepeerContracts& c, const lp::eth::Address& me,
           const ChainArgs& a) {
  lp::chain::BondingManager bm(rpc, c.bonding_manager);
  lp::chain::RoundsManager rm(rpc, c.rounds_manager);
  auto round = rm.current_round();
  auto initialized = rm.current_round_initialized();
  auto stake = bm.transcoder_total_stake(me);
  auto active = bm.is_active_transcoder(me);
  auto t = bm.get_transcoder(me);
  auto fees = bm.pending_fees(me, 0);
  auto eth = rpc.get_balance(me);
  if (!round || !initialized || !stake || !active || !t || !fees || !eth) {
    const lp::Error& e = !round         ? round.error()
                         : !initialized ? initialized.error()
                         : !stake       ? stake.error()
                         : !active      ? active.error()
                         : !t           ? t.error()
                         : !fees        ? fees.error()
                                        : eth.error();
    return fail("reading the chain at " + a.eth_url + ": " + e.message);
  }
  std::string uri;
  const std::vector<abi::Value> who{abi::Value::address(me)};
  lp::chain::CallRequest call;
  call.to = c.service_registry;
  call.data = abi::encode_call("getServiceURI", who);
  if (auto r = rpc.call(call); r) {
    if (auto s = abi::Reader(*r).string(0)) uri = *s;
  }
  std::printf("orchestrator:     %s\n", me.checksummed().c_str());
  std::printf("round:            %llu (%s)\n", static_cast<unsigned long long>(*round),
              *initialized ? "initialized" : "not initialized");
  std::printf("stake:            %s LPT\n", ether(*stake).c_str());
  std::printf("active:           %s\n", *active ? "yes" : "no");
  std::printf("reward cut:       %.4g%%   fee share: %.4g%%\n", static_cast<double>(t->reward_cut) / 10000.0,
              static_cast<double>(t->fee_share) / 10000.0);
  std::printf("last reward:      round %llu\n", static_cast<unsigned long long>(t->last_reward_round));
  std::printf("pending fees:     %s ETH (%s wei)\n", ether(*fees).c_str(), fees->to_dec().c_str());
  std::printf("ETH for gas:      %s ETH\n", ether(*eth).c_str());
  std::printf("service URI:      %s\n", uri.empty() ? "(none)" : uri.c_str());
  print_node_tickets(a.cli_addr);
  return 0;
}

int activate(lp::chain::EthRpc& rpc, const lp::chain::LivepeerContracts& c, const lp::eth::PrivateKey& key,
             const ChainArgs& a) {
  auto stake = U256::from_dec(a.stake);
  if (!stake || stake->is_zero()) return fail("activate: --stake needs LPT in wei, more than 0");
  if (a.reward_cut < 0 || a.reward_cut > 100 || a.fee_share < 0 || a.fee_share > 100)
    return fail("activate: --reward-cut and --fee-share are percentages, 0 to 100");
  if (!a.service_uri.starts_with("https://")) return fail("activate: --service-uri must be https://HOST:PORT");
  const lp::eth::Address me = key.address();
  if (auto r = send(rpc, key, c.livepeer_token, "approve",
                    {abi::Value::address(c.bonding_manager), abi::Value::uint256(*stake)}, "LivepeerToken.approve");
      !r)
    return fail(r.error().message);
  if (auto r = send(rpc, key, c.bonding_manager, "bond", {abi::Value::uint256(*stake), abi::Value::address(me)},
                    "BondingManager.bond");
      !r)
    return fail(r.error().message);
  const std::vector<abi::Value> params{abi::Value::uint256(ppm(a.reward_cut)), abi::Value::uint256(ppm(a.fee_share))};
  auto set = send(rpc, key, c.bonding_manager, "transcoder", params, "BondingManager.transcoder");
  if (!set && set.error().message.find("caller can't be active") != std::string::npos) {
    // Already active this round (an earlier bond): the contract wants this round's reward first.
    if (auto r = send(rpc, key, c.bonding_manager, "reward", {}, "BondingManager.reward"); !r)
      return fail(r.error().message);
    set = send(rpc, key, c.bonding_manager, "transcoder", params, "BondingManager.transcoder");
  }
  if (!set) return fail(set.error().message);
  if (auto r = send(rpc, key, c.service_registry, "setServiceURI", {abi::Value::string(a.service_uri)},
                    "ServiceRegistry.setServiceURI");
      !r)
    return fail(r.error().message);
  std::printf("registered %s: active from the next round\n", me.checksummed().c_str());
  return 0;
}

}  // namespace

int lpctl_chain_main(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  if (sub != "status" && sub != "activate" && sub != "reward" && sub != "withdraw-fees") {
    std::fprintf(sub == "help" || sub == "--help" ? stdout : stderr,
                 "usage: lpctl chain status|activate|reward|withdraw-fees --eth-url URL [--eth-controller 0xADDR]\n"
                 "         --eth-keystore-path PATH --eth-password PASSWORD|FILE [--eth-acct-addr 0xADDR]\n"
                 "       status:        [--address 0xADDR instead of the keystore] [--cli-addr HOST:PORT]\n"
                 "       activate:      --stake LPT_WEI --reward-cut PERCENT --fee-share PERCENT --service-uri URI\n"
                 "       withdraw-fees: [--amount WEI (default: all)] [--to 0xADDR (default: the orchestrator)]\n");
    return sub == "help" || sub == "--help" ? 0 : 2;
  }
  ChainArgs a;
  g_autofree char *eth_url = nullptr, *controller = nullptr, *keystore = nullptr, *password = nullptr, *acct = nullptr,
                  *address = nullptr, *cli = nullptr, *stake = nullptr, *uri = nullptr, *amount = nullptr,
                  *to = nullptr;
  GOptionEntry entries[] = {
      {"eth-url", 0, 0, G_OPTION_ARG_STRING, &eth_url, "The chain node's JSON-RPC URL", "URL"},
      {"eth-controller", 0, 0, G_OPTION_ARG_STRING, &controller, "Livepeer's Controller (default Arbitrum One's)",
       "0xADDR"},
      {"eth-keystore-path", 0, 0, G_OPTION_ARG_STRING, &keystore, "The node's keystore file or directory", "PATH"},
      {"eth-password", 0, 0, G_OPTION_ARG_STRING, &password, "The keystore's password, or a file holding it",
       "PW|FILE"},
      {"eth-acct-addr", 0, 0, G_OPTION_ARG_STRING, &acct, "Which key, when the directory holds several", "0xADDR"},
      {"address", 0, 0, G_OPTION_ARG_STRING, &address, "status: the orchestrator, without its key", "0xADDR"},
      {"cli-addr", 0, 0, G_OPTION_ARG_STRING, &cli, "status: the node's operator API (default 127.0.0.1:7935)",
       "HOST:PORT"},
      {"stake", 0, 0, G_OPTION_ARG_STRING, &stake, "activate: LPT to bond, in wei", "WEI"},
      {"reward-cut", 0, 0, G_OPTION_ARG_DOUBLE, &a.reward_cut, "activate: % of rewards kept", "PERCENT"},
      {"fee-share", 0, 0, G_OPTION_ARG_DOUBLE, &a.fee_share, "activate: % of fees shared with delegators", "PERCENT"},
      {"service-uri", 0, 0, G_OPTION_ARG_STRING, &uri, "activate: https://HOST:PORT gateways reach", "URI"},
      {"amount", 0, 0, G_OPTION_ARG_STRING, &amount, "withdraw-fees: wei (default all)", "WEI"},
      {"to", 0, 0, G_OPTION_ARG_STRING, &to, "withdraw-fees: recipient (default the orchestrator)", "0xADDR"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new(sub.c_str());
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  int sub_argc = argc - 1;
  char** sub_argv = argv + 1;
  if (!g_option_context_parse(ctx, &sub_argc, &sub_argv, &err) || sub_argc != 1) {
    std::fprintf(stderr, "lpctl chain %s: %s\n", sub.c_str(), err ? err->message : "unexpected arguments");
    return 2;
  }
  if (!eth_url) {
    std::fprintf(stderr, "lpctl chain %s: --eth-url is required\n", sub.c_str());
    return 2;
  }
  a.eth_url = eth_url;
  if (controller) a.controller = controller;
  if (keystore) a.keystore = keystore;
  if (password) {
    // The flag's value, or a file holding it, as lpnode takes --eth-password.
    auto pw = lp::flag_values::secret_or_file(password, "--eth-password");
    if (!pw) return fail(pw.error().message);
    a.password = std::move(*pw);
  }
  if (acct) a.acct_addr = acct;
  if (address) a.address = address;
  if (cli) a.cli_addr = cli;
  if (stake) a.stake = stake;
  if (uri) a.service_uri = uri;
  if (amount) a.amount = amount;
  if (to) a.to = to;

  auto controller_address = lp::eth::parse_address(a.controller);
  if (!controller_address) return fail("--eth-controller: not a 0x address: " + a.controller);
  lp::chain::EthRpc rpc(a.eth_url);
  auto contracts = lp::chain::lookup_contracts(rpc, *controller_address);
  if (!contracts)
    return fail("reading the contracts from the Controller at " + a.eth_url + ": " + contracts.error().message);

  if (sub == "status" && !a.address.empty()) {
    auto me = lp::eth::parse_address(a.address);
    if (!me) return fail("--address: not a 0x address");
    return status(rpc, *contracts, *me, a);
  }
  auto key = load_key(a);
  if (!key) return fail(key.error().message);
  if (sub == "status") return status(rpc, *contracts, key->address(), a);
  if (sub == "activate") return activate(rpc, *contracts, *key, a);
  if (sub == "reward") {
    auto r = send(rpc, *key, contracts->bonding_manager, "reward", {}, "BondingManager.reward");
    return r ? 0 : fail(r.error().message);
  }
  // withdraw-fees
  lp::chain::BondingManager bm(rpc, contracts->bonding_manager);
  U256 wei;
  if (a.amount.empty()) {
    auto fees = bm.pending_fees(key->address(), 0);
    if (!fees) return fail("pendingFees: " + fees.error().message);
    if (fees->is_zero()) return fail("withdraw-fees: no pending fees");
    wei = *fees;
  } else {
    auto parsed = U256::from_dec(a.amount);
    if (!parsed) return fail("--amount: a whole number of wei");
    wei = *parsed;
  }
  lp::eth::Address recipient = key->address();
  if (!a.to.empty()) {
    auto parsed = lp::eth::parse_address(a.to);
    if (!parsed) return fail("--to: not a 0x address");
    recipient = *parsed;
  }
  auto r = send(rpc, *key, contracts->bonding_manager, "withdrawFees",
                {abi::Value::address(recipient), abi::Value::uint256(wei)}, "BondingManager.withdrawFees");
  if (!r) return fail(r.error().message);
  std::printf("withdrew %s ETH to %s\n", ether(wei).c_str(), recipient.checksummed().c_str());
  return 0;
}
