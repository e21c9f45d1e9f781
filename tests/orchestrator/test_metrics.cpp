// OrchestratorMetrics and a standalone transcoder's /metrics: the rendered text is parsed
// back (tests/support/prometheus_text.h) so the tests check what a Prometheus scraper would
// read, not string fragments, and linted with promtool's rules (and promtool, when installed).
// Also the dashboard page, which is served next to /metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "dashboard.h"
#include "metrics.h"
#include "prometheus_text.h"
#include "transcoder_status_server.h"

namespace {

using Exposition = lp::test::PromText;

// Parses and fails the test on any format problem.
Exposition parse(const std::string& text) {
  Exposition e = lp::test::parse_prometheus_text(text);
  for (const std::string& p : e.problems) ADD_FAILURE() << p;
  return e;
}

// No problem by promtool's rules, nor by promtool itself where it is installed.
void expect_promtool_clean(const std::string& text) {
  for (const std::string& p : lp::test::lint_prometheus_text(text)) ADD_FAILURE() << p << "\n" << text;
  if (auto promtool = lp::test::run_promtool(text)) {
    EXPECT_EQ(promtool->status, 0) << promtool->output << text;
  }
}

// Checks one histogram: cumulative buckets, +Inf == _count; returns its buckets by bound.
std::map<double, double> check_histogram(const Exposition& e, const std::string& name) {
  std::map<double, double> buckets;
  double last = 0;
  for (const lp::test::PromSample& s : e.samples(name + "_bucket")) {
    const std::string le = s.labels.at("le");
    const double bound = le == "+Inf" ? INFINITY : std::stod(le);
    EXPECT_TRUE(buckets.empty() || bound > buckets.rbegin()->first) << name << " le order";
    EXPECT_GE(s.value, last) << name << " le=" << le << " is not cumulative";
    last = s.value;
    buckets[bound] = s.value;
  }
  EXPECT_TRUE(buckets.count(INFINITY)) << name;
  EXPECT_EQ(buckets[INFINITY], e.get(name + "_count").value_or(-1)) << name;
  EXPECT_TRUE(e.get(name + "_sum").has_value()) << name;
  return buckets;
}

const char* const kHistograms[] = {"lpgst_transcode_time_seconds", "lpgst_transcode_overall_latency_seconds"};

TEST(OrchestratorMetrics, EveryFamilyHasHelpAndTypeFromTheStart) {
  lp::OrchestratorMetrics m;
  const Exposition e = parse(m.render());
  std::map<std::string, std::string> types;
  for (const auto& f : e.families) {
    types[f.name] = f.type;
    EXPECT_TRUE(f.help) << f.name;
  }
  const std::map<std::string, std::string> expected = {
      {"lpgst_orchestrator_transcoders_number", "gauge"},
      {"lpgst_orchestrator_transcoders_capacity", "gauge"},
      {"lpgst_orchestrator_transcoders_load", "gauge"},
      {"lpgst_orchestrator_transcoders_by_protocol", "gauge"},
      {"lpgst_current_sessions", "gauge"},
      {"lpgst_livepeer_gateway_sessions", "gauge"},
      {"lpgst_segment_source_received_total", "counter"},
      {"lpgst_segment_transcoded_total", "counter"},
      {"lpgst_segment_transcode_failed_total", "counter"},
      {"lpgst_segment_redispatched_total", "counter"},
      {"lpgst_transcode_time_seconds", "histogram"},
      {"lpgst_transcode_overall_latency_seconds", "histogram"},
  };
  EXPECT_EQ(types, expected);
  EXPECT_EQ(e.get("lpgst_segment_source_received_total"), 0.0);
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_number"), 0.0);
  EXPECT_TRUE(e.samples("lpgst_segment_transcode_failed_total").empty());
  for (const char* h : kHistograms) {
    const auto buckets = check_histogram(e, h);
    EXPECT_EQ(buckets.at(INFINITY), 0.0);
    // Bounds suited to 0.05..60 s.
    EXPECT_EQ(buckets.begin()->first, 0.05) << h;
    EXPECT_TRUE(buckets.count(60.0)) << h;
  }
}

TEST(OrchestratorMetrics, GaugesAndCountersMove) {
  lp::OrchestratorMetrics m;
  m.set_transcoders(3, 12, 5);
  m.set_current_sessions(4);
  for (int i = 0; i < 3; ++i) m.segment_received();
  m.segment_transcoded();
  m.segment_transcoded();
  m.segment_failed("TranscodeFailed");
  m.segment_failed("TranscodeFailed");
  m.segment_failed("Timeout");
  m.segment_redispatched();

  Exposition e = parse(m.render());
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_number"), 3.0);
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_capacity"), 12.0);
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_load"), 5.0);
  EXPECT_EQ(e.get("lpgst_current_sessions"), 4.0);
  EXPECT_EQ(e.get("lpgst_segment_source_received_total"), 3.0);
  EXPECT_EQ(e.get("lpgst_segment_transcoded_total"), 2.0);
  EXPECT_EQ(e.get("lpgst_segment_transcode_failed_total", {{"code", "TranscodeFailed"}}), 2.0);
  EXPECT_EQ(e.get("lpgst_segment_transcode_failed_total", {{"code", "Timeout"}}), 1.0);
  EXPECT_EQ(e.get("lpgst_segment_redispatched_total"), 1.0);

  // Gauges go down as well as up.
  m.set_transcoders(1, 4, 0);
  m.set_current_sessions(0);
  e = parse(m.render());
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_number"), 1.0);
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_load"), 0.0);
  EXPECT_EQ(e.get("lpgst_current_sessions"), 0.0);
}

TEST(OrchestratorMetrics, HistogramBucketsAreCumulative) {
  lp::OrchestratorMetrics m;
  const double values[] = {0.01, 0.05, 0.07, 0.3, 1.5, 45, 100};
  double sum = 0;
  for (double v : values) {
    m.observe_transcode_time(v);
    sum += v;
  }
  m.observe_overall_latency(2.5);

  const Exposition e = parse(m.render());
  const auto t = check_histogram(e, "lpgst_transcode_time_seconds");
  EXPECT_EQ(t.at(0.05), 2.0);  // le is inclusive
  EXPECT_EQ(t.at(0.1), 3.0);
  EXPECT_EQ(t.at(0.5), 4.0);
  EXPECT_EQ(t.at(2.0), 5.0);
  EXPECT_EQ(t.at(60.0), 6.0);
  EXPECT_EQ(t.at(INFINITY), 7.0);
  EXPECT_NEAR(e.get("lpgst_transcode_time_seconds_sum").value_or(0), sum, 1e-9);

  const auto l = check_histogram(e, "lpgst_transcode_overall_latency_seconds");
  EXPECT_EQ(l.at(2.0), 0.0);
  EXPECT_EQ(l.at(INFINITY), 1.0);
  EXPECT_EQ(e.get("lpgst_transcode_overall_latency_seconds_sum"), 2.5);
}

TEST(OrchestratorMetrics, LabelValuesAreEscaped) {
  lp::OrchestratorMetrics m;
  const std::string code = "a\"b\\c\nd";
  m.segment_failed(code);
  const std::string text = m.render();
  EXPECT_NE(text.find(R"(lpgst_segment_transcode_failed_total{code="a\"b\\c\nd"} 1)"), std::string::npos) << text;
  EXPECT_EQ(parse(text).get("lpgst_segment_transcode_failed_total", {{"code", code}}), 1.0);
}

TEST(OrchestratorMetrics, ConcurrentUpdatesAddUp) {
  lp::OrchestratorMetrics m;
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      const std::string code = t % 2 ? "odd" : "even";
      for (int i = 0; i < kEach; ++i) {
        m.segment_received();
        m.segment_transcoded();
        m.segment_failed(code);
        m.segment_redispatched();
        m.observe_transcode_time(0.2);
        m.observe_overall_latency(0.5);
        m.set_current_sessions(t);
        if (i % 200 == 0) parse(m.render());  // renders race with the updates
      }
    });
  }
  for (auto& th : threads) th.join();

  const Exposition e = parse(m.render());
  const double total = kThreads * kEach;
  EXPECT_EQ(e.get("lpgst_segment_source_received_total"), total);
  EXPECT_EQ(e.get("lpgst_segment_transcoded_total"), total);
  EXPECT_EQ(e.get("lpgst_segment_redispatched_total"), total);
  EXPECT_EQ(e.get("lpgst_segment_transcode_failed_total", {{"code", "odd"}}), total / 2);
  EXPECT_EQ(e.get("lpgst_segment_transcode_failed_total", {{"code", "even"}}), total / 2);
  const auto t = check_histogram(e, "lpgst_transcode_time_seconds");
  EXPECT_EQ(t.at(0.25), total);
  EXPECT_EQ(t.at(0.1), 0.0);
  EXPECT_NEAR(e.get("lpgst_transcode_time_seconds_sum").value_or(0), total * 0.2, 1e-6);
  EXPECT_EQ(check_histogram(e, "lpgst_transcode_overall_latency_seconds").at(INFINITY), total);
}

