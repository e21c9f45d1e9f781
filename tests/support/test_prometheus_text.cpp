// The /metrics linter itself: clean text passes, and each rule catches what promtool's
// `check metrics` catches (checked against promtool too where $PROMTOOL is set), so a test
// that relies on it cannot pass by accident.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "prometheus_text.h"

namespace {

using lp::test::lint_prometheus_text;

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

const char* const kClean =
    "# HELP lp_up_total Times it came up\n"
    "# TYPE lp_up_total counter\n"
    "lp_up_total{code=\"a\\\"b\\\\c\\nd\"} 3\n"
    "lp_up_total{code=\"ok\",} 1 1700000000000\n"
    "# HELP lp_queue_bytes Bytes queued\n"
    "# TYPE lp_queue_bytes gauge\n"
    "lp_queue_bytes -2.5e3\n"
    "# HELP lp_empty_total No samples yet\n"
    "# TYPE lp_empty_total counter\n"
    "# HELP lp_wait_seconds Waits\n"
    "# TYPE lp_wait_seconds histogram\n"
    "lp_wait_seconds_bucket{le=\"0.5\"} 1\n"
    "lp_wait_seconds_bucket{le=\"+Inf\"} 2\n"
    "lp_wait_seconds_sum 1.25\n"
    "lp_wait_seconds_count 2\n";

TEST(PrometheusText, CleanTextPasses) {
  EXPECT_EQ(join(lint_prometheus_text(kClean)), "");
  const auto parsed = lp::test::parse_prometheus_text(kClean);
  EXPECT_EQ(parsed.get("lp_up_total", {{"code", "a\"b\\c\nd"}}), 3.0);
  EXPECT_EQ(parsed.get("lp_queue_bytes"), -2500.0);
  ASSERT_NE(parsed.family("lp_wait_seconds"), nullptr);
  EXPECT_EQ(parsed.family("lp_wait_seconds")->samples.size(), 4u);
  if (auto promtool = lp::test::run_promtool(kClean)) {
    EXPECT_EQ(promtool->status, 0) << promtool->output;
  }
}

struct Bad {
  const char* what;  // a piece of the problem it must report
  std::string text;
  bool promtool_sees_it = true;  // promtool's check passes some format-level rules we add
};

std::string gauge(const std::string& name, const std::string& sample) {
  return "# HELP " + name + " h\n# TYPE " + name + " gauge\n" + sample + "\n";
}

TEST(PrometheusText, EachRuleCatchesItsMistake) {
  const std::vector<Bad> cases = {
      {"should not have \"_total\"", gauge("lpgst_current_sessions_total", "lpgst_current_sessions_total 1")},
      {"should have \"_total\"", "# HELP lp_done h\n# TYPE lp_done counter\nlp_done 1\n"},
      {"no help text", "# TYPE lp_x gauge\nlp_x 1\n"},
      {"no # TYPE", "# HELP lp_x h\nlp_x 1\n", false},
      {"camelCase", gauge("lp_fooBar", "lp_fooBar 1")},
      {"camelCase", gauge("lp_x", "lp_x{someLabel=\"1\"} 1")},
      {"abbreviated units", gauge("lp_wait_ms", "lp_wait_ms 1")},
      {"base unit \"seconds\"", gauge("lp_wait_milliseconds", "lp_wait_milliseconds 1")},
      {"should not include type", gauge("lp_load_gauge", "lp_load_gauge 1")},
      {"\"_count\"", gauge("lp_jobs_count", "lp_jobs_count 1")},
      {"\"le\" label", gauge("lp_x", "lp_x{le=\"1\"} 1")},
      {"':'", gauge("lp:x", "lp:x 1")},
      {"same series twice", gauge("lp_x", "lp_x{a=\"1\"} 1\nlp_x{a=\"1\"} 2"), false},
      {"not all together", gauge("lp_x", "lp_x 1") + gauge("lp_y", "lp_y 1") + "lp_x{a=\"2\"} 2\n", false},
      {"bad value", gauge("lp_x", "lp_x one")},
      {"bad escape", gauge("lp_x", "lp_x{a=\"\\t\"} 1")},
      {"second # TYPE", "# HELP lp_x h\n# TYPE lp_x gauge\n# TYPE lp_x counter\nlp_x 1\n"},
      {"unknown type", "# HELP lp_x h\n# TYPE lp_x meter\nlp_x 1\n"},
      {"end with a newline", "# HELP lp_x h\n# TYPE lp_x gauge\nlp_x 1"},
      {"is not _count",
       "# HELP lp_w_seconds h\n# TYPE lp_w_seconds histogram\nlp_w_seconds_bucket{le=\"+Inf\"} 2\n"
       "lp_w_seconds_sum 1\nlp_w_seconds_count 3\n",
       false},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string problems = join(lint_prometheus_text(c.text));
    EXPECT_NE(problems.find(c.what), std::string::npos) << "wanted \"" << c.what << "\", got:\n" << problems;
    if (!c.promtool_sees_it) continue;
    if (auto promtool = lp::test::run_promtool(c.text)) {
      EXPECT_NE(promtool->status, 0) << promtool->output;
    }
  }
}

}  // namespace
