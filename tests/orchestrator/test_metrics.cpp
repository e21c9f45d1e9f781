// OrchestratorMetrics: the rendered text is parsed back (a small exposition-format parser
// below) so the tests check what a Prometheus scraper would read, not string fragments.
// Also the dashboard page, which is served next to /metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dashboard.h"
#include "metrics.h"

namespace {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter/gauge/histogram
  std::set<std::string> helps;
  std::vector<Sample> samples;

  std::optional<double> get(const std::string& name, const Labels& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }
  std::vector<Sample> family(const std::string& name) const {
    std::vector<Sample> out;
    for (const Sample& s : samples) {
      if (s.name == name) out.push_back(s);
    }
    return out;
  }
};

// Reads `"value"` at `at` (just after the opening quote), undoing \\, \" and \n.
std::string parse_label_value(const std::string& line, size_t& at) {
  std::string v;
  while (at < line.size() && line[at] != '"') {
    char c = line[at++];
    if (c == '\\' && at < line.size()) {
      char e = line[at++];
      c = e == 'n' ? '\n' : e;
    }
    v += c;
  }
  ++at;  // closing quote
  return v;
}

// Fails the test (and returns false) on any line that is not a comment or a well-formed sample.
bool parse_sample(const std::string& line, Sample& s) {
  size_t at = line.find_first_of("{ ");
  if (at == std::string::npos || at == 0) return false;
  s.name = line.substr(0, at);
  if (line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const size_t eq = line.find('=', at);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      const std::string key = line.substr(at, eq - at);
      at = eq + 2;
      s.labels[key] = parse_label_value(line, at);
      if (at < line.size() && line[at] == ',') ++at;
    }
    ++at;  // closing brace
  }
  if (at >= line.size() || line[at] != ' ') return false;
  const std::string value = line.substr(at + 1);
  if (value == "+Inf") {
    s.value = INFINITY;
    return true;
  }
  size_t used = 0;
  s.value = std::stod(value, &used);
  return used == value.size();
}

Exposition parse(const std::string& text) {
  Exposition e;
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the text ends with a newline";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      e.helps.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const size_t sp = line.find(' ', 7);
      e.types[line.substr(7, sp - 7)] = line.substr(sp + 1);
    } else {
      Sample s;
      EXPECT_TRUE(parse_sample(line, s)) << "bad line: " << line;
      // A sample's family (name less a histogram suffix) was declared before it.
      std::string family = s.name;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string sfx = suffix;
        if (!e.types.count(family) && family.size() > sfx.size() &&
            family.compare(family.size() - sfx.size(), sfx.size(), sfx) == 0) {
          family.resize(family.size() - sfx.size());
        }
      }
      EXPECT_TRUE(e.types.count(family)) << "no # TYPE before " << line;
      e.samples.push_back(std::move(s));
    }
  }
  return e;
}

// Checks one histogram: cumulative buckets, +Inf == _count; returns its buckets by bound.
std::map<double, double> check_histogram(const Exposition& e, const std::string& name) {
  std::map<double, double> buckets;
  double last = 0;
  for (const Sample& s : e.family(name + "_bucket")) {
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

const char* const kHistograms[] = {"lpgst_transcode_time_seconds",
                                   "lpgst_transcode_overall_latency_seconds"};

TEST(OrchestratorMetrics, EveryFamilyHasHelpAndTypeFromTheStart) {
  lp::OrchestratorMetrics m;
  const Exposition e = parse(m.render());
  const std::map<std::string, std::string> expected = {
      {"lpgst_orchestrator_transcoders_number", "gauge"},
      {"lpgst_orchestrator_transcoders_capacity", "gauge"},
      {"lpgst_orchestrator_transcoders_load", "gauge"},
      {"lpgst_current_sessions_total", "gauge"},
      {"lpgst_segment_source_received_total", "counter"},
      {"lpgst_segment_transcoded_total", "counter"},
      {"lpgst_segment_transcode_failed_total", "counter"},
      {"lpgst_segment_redispatched_total", "counter"},
      {"lpgst_transcode_time_seconds", "histogram"},
      {"lpgst_transcode_overall_latency_seconds", "histogram"},
  };
  EXPECT_EQ(e.types, expected);
  for (const auto& [name, type] : expected) EXPECT_TRUE(e.helps.count(name)) << name;
  EXPECT_EQ(e.get("lpgst_segment_source_received_total"), 0.0);
  EXPECT_EQ(e.get("lpgst_orchestrator_transcoders_number"), 0.0);
  EXPECT_TRUE(e.family("lpgst_segment_transcode_failed_total").empty());
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
  EXPECT_EQ(e.get("lpgst_current_sessions_total"), 4.0);
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
  EXPECT_EQ(e.get("lpgst_current_sessions_total"), 0.0);
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
  EXPECT_NE(text.find(R"(lpgst_segment_transcode_failed_total{code="a\"b\\c\nd"} 1)"),
            std::string::npos)
      << text;
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

TEST(Dashboard, IsSelfContainedHtmlPollingStatus) {
  const std::string& page = lp::dashboard_html();
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_NE(page.find("fetch(\"/status\""), std::string::npos);
  // Nothing fetched from elsewhere: the operator host may have no internet access.
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(&page, &lp::dashboard_html());
}

}  // namespace
