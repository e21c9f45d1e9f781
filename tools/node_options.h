// lpnode's command line: GNU long options (--max-sessions 4, --max-sessions=4) and
// go-livepeer's single-dash spellings (-maxSessions 4, -maxSessions=4, -orchestrator,
// -orchestrator=true), so an existing go-livepeer command line starts an lpgst node.
// docs/go-livepeer-flags.md maps one onto the other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "error.h"
#include "http/http_limits.h"
#include "profile.h"

namespace lp {

struct NodeOptions {
  // Roles, any combination (at least one).
  bool orchestrator = false;
  bool transcoder = false;
  bool gateway = false;

  std::string http_addr = "0.0.0.0:8935";  // public API (host:port; ":8935" = all interfaces)
  bool http_plain = false;                 // --http-addr http://...: no TLS on the public port
  std::string tls_cert, tls_key;           // "" = self-signed, kept under --data-dir
  std::string orch_cert_sha256;            // transcoder: pin the orchestrator's certificate
  HttpLimits http_limits;
  std::string service_addr;                  // advertised in /v1/info; "" = derived from http_addr
  std::string cli_addr = "127.0.0.1:7935";   // operator API
  bool cli_addr_given = false;               // a standalone transcoder serves it only when given
  std::string orch_protocol = "auto";        // transcoder: auto | lpgst | livepeer
  std::string orch_addr;                     // transcoder: where its orchestrator listens ("http://" kept: plain)
  std::vector<std::string> orch_addrs;       // gateway: every --orch-addr given (comma list), in order
  std::string rtmp_addr = "127.0.0.1:1935";  // gateway: RTMP ingest (go-livepeer's default)
  int stream_timeout_s = 30;                 // gateway
  int max_streams = 64;                      // gateway: live streams at once
  int ingest_timeout_ms = 10000;             // gateway: a publisher silent this long is closed
  int stream_buffer_mb = 16;                 // gateway: input waiting for the segmenter, per stream

  // The shared orchestrator/transcoder secret: the flag's value, or the contents of the file
  // it names (trailing newline dropped, as geth reads password files). "" = not given.
  std::string orch_secret;

  int result_ttl_s = 300;             // orchestrator: how long result URLs answer
  int max_renditions = 0;             // per segment; 0 = the dispatcher's default
  int64_t max_frame_pixels = 0;       // one rendition's width x height; 0 = default
  int64_t max_pixels_per_second = 0;  // over the ladder; 0 = default
  int max_sessions = 10;              // --max-sessions N
  bool max_sessions_auto = false;     // --max-sessions auto: the sum of transcoder capacities

  // --transcoding-options PRESETS|JSON|FILE (parse_profiles); go-livepeer's default otherwise.
  std::vector<Profile> transcoding_options;
  std::string data_dir;           // "" = $HOME/.lpgst
  std::string pipeline_template;  // "" = the default "{source} ! {ladder}"
  std::string nvidia;             // --nvidia 0,1|all; "" = none

  // Identity (orchestrator). The password is the flag's value or the file's contents.
  std::string eth_keystore_path;
  std::string eth_password;
  std::string eth_acct_addr;
  bool require_client_signature = false;

  // Payments (orchestrator on chain; tools/node_payments.h, docs/payments.md).
  std::string network = "offchain";  // offchain | devenv | arbitrum-one-mainnet
  std::string eth_url;               // the chain node's JSON-RPC URL
  std::string eth_controller;        // "" = the network's (arbitrum-one-mainnet)
  int64_t price_per_unit = 0;        // wei per pixels_per_unit pixels
  int64_t pixels_per_unit = 1;
  std::string price_per_gateway;  // JSON or a file holding it; "" = none
  std::string ticket_ev;          // wei, decimal; "" = go-livepeer's default (1e12)
  std::string max_face_value;     // wei, decimal; "" = no cap
  bool auto_adjust_price = true;
  int block_polling_interval_s = 5;
  bool reward = false;            // call reward() once per round while active
  bool initialize_round = false;  // initialize rounds nobody else has
  bool monitor = false;
  bool test_transcoder = true;  // go-livepeer's -testTranscoder; lpgst always tests
  int verbosity = 0;            // -v N / --verbosity N

  bool help = false;
  bool version = false;
};

// Parses argv[1..]. Errors (BadRequest) name the flag: unknown flag, missing value, bad
// number, unreadable secret file, no role, a transcoder without --orch-addr or --orch-secret.
Result<NodeOptions> parse_node_options(const std::vector<std::string>& args);

// The --help text.
std::string node_usage();

// go-livepeer flags lpnode refuses with a pointer to docs/go-livepeer-flags.md (names without
// the dash), so the doc's table can be checked against them.
std::vector<std::string> refused_go_flags();

}  // namespace lp
