// lpnode's command line. One table holds every flag with its GNU and go-livepeer names, so both
// spellings share the value checks and --help lists both from the same source.
#include "node_options.h"

#include <glib.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "http/tls_trust.h"
#include "node_flag_values.h"

namespace lp {
namespace {

using namespace flag_values;

struct FlagSpec {
  std::string_view gnu = {};             // --gnu
  std::string_view go = {};              // go-livepeer's -go; "" = lpgst only
  std::string_view alias = {};           // another go-livepeer name for the same flag
  bool NodeOptions::*boolean = nullptr;  // set for on/off flags
  Apply apply = nullptr;                 // set for flags that take a value
  std::string_view arg = {};             // the value's name in --help
  std::string_view def = {};             // the default in --help
  std::string_view help = {};
};

// One flag per entry reads better than what the formatter makes of this table.
// clang-format off
// Order is --help's order.
const std::array kFlags = {
    FlagSpec{.gnu = "orchestrator", .go = "orchestrator", .boolean = &NodeOptions::orchestrator,
             .help = "Take transcoding requests and hand them to transcoders"},
    FlagSpec{.gnu = "transcoder", .go = "transcoder", .boolean = &NodeOptions::transcoder,
             .help = "Transcode: in-process with --orchestrator, else for --orch-addr"},
    FlagSpec{.gnu = "gateway", .go = "gateway", .alias = "broadcaster",
             .boolean = &NodeOptions::gateway, .help = "Take live streams in, serve them as HLS"},
    FlagSpec{.gnu = "http-addr", .go = "httpAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               const auto [bare, plain] = strip_scheme(v);
               o.http_plain = plain;
               return set_addr(o.http_addr, bare, f, AddrKind::Bind, "8935");
             },
             .arg = "[http://]HOST:PORT", .def = "0.0.0.0:8935",
             .help = "Public API, TLS (http://HOST:PORT = plain HTTP, for loopback and tests)"},
    FlagSpec{.gnu = "tls-cert",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.tls_cert = std::string(v);
               return {};
             },
             .arg = "PEM", .def = "self-signed in --data-dir/tls", .help = "Public port's TLS certificate (chain)"},
    FlagSpec{.gnu = "tls-key",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.tls_key = std::string(v);
               return {};
             },
             .arg = "PEM", .def = "with --tls-cert", .help = "Public port's TLS private key"},
    FlagSpec{.gnu = "orch-cert-sha256",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               o.orch_cert_sha256 = normalize_certificate_pin(std::string(v));
               if (o.orch_cert_sha256.empty()) return bad_value(f, "64 hex digits (':' allowed)", v);
               return {};
             },
             .arg = "HEX", .def = "any certificate",
             .help = "Transcoder: accept only the orchestrator certificate with this SHA-256"},
    FlagSpec{.gnu = "http-header-timeout",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_ms(o.http_limits.header_timeout, v, f);
             },
             .arg = "SECONDS", .def = "10", .help = "A new connection's request head (and TLS handshake) must arrive in this time"},
    FlagSpec{.gnu = "http-idle-timeout",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_ms(o.http_limits.idle_timeout, v, f);
             },
             .arg = "SECONDS", .def = "30", .help = "A kept-alive connection with no next request is closed after this"},
    FlagSpec{.gnu = "http-stall-timeout",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_ms(o.http_limits.stall_timeout, v, f);
             },
             .arg = "SECONDS", .def = "10", .help = "A request body or answer with no progress this long is cut off"},
    FlagSpec{.gnu = "http-min-body-rate",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int64_t>(v, 0, int64_t{1} << 40);
               if (!n) return bad_value(f, "bytes per second", v);
               o.http_limits.min_body_rate = static_cast<size_t>(*n);
               return {};
             },
             .arg = "BYTES/S", .def = "4096", .help = "Slowest average a request body may arrive at"},
    FlagSpec{.gnu = "http-max-connections",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_count(o.http_limits.max_connections, v, f);
             },
             .arg = "N", .def = "1024", .help = "Open connections per listener (also kept under the fd limit)"},
    FlagSpec{.gnu = "http-max-connections-per-ip",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_count(o.http_limits.max_connections_per_address, v, f);
             },
             .arg = "N", .def = "64", .help = "Open connections from one client address"},
    FlagSpec{.gnu = "http-max-bodies",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_count(o.http_limits.max_bodies, v, f);
             },
             .arg = "N", .def = "64", .help = "Request bodies received at once; more get 503 unread"},
    FlagSpec{.gnu = "service-addr", .go = "serviceAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_addr(o.service_addr, v, f, AddrKind::Dial, "8935");
             },
             .arg = "HOST:PORT", .def = "from --http-addr",
             .help = "The address clients are told to use (/v1/info)"},
    FlagSpec{.gnu = "cli-addr", .go = "cliAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               o.cli_addr_given = true;
               return set_addr(o.cli_addr, v, f, AddrKind::Bind, "7935");
             },
             .arg = "HOST:PORT", .def = "127.0.0.1:7935",
             .help = "Operator API (a standalone transcoder serves /status and /metrics there only when given)"},
    FlagSpec{.gnu = "orch-addr", .go = "orchAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_orch_addrs(o, v, f);
             },
             .arg = "HOST:PORT[,...]", .def = "none",
             .help = "Transcoder: the orchestrator to work for; gateway: the orchestrators to use, in order"},
    FlagSpec{.gnu = "orch-protocol",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               if (v != "auto" && v != "lpgst" && v != "livepeer") return bad_value(f, "auto, lpgst or livepeer", v);
               o.orch_protocol = std::string(v);
               return {};
             },
             .arg = "auto|lpgst|livepeer", .def = "auto",
             .help = "Transcoder: the orchestrator's protocol (auto asks it at connect time)"},
    FlagSpec{.gnu = "rtmp-addr", .go = "rtmpAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_addr(o.rtmp_addr, v, f, AddrKind::Bind, "1935");
             },
             .arg = "HOST:PORT", .def = "127.0.0.1:1935", .help = "Gateway: where publishers push RTMP"},
    FlagSpec{.gnu = "stream-timeout",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int>(v, 1, 86400);
               if (!n) return bad_value(f, "seconds, 1 to 86400", v);
               o.stream_timeout_s = *n;
               return {};
             },
             .arg = "SECONDS", .def = "30",
             .help = "Gateway: a stream with no input this long ends; ended ones are removed this long after"},
    FlagSpec{.gnu = "result-ttl",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int>(v, 1, 86400);
               if (!n) return bad_value(f, "seconds, 1 to 86400", v);
               o.result_ttl_s = *n;
               return {};
             },
             .arg = "SECONDS", .def = "300", .help = "Orchestrator: how long result URLs answer (results are kept in memory)"},
    FlagSpec{.gnu = "max-renditions",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_count(o.max_renditions, v, f);
             },
             .arg = "N", .def = "10", .help = "Orchestrator: renditions one segment may ask for (400 past it)"},
    FlagSpec{.gnu = "max-frame-pixels",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int64_t>(v, 1, int64_t{1} << 40);
               if (!n) return bad_value(f, "a pixel count", v);
               o.max_frame_pixels = *n;
               return {};
             },
             .arg = "N", .def = "4096x2304, or less as transcoders announce",
             .help = "Orchestrator: width x height of one rendition (400 past it)"},
    FlagSpec{.gnu = "max-pixels-per-second",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int64_t>(v, 1, int64_t{1} << 50);
               if (!n) return bad_value(f, "a pixel rate", v);
               o.max_pixels_per_second = *n;
               return {};
             },
             .arg = "N", .def = "120 x the frame cap",
             .help = "Orchestrator: width x height x fps summed over a segment's ladder (400 past it)"},
    FlagSpec{.gnu = "max-streams",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) {
               return set_count(o.max_streams, v, f);
             },
             .arg = "N", .def = "64", .help = "Gateway: live streams at once; more get 503 (RTMP: Publish.Rejected)"},
    FlagSpec{.gnu = "ingest-timeout",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               std::chrono::milliseconds ms{};
               if (auto e = set_ms(ms, v, f); !e.ok()) return e;
               o.ingest_timeout_ms = static_cast<int>(ms.count());
               return {};
             },
             .arg = "SECONDS", .def = "10", .help = "Gateway: a publisher that sends no media this long is disconnected"},
    FlagSpec{.gnu = "stream-buffer-mb",
             .apply = [](NodeOptions& o, std::string_view v, const std::string& f) -> Result<void> {
               const auto n = parse_int<int>(v, 1, 4096);
               if (!n) return bad_value(f, "1 to 4096", v);
               o.stream_buffer_mb = *n;
               return {};
             },
             .arg = "MB", .def = "16", .help = "Gateway: input a stream may have waiting; past it the stream is dropped"},
    FlagSpec{.gnu = "orch-secret", .go = "orchSecret", .apply = set_orch_secret,
             .arg = "SECRET|FILE", .def = "none",
             .help = "Secret shared by an orchestrator and its transcoders, or a file holding it"},
    FlagSpec{.gnu = "max-sessions", .go = "maxSessions", .apply = set_max_sessions,
             .arg = "N|auto", .def = "10",
             .help = "Concurrent sessions, 1..100000; auto (orchestrator) = its transcoders' sum"},
    FlagSpec{.gnu = "transcoding-options", .go = "transcodingOptions",
             .apply = set_transcoding_options, .arg = "PRESETS|JSON|FILE", .def = kDefaultProfiles,
             .help = "Renditions: preset names, a JSON array, or a JSON file"},
    FlagSpec{.gnu = "nvidia", .go = "nvidia", .apply = set_nvidia, .arg = "IDS|all",
             .def = "none (CPU)", .help = "NVIDIA GPUs to transcode on: 0,1 or all"},
    FlagSpec{.gnu = "pipeline-template",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.pipeline_template = std::string(v);
               return {};
             },
             .arg = "TEMPLATE", .def = "{source} ! {ladder}",
             .help = "GStreamer pipeline each job runs"},
    FlagSpec{.gnu = "data-dir", .go = "dataDir", .alias = "datadir",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.data_dir = std::string(v);
               return {};
             },
             .arg = "DIR", .def = "$HOME/.lpgst", .help = "Where the node keeps its state"},
    FlagSpec{.gnu = "eth-keystore-path", .go = "ethKeystorePath",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.eth_keystore_path = std::string(v);
               return {};
             },
             .arg = "PATH", .def = "none", .help = "Keystore file, or a directory of them"},
    FlagSpec{.gnu = "eth-password", .go = "ethPassword", .apply = set_eth_password,
             .arg = "PASSWORD|FILE", .def = "none",
             .help = "The keystore's password, or a file holding it"},
    FlagSpec{.gnu = "eth-acct-addr", .go = "ethAcctAddr",
             .apply = [](NodeOptions& o, std::string_view v, const std::string&) -> Result<void> {
               o.eth_acct_addr = std::string(v);
               return {};
             },
             .arg = "0xADDRESS", .def = "none",
             .help = "Which account, when the keystore directory holds several"},
    FlagSpec{.gnu = "require-client-signature", .boolean = &NodeOptions::require_client_signature,
             .help = "Refuse segments whose client did not sign them"},
    FlagSpec{.gnu = "network", .go = "network", .apply = set_network,
             .arg = "offchain|devenv|arbitrum-one-mainnet", .def = "offchain",
             .help = "Orchestrator: the chain go-livepeer gateways pay on (docs/payments.md)"},
    FlagSpec{.gnu = "eth-url", .go = "ethUrl", .apply = set_eth_url, .arg = "URL", .def = "none",
             .help = "Orchestrator on chain: the Ethereum node's JSON-RPC URL"},
    FlagSpec{.gnu = "eth-controller", .go = "ethController", .apply = set_eth_controller, .arg = "0xADDRESS",
             .def = "the network's", .help = "Orchestrator on chain: Livepeer's Controller contract"},
    FlagSpec{.gnu = "price-per-unit", .go = "pricePerUnit", .apply = set_price, .arg = "WEI",
             .def = "0", .help = "Orchestrator on chain: wei charged per --pixels-per-unit output pixels"},
    FlagSpec{.gnu = "pixels-per-unit", .go = "pixelsPerUnit", .apply = set_pixels, .arg = "N",
             .def = "1", .help = "Orchestrator on chain: the pixels one price unit buys"},
    FlagSpec{.gnu = "price-per-gateway", .go = "pricePerGateway", .alias = "pricePerBroadcaster",
             .apply = set_price_per_gateway, .arg = "JSON|FILE", .def = "none",
             .help = "Orchestrator on chain: prices for given gateways: {\"gateways\":[{\"ethaddress\":..,\"priceperunit\":..,\"pixelsperunit\":..}]}"},
    FlagSpec{.gnu = "ticket-ev", .go = "ticketEV", .apply = set_ticket_ev, .arg = "WEI",
             .def = "1000000000000", .help = "Orchestrator on chain: the expected value of one ticket"},
    FlagSpec{.gnu = "max-face-value", .go = "maxFaceValue", .apply = set_max_face_value, .arg = "WEI",
             .def = "none", .help = "Orchestrator on chain: the largest ticket face value asked for"},
    FlagSpec{.gnu = "auto-adjust-price", .go = "autoAdjustPrice", .boolean = &NodeOptions::auto_adjust_price,
             .help = "Orchestrator on chain: raise the price by the redemption cost's share of a ticket (default on)"},
    FlagSpec{.gnu = "reward", .go = "reward", .boolean = &NodeOptions::reward,
             .help = "Orchestrator on chain: call reward() once per round while in the active set"},
    FlagSpec{.gnu = "initialize-round", .go = "initializeRound", .boolean = &NodeOptions::initialize_round,
             .help = "Orchestrator on chain: initialize a new round that nobody has initialized"},
    FlagSpec{.gnu = "block-polling-interval", .go = "blockPollingInterval", .apply = set_block_polling_interval,
             .arg = "SECONDS", .def = "5", .help = "Orchestrator on chain: how often the chain node is asked for new blocks"},
    FlagSpec{.gnu = "test-transcoder", .go = "testTranscoder", .boolean = &NodeOptions::test_transcoder,
             .help = "Accepted for go-livepeer compatibility: a transcoder always checks its encoders (and GPUs) at start"},
    FlagSpec{.gnu = "monitor", .go = "monitor", .boolean = &NodeOptions::monitor,
             .help = "Accepted for go-livepeer compatibility; does nothing yet"},
    FlagSpec{.gnu = "verbosity", .go = "v", .apply = set_verbosity, .arg = "N", .def = "0",
             .help = "Log detail (go-livepeer's glog -v levels)"},
    FlagSpec{.gnu = "help", .go = "help", .alias = "h", .boolean = &NodeOptions::help,
             .help = "Print this text"},
    FlagSpec{.gnu = "version", .go = "version", .boolean = &NodeOptions::version,
             .help = "Print the version"},
};
// clang-format on

