// Integration-test helpers over real lpnode processes on loopback: start orchestrators and
// transcoders on free ports, talk the v1 protocol to them, read /status. Every process is
// owned by a NodeProcess, so it is killed and reaped when the test ends, pass or fail.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "media.h"
#include "node_process.h"

namespace lp::test {

// The lpnode binary under test ($LPNODE, set by meson).
std::string lpnode_binary();
// The lpctl binary under test ($LPCTL).
std::string lpctl_binary();

// lpctl run to the end: its exit status (-1: still running after `limit`, then killed) and output.
struct Ran {
  int status = -1;
  std::string log;
};
Ran run_lpctl(const std::vector<std::string>& args, const std::string& name,
              std::chrono::seconds limit = std::chrono::seconds(240));

// A keystore (light scrypt, so starts stay fast) and its password file, made once per process.
struct TestKey {
  std::string keystore;
  std::string password_file;
  std::string address;  // EIP-55
};
const TestKey& test_key();

struct Orchestrator {
  std::unique_ptr<NodeProcess> process;
  int http_port = 0;
  int cli_port = 0;
  bool tls = true;
  std::string url(const std::string& path) const;      // public API
  std::string address() const;                         // as --orch-addr: 127.0.0.1:P (TLS) or http://127.0.0.1:P
  std::string cli_url(const std::string& path) const;  // operator API
};

struct OrchestratorOptions {
  std::string secret = "test-secret";  // "" = no --orch-secret
  bool transcoder = false;             // combined mode
  std::string max_sessions = "10";
  int http_port = 0;  // 0 = a free one
  int cli_port = 0;
  bool tls = true;                 // false: --http-addr http://... (plain)
  std::vector<std::string> extra;  // more flags
};

// Starts `lpnode --orchestrator ...` and waits until it listens (fails the test otherwise).
Orchestrator start_orchestrator(const OrchestratorOptions& options, const std::string& name = "orchestrator");

// Starts `lpnode --transcoder --orch-addr 127.0.0.1:<port> ...`; waits for its registration
// when `wait` (fails the test otherwise).
std::unique_ptr<NodeProcess> start_transcoder(const Orchestrator& orch, int capacity, const std::string& name,
                                              const std::string& secret = "test-secret", bool wait = true);

// GET /v1/info's token as the Lp-Auth-Token header value ("" on failure).
std::string auth_token(const Orchestrator& orch);

// The headers of a valid POST /v1/segment for `body`.
std::map<std::string, std::string> segment_headers(const std::string& token, const std::string& stream, int64_t seq,
                                                   const std::string& body,
                                                   const std::string& profiles = "P144p30fps16x9");

HttpResponse post_segment(const Orchestrator& orch, const std::string& token, const std::string& stream, int64_t seq,
                          const std::string& body, const std::string& profiles = "P144p30fps16x9",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The "code" of an error body ("" when it is not one).
std::string error_code(const HttpResponse& response);

// /status, reduced to what tests look at.
struct TranscoderRow {
  std::string id;
  std::string address;
  bool local = false;
  int capacity = 0;
  int load = 0;
  int segments = 0;
  std::string protocol;  // "local", "lpgst" or "livepeer"
};
struct Status {
  bool ok = false;
  int max_sessions = 0;
  int sessions_in_use = 0;
  std::vector<TranscoderRow> transcoders;
  std::map<std::string, int64_t> totals;
  std::string raw;
};
Status get_status(const Orchestrator& orch);

// Polls /status until `n` transcoders are registered; false after `timeout`.
bool wait_for_transcoders(const Orchestrator& orch, size_t n, std::chrono::milliseconds timeout);

// A metric's value in /metrics text (sum over label sets when `name` has several); -1 if absent.
double metric_value(const std::string& metrics_text, const std::string& name);

// Small keyframe-aligned MPEG-TS segments of one generated stream (320x180, 30 fps, 1 s
// each by default), as strings, made once per process and shared.
const std::vector<std::string>& small_segments();

std::string file_string(const std::string& path);

}  // namespace lp::test