// Every family promtool-clean, empty and with every sample present (GPUs included).
TEST(OrchestratorMetrics, PassPromtoolsChecks) {
  lp::OrchestratorMetrics m;
  expect_promtool_clean(m.render());
  m.set_transcoders(2, 8, 3);
  m.set_current_sessions(3);
  m.segment_received();
  m.segment_transcoded();
  m.segment_failed("bad_segment");
  m.segment_failed("timeout");
  m.segment_redispatched();
  m.observe_transcode_time(0.3);
  m.observe_overall_latency(0.4);
  m.set_gpus({{"t-1", 0, "NVIDIA \"H200\"", "hybrid", 4, 1, 25, true},
              {"t-1", 1, "NVIDIA GeForce RTX 4090", "full", 2, 0, 0, false}});
  const std::string text = m.render();
  expect_promtool_clean(text);
  const Exposition e = parse(text);
  EXPECT_TRUE(e.family("lpgst_gpu_info") && e.family("lpgst_gpu_usable")) << text;
  for (const auto& f : e.families) EXPECT_EQ(f.name.rfind("lpgst_", 0), 0u) << f.name;
}

TEST(TranscoderMetrics, PassPromtoolsChecks) {
  for (const char* protocol : {"lpgst", "livepeer"}) {
    lp::TranscoderStatus s;
    s.orchestrator = "orch.example.com:8935";
    s.protocol = protocol;
    s.connected = true;
    s.capacity = 4;
    s.running = 1;
    s.segments_done = 7;
    s.segments_failed = 1;
    s.registrations = 2;
    const std::string text = lp::transcoder_metrics_text(s);
    expect_promtool_clean(text);
    const Exposition e = parse(text);
    EXPECT_EQ(e.get("lpgst_transcoder_connected", {{"protocol", protocol}}), 1.0) << text;
    EXPECT_EQ(e.get("lpgst_transcoder_segments_total", {{"outcome", "failed"}}), 1.0) << text;
    for (const auto& f : e.families) EXPECT_EQ(f.name.rfind("lpgst_", 0), 0u) << f.name;
  }
}

TEST(Dashboard, IsSelfContainedHtmlPollingStatus) {
  const std::string& page = lp::dashboard_html();
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_NE(page.find("fetch(\"/status\""), std::string::npos);
  // An on-chain node's payments (tickets, redemptions, balances) get their own section.
  EXPECT_NE(page.find("renderPayments(s.payments)"), std::string::npos);
  // Nothing fetched from elsewhere: the operator host may have no internet access.
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(&page, &lp::dashboard_html());
}

}  // namespace