// go-livepeer flags we do not take, so a migrated command line fails with a pointer to the
// mapping rather than a bare "unknown flag".
constexpr std::string_view kGoOnlyFlags[] = {
    "nodes",
    "verifierUrl",
    "verifierPath",
    "localVerify",
    "httpIngest",
    "orchWebhookUrl",
    "extraNodes",
    "orchBlocklist",
    "orchMinLivepeerVersion",
    "selectRandFreq",
    "selectStakeWeight",
    "selectPriceWeight",
    "selectPriceExpFactor",
    "orchPerfStatsUrl",
    "region",
    "maxPricePerUnit",
    "maxPricePerCapability",
    "ignoreMaxPriceIfNeeded",
    "minPerfScore",
    "discoveryTimeout",
    "gatewayHost",
    "maxAttempts",
    "currentManifest",
    "netint",
    "hevcDecoding",
    "aiWorker",
    "aiModels",
    "aiModelsDir",
    "aiServiceRegistry",
    "ethOrchAddr",
    "transactionTimeout",
    "maxTransactionReplacements",
    "gasLimit",
    "minGasPrice",
    "maxGasPrice",
    "maxTicketEV",
    "maxTotalEV",
    "depositMultiplier",
    "ignoreSenderReserve",
    "priceFeedAddr",
    "redeemer",
    "redeemerAddr",
    "metricsPerStream",
    "metricsClientIP",
    "objectStore",
    "recordStore",
    "authWebhookUrl",
};

