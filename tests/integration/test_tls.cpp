// TLS on the orchestrator's public port, on real processes: the self-signed certificate is
// made once under --data-dir and kept, its fingerprint is printed and in /status, plain
// clients get nothing, and a transcoder's pin decides whether it registers.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>

#include "node_cluster.h"

namespace lp::test {
namespace {

using namespace std::chrono;

// The first group of `pattern` in `text` ("" when it does not match).
std::string first_match(const std::string& text, const char* pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

std::string fingerprint_in_log(const NodeProcess& p) {
  return first_match(p.log(), "TLS certificate sha256 ([0-9a-f]{64})");
}

std::string status_fingerprint(const Orchestrator& o) {
  return first_match(get_status(o).raw, "\"tls_cert_sha256\"\\s*:\\s*\"([0-9a-f]*)\"");
}

TEST(Tls, CertificateIsMadeOnceAndKeptAcrossRestarts) {
  TempDir data;
  OrchestratorOptions o;
  o.extra = {"--data-dir", data.path()};
  Orchestrator first = start_orchestrator(o, "tls-first");
  const std::string fp = fingerprint_in_log(*first.process);
  ASSERT_EQ(fp.size(), 64u) << first.process->log();
  EXPECT_EQ(status_fingerprint(first), fp);
  EXPECT_TRUE(std::filesystem::exists(data.file("tls/cert.pem")));
  EXPECT_TRUE(std::filesystem::exists(data.file("tls/key.pem")));
  EXPECT_EQ(http_request("GET", first.url("/v1/info")).status, 200);
  // Plain HTTP on the TLS port gets no answer that a client could take for one.
  EXPECT_NE(http_request("GET", "http://127.0.0.1:" + std::to_string(first.http_port) + "/v1/info", "", {}, seconds(5))
                .status,
            200);
  first.process.reset();
  o.http_port = first.http_port;
  o.cli_port = first.cli_port;
  Orchestrator second = start_orchestrator(o, "tls-second");
  EXPECT_EQ(fingerprint_in_log(*second.process), fp);
}

TEST(Tls, TranscoderPinDecidesWhetherItRegisters) {
  TempDir data;
  OrchestratorOptions o;
  o.extra = {"--data-dir", data.path()};
  Orchestrator orch = start_orchestrator(o, "tls-pinned");
  const std::string fp = fingerprint_in_log(*orch.process);
  ASSERT_EQ(fp.size(), 64u);
  std::string wrong = fp;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto liar = NodeProcess::start(
      lpnode_binary(),
      {"--transcoder", "--orch-addr", orch.address(), "--orch-secret", "test-secret", "--orch-cert-sha256", wrong},
      "wrong-pin");
  EXPECT_TRUE(liar->wait_for_log("is not the pinned", seconds(10))) << liar->log();
  EXPECT_EQ(get_status(orch).transcoders.size(), 0u);
  auto right = NodeProcess::start(lpnode_binary(),
                                  {"--transcoder", "--orch-addr", orch.address(), "--orch-secret", "test-secret",
                                   "--orch-cert-sha256", fp, "--max-sessions", "1"},
                                  "right-pin");
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(10))) << right->log();
  // The pinned transcoder fetches and uploads over TLS too: a segment goes through it.
  auto r = post_segment(orch, auth_token(orch), "pinned", 0, small_segments()[0]);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(Tls, PlainHttpIsOnlyWhenAsked) {
  OrchestratorOptions o;
  o.tls = false;
  Orchestrator orch = start_orchestrator(o, "plain");
  EXPECT_TRUE(orch.process->wait_for_log("public port is plain HTTP", seconds(1))) << orch.process->log();
  EXPECT_EQ(http_request("GET", orch.url("/v1/info")).status, 200);
  EXPECT_EQ(status_fingerprint(orch), "");
  auto t = start_transcoder(orch, 1, "plain-transcoder");
  auto r = post_segment(orch, auth_token(orch), "plain", 0, small_segments()[0]);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace lp::test
