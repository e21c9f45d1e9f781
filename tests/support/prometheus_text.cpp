#include "prometheus_text.h"

#include <gio/gio.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace lp::test {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool name_start(char c, bool colon) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (colon && c == ':');
}
bool name_char(char c, bool colon) { return name_start(c, colon) || std::isdigit(static_cast<unsigned char>(c)); }

// Metric names may hold ':' (reserved for recording rules), label names may not.
bool valid_name(const std::string& s, bool colon) {
  if (s.empty() || !name_start(s[0], colon)) return false;
  return std::all_of(s.begin(), s.end(), [colon](char c) { return name_char(c, colon); });
}

// Go's strconv.ParseFloat, which expfmt uses: decimals, exponents, Inf and NaN.
std::optional<double> parse_value(const std::string& s) {
  if (s == "+Inf" || s == "Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  const double v = g_ascii_strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// Undoes \\, \" and \n (and, outside label values, only \\ and \n); nullopt on other escapes.
std::optional<std::string> unescape(const std::string& s, bool quote_allowed) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    const char e = ++i < s.size() ? s[i] : '\0';
    if (e == '\\' || (quote_allowed && e == '"')) {
      out += e;
    } else if (e == 'n') {
      out += '\n';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Whether a sample of this name is one of the family's lines.
bool belongs(const PromFamily& f, const std::string& sample) {
  if (sample == f.name) return true;
  if (f.type == "histogram" && sample == f.name + "_bucket") return true;
  return (f.type == "histogram" || f.type == "summary") && (sample == f.name + "_sum" || sample == f.name + "_count");
}

class Parser {
 public:
  PromText run(const std::string& text) {
    if (!text.empty() && text.back() != '\n') problem(0, "the text does not end with a newline");
    std::istringstream in(text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      line_ = number;
      if (line.empty()) continue;
      if (line[0] == '#') {
        comment(line);
      } else {
        sample(line);
      }
    }
    return std::move(out_);
  }

 private:
  void problem(int line, const std::string& what) {
    out_.problems.push_back(line ? "line " + std::to_string(line) + ": " + what : what);
  }
  bool refuse(const std::string& what) {
    problem(line_, what);
    return false;
  }

  // The family `name` as the current one: new, or the current one again.
  PromFamily* enter(const std::string& name) {
    if (!out_.families.empty() && out_.families.back().name == name) return &out_.families.back();
    for (PromFamily& f : out_.families) {
      if (f.name != name) continue;
      problem(line_, "the lines of " + name + " are not all together");
      return &f;
    }
    out_.families.push_back(PromFamily{name, "", std::nullopt, {}});
    return &out_.families.back();
  }

  void comment(const std::string& line) {
    const bool help = line.rfind("# HELP ", 0) == 0;
    if (!help && line.rfind("# TYPE ", 0) != 0) return;  // any other comment
    const size_t space = line.find(' ', 7);
    const std::string name = line.substr(7, space == std::string::npos ? std::string::npos : space - 7);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (!valid_name(name, true)) return problem(line_, "bad metric name \"" + name + "\"");
    PromFamily* f = enter(name);
    if (help) {
      if (f->help) return problem(line_, "second # HELP for " + name);
      auto text = unescape(rest, false);
      if (!text) return problem(line_, "bad escape in the # HELP of " + name);
      f->help = *text;
      return;
    }
    static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
    if (!f->type.empty()) return problem(line_, "second # TYPE for " + name);
    if (!f->samples.empty()) return problem(line_, "# TYPE of " + name + " after its samples");
    if (!kTypes.count(rest)) return problem(line_, "unknown type \"" + rest + "\" for " + name);
    f->type = rest;
  }

  // name{label="value",...} value [timestamp]
  void sample(const std::string& line) {
    PromSample s;
    size_t at = 0;
    while (at < line.size() && name_char(line[at], true)) ++at;
    s.name = line.substr(0, at);
    if (!valid_name(s.name, true)) return problem(line_, "bad metric name in \"" + line + "\"");
    if (at < line.size() && line[at] == '{' && !labels(line, ++at, s)) return;
    const size_t value_at = line.find_first_not_of(" \t", at);
    if (value_at == at || value_at == std::string::npos) return problem(line_, "no value in \"" + line + "\"");
    const size_t value_end = std::min(line.find_first_of(" \t", value_at), line.size());
    const auto value = parse_value(line.substr(value_at, value_end - value_at));
    if (!value) return problem(line_, "bad value in \"" + line + "\"");
    s.value = *value;
    const size_t ts = line.find_first_not_of(" \t", value_end);
    if (ts != std::string::npos) {
      const std::string stamp = line.substr(ts, line.find_first_of(" \t", ts) - ts);
      char* end = nullptr;
      std::strtoll(stamp.c_str(), &end, 10);
      if (stamp.empty() || *end != '\0' || line.find_first_not_of(" \t", ts + stamp.size()) != std::string::npos)
        return problem(line_, "bad timestamp in \"" + line + "\"");
    }
    PromFamily* f =
        !out_.families.empty() && belongs(out_.families.back(), s.name) ? &out_.families.back() : enter(s.name);
    f->samples.push_back(std::move(s));
  }

  // From just after '{' to just after '}'; false (with a problem) when malformed.
  bool labels(const std::string& line, size_t& at, PromSample& s) {
    while (at < line.size() && line[at] != '}') {
      const size_t eq = line.find('=', at);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') break;
      const std::string name = line.substr(at, eq - at);
      size_t close = eq + 2;
      while (close < line.size() && line[close] != '"') close += line[close] == '\\' ? 2 : 1;
      if (close >= line.size()) break;
      const auto value = unescape(line.substr(eq + 2, close - eq - 2), true);
      if (!valid_name(name, false)) return refuse("bad label name \"" + name + "\"");
      if (name.rfind("__", 0) == 0) return refuse("label name " + name + " is reserved (__)");
      if (!value) return refuse("bad escape in label " + name);
      if (!s.labels.emplace(name, *value).second) return refuse("label " + name + " given twice");
      at = close + 1;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return refuse("malformed labels in \"" + line + "\"");
    ++at;  // '}'
    return true;
  }

  PromText out_;
  int line_ = 0;
};

// promlint's unit tables (client_golang prometheus/testutil/promlint/validations/units.go).
const std::map<std::string, std::string> kUnits = {
    {"amperes", "amperes"}, {"bytes", "bytes"},     {"celsius", "celsius"}, {"grams", "grams"},
    {"joules", "joules"},   {"kelvin", "kelvin"},   {"meters", "meters"},   {"metres", "metres"},
    {"seconds", "seconds"}, {"volts", "volts"},     {"minutes", "seconds"}, {"hours", "seconds"},
    {"days", "seconds"},    {"weeks", "seconds"},   {"kelvins", "kelvin"},  {"fahrenheit", "celsius"},
    {"rankine", "celsius"}, {"inches", "meters"},   {"yards", "meters"},    {"miles", "meters"},
    {"bits", "bytes"},      {"calories", "joules"}, {"pounds", "grams"},    {"ounces", "grams"}};
const char* const kUnitPrefixes[] = {"pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
                                     "kibi", "mega", "mibi",  "giga",  "gibi",  "tera", "tebi", "peta",  "pebi"};
const char* const kUnitAbbreviations[] = {"s",  "ms", "us", "ns", "sec", "b", "kb",
                                          "mb", "gb", "tb", "pb", "m",   "h", "d"};
const char* const kTypeNames[] = {"counter", "gauge", "summary", "histogram", "gauge_histogram"};

// "_word_" inside `name` or "_word" at its end, as promlint looks for them.
bool has_word(const std::string& name, const std::string& word) {
  return name.find("_" + word + "_") != std::string::npos || ends_with(name, "_" + word);
}

bool camel_case(const std::string& s) {
  for (size_t i = 1; i < s.size(); ++i)
    if (std::islower(static_cast<unsigned char>(s[i - 1])) && std::isupper(static_cast<unsigned char>(s[i])))
      return true;
  return false;
}

void lint_names(const PromFamily& f, std::vector<std::string>& out) {
  const std::string& n = f.name;
  auto add = [&out, &n](const std::string& what) { out.push_back(n + ": " + what); };
  std::string lower = n;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!f.help) add("no help text");
  if (f.type.empty()) add("no # TYPE line");
  const bool total = ends_with(n, "_total");
  if (f.type == "counter" && !total) add("counter metrics should have \"_total\" suffix");
  if (!f.type.empty() && f.type != "untyped" && f.type != "counter" && total)
    add("non-counter metrics should not have \"_total\" suffix");
  if (f.type != "histogram" && ends_with(n, "_bucket")) add("non-histogram metrics should not have \"_bucket\" suffix");
  if (f.type != "histogram" && f.type != "summary" && (ends_with(n, "_count") || ends_with(n, "_sum")))
    add("non-histogram and non-summary metrics should not have \"_count\" or \"_sum\" suffix");
  if (f.type != "gauge" && f.type != "untyped" && ends_with(n, "_timestamp_seconds"))
    add("non-gauge metrics should not have \"_timestamp_seconds\" suffix");
  if (camel_case(n)) add("metric names should be written in 'snake_case' not 'camelCase'");
  if (n.find(':') != std::string::npos) add("metric names should not contain ':'");
  for (const char* a : kUnitAbbreviations)
    if (has_word(lower, a)) add("metric names should not contain abbreviated units");
  for (const char* t : kTypeNames)
    if (has_word(lower, t)) add(std::string("metric name should not include type '") + t + "'");
  std::istringstream words(n);
  for (std::string word; std::getline(words, word, '_');) {
    auto unit = kUnits.find(word);
    for (const char* p : kUnitPrefixes)
      if (unit == kUnits.end() && word.rfind(p, 0) == 0) unit = kUnits.find(word.substr(std::string(p).size()));
    if (unit == kUnits.end()) continue;
    if (word != unit->second) add("use base unit \"" + unit->second + "\" instead of \"" + word + "\"");
    break;  // promlint looks at the first unit only
  }
  std::set<std::string> label_names;
  for (const PromSample& s : f.samples)
    for (const auto& [label, value] : s.labels) label_names.insert(label);
  for (const std::string& label : label_names) {
    if (camel_case(label)) add("label names should be written in 'snake_case' not 'camelCase'");
    if (label == "le" && f.type != "histogram") add("non-histogram metrics should not have \"le\" label");
    if (label == "quantile" && f.type != "summary") add("non-summary metrics should not have \"quantile\" label");
  }
}

// Per label set (le aside): buckets in rising order, cumulative, +Inf == _count, a _sum.
void lint_histogram(const PromFamily& f, std::vector<std::string>& out) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // (le, count) as written
    std::optional<double> count, sum;
  };
  std::map<std::map<std::string, std::string>, Series> series;
  for (const PromSample& s : f.samples) {
    auto labels = s.labels;
    const auto le = labels.find("le");
    const bool bucket = s.name == f.name + "_bucket";
    if (bucket != (le != labels.end())) {
      out.push_back(s.name + ": le belongs on _bucket samples, and they need one");
      continue;
    }
    if (bucket) {
      const auto bound = parse_value(le->second);
      labels.erase("le");
      if (!bound) out.push_back(s.name + ": bad le \"" + le->second + "\"");
      if (bound) series[labels].buckets.emplace_back(*bound, s.value);
    } else if (s.name == f.name + "_count") {
      series[labels].count = s.value;
    } else if (s.name == f.name + "_sum") {
      series[labels].sum = s.value;
    } else {
      out.push_back(s.name + ": a histogram has only _bucket, _sum and _count samples");
    }
  }
  for (const auto& [labels, s] : series) {
    for (size_t i = 1; i < s.buckets.size(); ++i) {
      if (s.buckets[i].first <= s.buckets[i - 1].first) out.push_back(f.name + ": le bounds not rising");
      if (s.buckets[i].second < s.buckets[i - 1].second) out.push_back(f.name + ": buckets not cumulative");
    }
    if (s.buckets.empty() || !std::isinf(s.buckets.back().first)) out.push_back(f.name + ": no le=\"+Inf\" bucket");
    if (!s.count || !s.sum) out.push_back(f.name + ": no _count or no _sum");
    if (s.count && !s.buckets.empty() && s.buckets.back().second != *s.count)
      out.push_back(f.name + ": the +Inf bucket is not _count");
  }
}

}  // namespace