// Any known name answers with one or two dashes, as Go's flag package does.
const FlagSpec* find_flag(std::string_view name) {
  for (const auto& f : kFlags) {
    if (name == f.gnu || (!f.go.empty() && name == f.go) || (!f.alias.empty() && name == f.alias)) {
      return &f;
    }
  }
  return nullptr;
}

Error unknown_flag(const std::string& spelled, std::string_view name) {
  for (std::string_view go : kGoOnlyFlags) {
    if (name == go) {
      return bad("unknown flag " + spelled +
                 " (a go-livepeer flag lpgst does not support; see docs/go-livepeer-flags.md)");
    }
  }
  return bad("unknown flag " + spelled + " (lpnode --help lists the flags)");
}

// "--max-sessions=4" -> name "max-sessions", value "4", spelled "--max-sessions".
struct SplitArg {
  std::string spelled;
  std::string_view name;
  std::optional<std::string_view> value;
};

std::optional<SplitArg> split_flag(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::nullopt;
  const size_t dashes = arg.starts_with("--") ? 2 : 1;
  std::string_view body = arg.substr(dashes);
  if (body.empty() || body[0] == '-' || body[0] == '=') return std::nullopt;
  SplitArg out;
  if (const auto eq = body.find('='); eq != std::string_view::npos) {
    out.value = body.substr(eq + 1);
    body = body.substr(0, eq);
  }
  out.name = body;
  out.spelled = std::string(arg.substr(0, dashes + body.size()));
  return out;
}

