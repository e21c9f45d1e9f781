// /metrics as Prometheus scrapes it from real lpnode processes (an orchestrator and a
// standalone transcoder with --cli-addr), after segments that fill every family that has
// labels or buckets: the text must pass promtool's `check metrics` rules
// (tests/support/prometheus_text.h; and promtool itself where installed), and every family
// must be named in docs/operator-api.md, so a rename cannot leave the docs behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "node_cluster.h"
#include "prometheus_text.h"

namespace lp::test {
namespace {

using std::chrono::seconds;

std::string operator_api_doc() {
  return file_string((std::filesystem::path(LP_SOURCE_DIR) / "docs" / "operator-api.md").string());
}

// Scrapes `url` and checks it as a Prometheus server and promtool would; returns the text.
std::string scrape_and_lint(const std::string& url) {
  HttpResponse r = http_request("GET", url, "", {}, seconds(10));
  EXPECT_EQ(r.status, 200) << url;
  EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u) << r.header("content-type");
  for (const std::string& p : lint_prometheus_text(r.body)) ADD_FAILURE() << url << ": " << p;
  if (auto promtool = run_promtool(r.body)) {
    EXPECT_EQ(promtool->status, 0) << url << ": promtool check metrics:\n" << promtool->output;
  }
  const std::string doc = operator_api_doc();
  EXPECT_FALSE(doc.empty()) << "cannot read docs/operator-api.md";
  const PromText parsed = parse_prometheus_text(r.body);
  EXPECT_FALSE(parsed.families.empty()) << url;
  for (const PromFamily& f : parsed.families) {
    EXPECT_EQ(f.name.rfind("lpgst_", 0), 0u) << f.name;
    EXPECT_NE(doc.find("`" + f.name), std::string::npos) << f.name << " is not in docs/operator-api.md";
  }
  return r.body;
}

TEST(MetricsLint, OrchestratorAndTranscoderPassPromtoolsRules) {
  OrchestratorOptions options;
  Orchestrator orch = start_orchestrator(options);
  const int transcoder_cli = free_port();
  auto transcoder =
      NodeProcess::start(lpnode_binary(),
                         {"--transcoder", "--orch-addr", orch.address(), "--orch-secret", options.secret,
                          "--max-sessions", "1", "--cli-addr", "127.0.0.1:" + std::to_string(transcoder_cli)},
                         "transcoder");
  ASSERT_TRUE(transcoder->wait_for_log("registered with the orchestrator", seconds(20))) << transcoder->log();

  // One good segment and one that fails: histograms get observations, the failure counter a label.
  const std::string token = auth_token(orch);
  HttpResponse ok = post_segment(orch, token, "lint", 0, small_segments()[0]);
  ASSERT_EQ(ok.status, 200) << ok.body;
  HttpResponse bad = post_segment(orch, token, "lint", 1, std::string(5000, 'z'));
  ASSERT_EQ(bad.status, 422) << bad.body;

  const std::string orch_text = scrape_and_lint(orch.cli_url("/metrics"));
  const PromText o = parse_prometheus_text(orch_text);
  EXPECT_EQ(o.get("lpgst_segment_transcode_failed_total", {{"code", "bad_segment"}}), 1.0) << orch_text;
  EXPECT_EQ(o.get("lpgst_transcode_overall_latency_seconds_count"), 2.0) << orch_text;
  EXPECT_EQ(o.get("lpgst_current_sessions"), 0.0) << orch_text;

  const std::string t_text = scrape_and_lint("http://127.0.0.1:" + std::to_string(transcoder_cli) + "/metrics");
  EXPECT_EQ(parse_prometheus_text(t_text).get("lpgst_transcoder_connected", {{"protocol", "lpgst"}}), 1.0) << t_text;
}

}  // namespace
}  // namespace lp::test
