// Reading and linting Prometheus text exposition format 0.0.4, for tests of what /metrics
// serves. lint_prometheus_text applies the format's rules and the naming rules of promtool's
// `check metrics` (client_golang's promlint), so a test can hold lpgst to them on a machine
// without promtool; run_promtool adds the real tool where it is installed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lp::test {

struct PromSample {
  std::string name;  // as written: a histogram's are NAME_bucket, NAME_sum, NAME_count
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;  // counter, gauge, histogram, summary or untyped ("" = no # TYPE line)
  std::optional<std::string> help;
  std::vector<PromSample> samples;
};

struct PromText {
  std::vector<PromFamily> families;   // in the order they appear
  std::vector<std::string> problems;  // lines that break the format, one message each

  const PromFamily* family(const std::string& name) const;
  // The value of the sample with exactly this name and these labels.
  std::optional<double> get(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Every sample with this name, in order.
  std::vector<PromSample> samples(const std::string& name) const;
};

PromText parse_prometheus_text(const std::string& text);

// Everything promtool's `check metrics` would complain of, and what a scraper would refuse:
// format errors, duplicate series, a missing # HELP or # TYPE, counters without _total and
// other types with it, histogram suffixes and labels on other types, camelCase, ':' in names,
// non-base or abbreviated units, the type in the name, malformed histograms. Empty = clean.
std::vector<std::string> lint_prometheus_text(const std::string& text);

struct PromtoolResult {
  int status = 0;  // promtool's exit status: 0 clean, 3 lint problems, 1 unparsable
  std::string output;
};

// `promtool check metrics` on `text`, with the promtool named by $PROMTOOL (meson sets it
// when one is installed); nullopt when there is none.
std::optional<PromtoolResult> run_promtool(const std::string& text);

}  // namespace lp::test