Result<void> validate(const NodeOptions& o) {
  if (!o.orchestrator && !o.transcoder && !o.gateway) {
    return bad("no role given: use --orchestrator, --transcoder and/or --gateway");
  }
  if (o.gateway && (o.orchestrator || o.transcoder)) {
    return bad(
        "--gateway runs as its own process (it serves HLS on its own --http-addr); "
        "point it at orchestrators with --orch-addr");
  }
  if (o.gateway && o.orch_addrs.empty()) return bad("--gateway needs --orch-addr (one or more, comma-separated)");
  if (o.max_sessions_auto && !o.orchestrator) {
    return bad("--max-sessions auto needs --orchestrator (a transcoder needs a number)");
  }
  if (o.transcoder && !o.orchestrator) {
    if (o.orch_addr.empty()) return bad("--transcoder without --orchestrator needs --orch-addr");
    if (o.orch_addrs.size() > 1) return bad("--transcoder works for one orchestrator: give one --orch-addr");
    if (o.orch_secret.empty()) {
      return bad("--transcoder without --orchestrator needs --orch-secret");
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> refused_go_flags() { return {std::begin(kGoOnlyFlags), std::end(kGoOnlyFlags)}; }

Result<NodeOptions> parse_node_options(const std::vector<std::string>& args) {
  NodeOptions o;
  o.transcoding_options = *parse_profiles(kDefaultProfiles);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) return bad("unexpected argument \"" + args[i + 1] + "\"");
      break;
    }
    auto split = split_flag(arg);
    if (!split) {
      return bad("unexpected argument \"" + arg + "\" (every value follows its flag)");
    }
    const FlagSpec* flag = find_flag(split->name);
    if (!flag) return unknown_flag(split->spelled, split->name);
    if (flag->boolean) {
      std::optional<bool> on = true;
      if (split->value) on = parse_go_bool(*split->value);
      if (!on) return bad_value(split->spelled, "true or false", *split->value);
      o.*(flag->boolean) = *on;
      continue;
    }
    std::string_view value;
    if (split->value) {
      value = *split->value;
    } else {
      // The next argument, unless it is itself one of our flags: then the value was forgotten.
      const auto next = i + 1 < args.size() ? split_flag(args[i + 1]) : std::nullopt;
      if (i + 1 >= args.size() || (next && find_flag(next->name))) {
        return bad(split->spelled + " needs a value (" + std::string(flag->arg) + ")");
      }
      value = args[++i];
    }
    if (auto err = flag->apply(o, value, split->spelled); !err.ok()) return std::move(err.error());
  }
  if (o.help || o.version) return o;  // asking for help is not a misconfigured node
  if (auto err = validate(o); !err.ok()) return std::move(err.error());
  return o;
}

std::string node_usage() {
  std::string out =
      "usage: lpnode --orchestrator|--transcoder|--gateway [FLAG VALUE]...\n"
      "\n"
      "Roles combine: --orchestrator --transcoder transcodes in-process; --transcoder alone\n"
      "works for the orchestrator at --orch-addr. Values go as --flag VALUE or --flag=VALUE.\n"
      "go-livepeer's spellings (-maxSessions 4, -orchestrator=true) work too; see\n"
      "docs/go-livepeer-flags.md.\n"
      "\n";
  // "  --flag ARG  (go-livepeer: -flag)  default X", then the help indented below.
  for (const auto& f : kFlags) {
    out += "  --" + std::string(f.gnu);
    if (!f.arg.empty()) out += " " + std::string(f.arg);
    if (!f.go.empty()) {
      out += "  (go-livepeer: -" + std::string(f.go);
      if (!f.alias.empty()) out += ", -" + std::string(f.alias);
      out += ")";
    }
    if (!f.def.empty()) out += "  default " + std::string(f.def);
    out += "\n      " + std::string(f.help) + "\n";
  }
  return out;
}

}  // namespace lp
