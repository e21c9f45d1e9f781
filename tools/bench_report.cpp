#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lp::bench {
namespace {

std::string number(double v, int decimals = 3) {
  if (!std::isfinite(v)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A JSON string literal.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string xml_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
      out += c;
  }
  return out;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double clamped = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<size_t>(std::ceil(clamped / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

Row summarize(int streams, const std::vector<SegmentSample>& samples, double wall_seconds) {
  Row row;
  row.streams = streams;
  row.wall_seconds = wall_seconds;
  std::vector<double> latencies;
  double media = 0, transcode = 0, all_media = 0;
  int64_t in_time = 0;
  for (const auto& s : samples) {
    all_media += s.media_seconds;
    if (!s.ok) {
      ++row.segments_failed;
      continue;
    }
    ++row.segments_ok;
    latencies.push_back(s.latency_seconds);
    media += s.media_seconds;
    transcode += s.latency_seconds;
    if (s.latency_seconds <= s.media_seconds) ++in_time;
  }
  if (!samples.empty()) row.segment_seconds = all_media / static_cast<double>(samples.size());
  row.latency_p50 = percentile(latencies, 50);
  row.latency_p95 = percentile(latencies, 95);
  row.realtime_ratio = transcode > 0 ? media / transcode : 0;
  row.realtime_segments = row.segments_ok > 0 ? static_cast<double>(in_time) / static_cast<double>(row.segments_ok) : 0;
  return row;
}

bool keeps_real_time(const Row& row) {
  return row.segments_failed == 0 && row.segments_ok > 0 && row.latency_p95 < row.segment_seconds;
}

bool ramp_continues(const std::vector<Row>& rows, int max_streams) {
  if (rows.empty()) return max_streams >= 1;
  return keeps_real_time(rows.back()) && rows.back().streams < max_streams;
}

int largest_real_time(const std::vector<Row>& rows) {
  int best = 0;
  for (const auto& r : rows) {
    if (!keeps_real_time(r)) break;
    best = std::max(best, r.streams);
  }
  return best;
}

std::string table_header() {
  return "streams  seg-ok  failed  p50-lat(s)  p95-lat(s)  seg(s)  rt-ratio  rt-segs  real-time\n";
}

std::string table_line(const Row& r) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%7d  %6lld  %6lld  %10.3f  %10.3f  %6.2f  %8.2f  %6.0f%%  %s\n", r.streams,
                static_cast<long long>(r.segments_ok), static_cast<long long>(r.segments_failed), r.latency_p50,
                r.latency_p95, r.segment_seconds, r.realtime_ratio, r.realtime_segments * 100,
                keeps_real_time(r) ? "yes" : "no");
  return buf;
}

std::string to_json(const ReportInfo& info, const std::vector<Row>& rows) {
  std::string out = "{\n  \"input\": " + json_string(info.input) + ",\n  \"profiles\": " + json_string(info.profiles) +
                    ",\n  \"orchestrator\": " + json_string(info.orchestrator) +
                    ",\n  \"mode\": " + json_string(info.auto_mode ? "auto" : "fixed") +
                    ",\n  \"largest_real_time_streams\": " + std::to_string(largest_real_time(rows)) +
                    ",\n  \"results\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    out += i ? ",\n    {" : "\n    {";
    out += "\"streams\": " + std::to_string(r.streams);
    out += ", \"segments_ok\": " + std::to_string(r.segments_ok);
    out += ", \"segments_failed\": " + std::to_string(r.segments_failed);
    out += ", \"latency_p50_s\": " + number(r.latency_p50, 4);
    out += ", \"latency_p95_s\": " + number(r.latency_p95, 4);
    out += ", \"segment_s\": " + number(r.segment_seconds, 4);
    out += ", \"realtime_ratio\": " + number(r.realtime_ratio, 4);
    out += ", \"realtime_segments\": " + number(r.realtime_segments, 4);
    out += ", \"duration_ratio\": " + number(r.realtime_ratio > 0 ? 1 / r.realtime_ratio : 0, 4);
    out += ", \"wall_s\": " + number(r.wall_seconds, 3);
    out += std::string(", \"real_time\": ") + (keeps_real_time(r) ? "true" : "false") + "}";
  }
  out += rows.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string to_svg(const ReportInfo& info, const std::vector<Row>& rows) {
  constexpr double kW = 720, kH = 420, kLeft = 70, kRight = 70, kTop = 50, kBottom = 60;
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  int max_n = 1;
  double max_lat = 0, max_ratio = 0, seg = 0;
  for (const auto& r : rows) {
    max_n = std::max(max_n, r.streams);
    max_lat = std::max({max_lat, r.latency_p95, r.latency_p50, r.segment_seconds});
    max_ratio = std::max(max_ratio, r.realtime_ratio);
    seg = std::max(seg, r.segment_seconds);
  }
  max_lat = max_lat > 0 ? max_lat * 1.1 : 1;
  max_ratio = max_ratio > 0 ? max_ratio * 1.1 : 1;
  // One stream count alone sits in the middle.
  auto x_of = [&](int n) {
    return max_n <= 1 ? kLeft + plot_w / 2 : kLeft + plot_w * (n - 1) / static_cast<double>(max_n - 1);
  };
  auto y_lat = [&](double v) { return kTop + plot_h * (1 - v / max_lat); };
  auto y_ratio = [&](double v) { return kTop + plot_h * (1 - v / max_ratio); };

  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  number(kW, 0) + "\" height=\"" + number(kH, 0) + "\" viewBox=\"0 0 " + number(kW, 0) + " " +
                  number(kH, 0) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + number(kW / 2, 0) +
       "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">lpctl bench: " + xml_text(info.orchestrator) + ", " +
       xml_text(info.profiles) + "</text>\n";
  // Axes and ticks.
  s += "<g stroke=\"black\" fill=\"none\"><rect x=\"" + number(kLeft, 1) + "\" y=\"" + number(kTop, 1) + "\" width=\"" +
       number(plot_w, 1) + "\" height=\"" + number(plot_h, 1) + "\"/></g>\n";
  for (int i = 0; i <= 4; ++i) {
    const double f = i / 4.0;
    const double y = kTop + plot_h * (1 - f);
    s += "<text x=\"" + number(kLeft - 6, 1) + "\" y=\"" + number(y + 4, 1) + "\" text-anchor=\"end\">" +
         number(max_lat * f, 2) + "</text>\n";
    s += "<text x=\"" + number(kW - kRight + 6, 1) + "\" y=\"" + number(y + 4, 1) + "\" fill=\"#2a7d2a\">" +
         number(max_ratio * f, 2) + "</text>\n";
  }
  const int step = std::max(1, max_n / 10);
  for (int n = 1; n <= max_n; n += step)
    s += "<text x=\"" + number(x_of(n), 1) + "\" y=\"" + number(kTop + plot_h + 16, 1) + "\" text-anchor=\"middle\">" +
         std::to_string(n) + "</text>\n";
  s += "<text x=\"" + number(kLeft + plot_w / 2, 1) + "\" y=\"" + number(kH - 22, 1) +
       "\" text-anchor=\"middle\">concurrent streams (N)</text>\n";
  s += "<text transform=\"translate(16 " + number(kTop + plot_h / 2, 1) +
       ") rotate(-90)\" text-anchor=\"middle\">segment latency (s)</text>\n";
  s += "<text transform=\"translate(" + number(kW - 12, 1) + " " + number(kTop + plot_h / 2, 1) +
       ") rotate(90)\" text-anchor=\"middle\" fill=\"#2a7d2a\">real-time ratio (x)</text>\n";
  if (seg > 0)
    s += "<line class=\"segment-duration\" x1=\"" + number(kLeft, 1) + "\" x2=\"" + number(kLeft + plot_w, 1) +
         "\" y1=\"" + number(y_lat(seg), 1) + "\" y2=\"" + number(y_lat(seg), 1) +
         "\" stroke=\"gray\" stroke-dasharray=\"6 4\"/>\n";

  struct Series {
    const char* name;
    const char* colour;
    double (*value)(const Row&);
    bool ratio_axis;
  };
  const Series series[] = {
      {"p50 latency", "#1f5fbf", [](const Row& r) { return r.latency_p50; }, false},
      {"p95 latency", "#c0392b", [](const Row& r) { return r.latency_p95; }, false},
      {"real-time ratio", "#2a7d2a", [](const Row& r) { return r.realtime_ratio; }, true},
  };
  int legend = 0;
  for (const auto& se : series) {
    std::string points;
    std::string dots;
    for (const auto& r : rows) {
      const double x = x_of(r.streams);
      const double v = se.value(r);
      const double y = se.ratio_axis ? y_ratio(v) : y_lat(v);
      points += (points.empty() ? "" : " ") + number(x, 1) + "," + number(y, 1);
      dots += "  <circle cx=\"" + number(x, 1) + "\" cy=\"" + number(y, 1) + "\" r=\"3.5\" fill=\"" + se.colour +
              "\"><title>N=" + std::to_string(r.streams) + " " + se.name + " " + number(v, 3) + "</title></circle>\n";
    }
    s += std::string("<g class=\"series\" data-name=\"") + se.name + "\">\n";
    if (rows.size() > 1)
      s += std::string("  <polyline fill=\"none\" stroke=\"") + se.colour + "\" stroke-width=\"2\" points=\"" + points +
           "\"/>\n";
    s += dots + "</g>\n";
    const double lx = kLeft + 10 + legend * 150;
    s += "<rect x=\"" + number(lx, 1) + "\" y=\"32\" width=\"12\" height=\"4\" fill=\"" + se.colour + "\"/>\n";
    s += "<text x=\"" + number(lx + 16, 1) + "\" y=\"38\">" + se.name + "</text>\n";
    ++legend;
  }
  s += "<text x=\"" + number(kLeft + 10 + legend * 150, 1) + "\" y=\"38\" fill=\"gray\">- - segment duration</text>\n";
  s += "</svg>\n";
  return s;
}

}  // namespace lp::bench