const PromFamily* PromText::family(const std::string& name) const {
  for (const PromFamily& f : families)
    if (f.name == name) return &f;
  return nullptr;
}

std::optional<double> PromText::get(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const PromFamily& f : families)
    for (const PromSample& s : f.samples)
      if (s.name == name && s.labels == labels) return s.value;
  return std::nullopt;
}

std::vector<PromSample> PromText::samples(const std::string& name) const {
  std::vector<PromSample> out;
  for (const PromFamily& f : families)
    for (const PromSample& s : f.samples)
      if (s.name == name) out.push_back(s);
  return out;
}

PromText parse_prometheus_text(const std::string& text) { return Parser().run(text); }

std::vector<std::string> lint_prometheus_text(const std::string& text) {
  const PromText parsed = parse_prometheus_text(text);
  std::vector<std::string> out = parsed.problems;
  std::set<std::pair<std::string, std::map<std::string, std::string>>> seen;
  for (const PromFamily& f : parsed.families) {
    lint_names(f, out);
    if (f.type == "histogram") lint_histogram(f, out);
    for (const PromSample& s : f.samples)
      if (!seen.emplace(s.name, s.labels).second) out.push_back(s.name + ": the same series twice");
  }
  return out;
}

std::optional<PromtoolResult> run_promtool(const std::string& text) {
  const char* promtool = std::getenv("PROMTOOL");
  if (!promtool || !*promtool) return std::nullopt;
  GError* error = nullptr;
  GSubprocess* proc =
      g_subprocess_new(static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_MERGE),
                       &error, promtool, "check", "metrics", nullptr);
  PromtoolResult result;
  char* output = nullptr;
  if (proc && g_subprocess_communicate_utf8(proc, text.c_str(), nullptr, &output, nullptr, &error)) {
    result.status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
    result.output = output ? output : "";
  } else {
    result.status = -1;
    result.output = std::string("cannot run ") + promtool + ": " + (error ? error->message : "?");
  }
  g_free(output);
  g_clear_error(&error);
  if (proc) g_object_unref(proc);
  return result;
}

}  // namespace lp::test
