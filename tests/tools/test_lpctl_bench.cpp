// lpctl bench's figures with synthetic numbers (no media): percentiles, the real-time ratio
// and test, the `--streams auto` stopping rule, and the JSON/SVG text.
#include <gtest/gtest.h>

#include "bench_report.h"

namespace lp::bench {
namespace {

TEST(BenchPercentile, NearestRank) {
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({7}, 50), 7);
  EXPECT_EQ(percentile({7}, 95), 7);
  // 1..20 shuffled: p50 = the 10th, p95 = the 19th, p100 = the largest.
  std::vector<double> v;
  for (int i = 20; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(percentile(v, 50), 10);
  EXPECT_EQ(percentile(v, 95), 19);
  EXPECT_EQ(percentile(v, 100), 20);
  EXPECT_EQ(percentile(v, 0), 1);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 50), 2);
  EXPECT_LE(percentile({3, 1, 2}, 50), percentile({3, 1, 2}, 95));
}

TEST(BenchSummary, RealTimeRatioIsMediaOverTranscodeTime) {
  // Four 2 s segments done in 0.5, 0.5, 1 and 2 s: 8 s of media in 4 s = 2x real time;
  // the 2 s one is exactly real time and counts as in time (livepeer_bench's <=).
  std::vector<SegmentSample> s = {{2, 0.5, true}, {2, 0.5, true}, {2, 1, true}, {2, 2, true}};
  Row r = summarize(3, s, 9.5);
  EXPECT_EQ(r.streams, 3);
  EXPECT_EQ(r.segments_ok, 4);
  EXPECT_EQ(r.segments_failed, 0);
  EXPECT_DOUBLE_EQ(r.realtime_ratio, 2.0);
  EXPECT_DOUBLE_EQ(r.realtime_segments, 1.0);
  EXPECT_DOUBLE_EQ(r.latency_p50, 0.5);
  EXPECT_DOUBLE_EQ(r.latency_p95, 2.0);
  EXPECT_DOUBLE_EQ(r.segment_seconds, 2.0);
  EXPECT_DOUBLE_EQ(r.wall_seconds, 9.5);
  // p95 == the segment duration is not under it: not real time.
  EXPECT_FALSE(keeps_real_time(r));
}

TEST(BenchSummary, FailuresAreCountedButNotTimed) {
  std::vector<SegmentSample> s = {{2, 1, true}, {2, 30, false}, {1, 0.5, true}};
  Row r = summarize(1, s, 5);
  EXPECT_EQ(r.segments_ok, 2);
  EXPECT_EQ(r.segments_failed, 1);
  EXPECT_DOUBLE_EQ(r.latency_p95, 1.0);  // the failed one's 30 s is not a latency
  EXPECT_DOUBLE_EQ(r.realtime_ratio, 3.0 / 1.5);
  EXPECT_DOUBLE_EQ(r.segment_seconds, 5.0 / 3);  // over every segment sent
  EXPECT_FALSE(keeps_real_time(r));              // any failure
  Row none = summarize(1, {{2, 0, false}}, 1);
  EXPECT_EQ(none.realtime_ratio, 0);
  EXPECT_FALSE(keeps_real_time(none));
  EXPECT_FALSE(keeps_real_time(summarize(1, {}, 1)));  // nothing sent
}

TEST(BenchSummary, RealTimeSegsFraction) {
  std::vector<SegmentSample> s = {{2, 1, true}, {2, 2.5, true}, {2, 1.9, true}, {2, 3, true}};
  Row r = summarize(2, s, 9);
  EXPECT_DOUBLE_EQ(r.realtime_segments, 0.5);
}

Row row(int n, double p95, int64_t failed = 0, double seg = 2) {
  Row r;
  r.streams = n;
  r.segments_ok = 5;
  r.segments_failed = failed;
  r.latency_p50 = p95 / 2;
  r.latency_p95 = p95;
  r.segment_seconds = seg;
  r.realtime_ratio = seg / p95;
  return r;
}

TEST(BenchAuto, RampsWhileRealTimeAndStopsAtFirstMiss) {
  std::vector<Row> rows;
  EXPECT_TRUE(ramp_continues(rows, 8));
  rows.push_back(row(1, 0.6));
  EXPECT_TRUE(ramp_continues(rows, 8));
  rows.push_back(row(2, 1.1));
  EXPECT_TRUE(ramp_continues(rows, 8));
  rows.push_back(row(3, 1.9));
  EXPECT_TRUE(ramp_continues(rows, 8));
  rows.push_back(row(4, 2.4));  // p95 over the 2 s segment
  EXPECT_FALSE(ramp_continues(rows, 8));
  EXPECT_EQ(largest_real_time(rows), 3);
}

TEST(BenchAuto, FailuresStopTheRampEvenWhenFast) {
  std::vector<Row> rows = {row(1, 0.5), row(2, 0.6, 1)};
  EXPECT_FALSE(ramp_continues(rows, 8));
  EXPECT_EQ(largest_real_time(rows), 1);
}

TEST(BenchAuto, CapAndNoRealTimeAtAll) {
  std::vector<Row> rows = {row(1, 0.5), row(2, 0.6)};
  EXPECT_FALSE(ramp_continues(rows, 2));  // the --max-streams cap
  EXPECT_EQ(largest_real_time(rows), 2);
  std::vector<Row> slow = {row(1, 2.5)};
  EXPECT_FALSE(ramp_continues(slow, 8));
  EXPECT_EQ(largest_real_time(slow), 0);
  // A later real-time row after a miss does not count (only a ramp from 1 does).
  EXPECT_EQ(largest_real_time({row(1, 0.5), row(2, 3), row(3, 0.5)}), 1);
}

TEST(BenchReport, TableJsonAndSvg) {
  std::vector<Row> rows = {row(1, 0.5), row(2, 2.5, 2)};
  const std::string line = table_line(rows[0]);
  EXPECT_NE(line.find("yes"), std::string::npos) << line;
  EXPECT_NE(table_line(rows[1]).find("no"), std::string::npos);
  EXPECT_NE(table_header().find("p95"), std::string::npos);

  ReportInfo info{"in \"x\".ts", "P144p30fps16x9", "embedded", true};
  const std::string json = to_json(info, rows);
  EXPECT_NE(json.find("\"input\": \"in \\\"x\\\".ts\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"streams\": 2, \"segments_ok\": 5, \"segments_failed\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"largest_real_time_streams\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"realtime_ratio\": 4.0000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"duration_ratio\": 0.2500"), std::string::npos) << json;

  const std::string svg = to_svg(info, rows);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg "), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("N=2 p95 latency 2.500"), std::string::npos);
  // A single row draws points, no lines; nothing at all is still a document.
  EXPECT_EQ(to_svg(info, {rows[0]}).find("<polyline"), std::string::npos);
  EXPECT_NE(to_svg(info, {}).find("</svg>"), std::string::npos);
  EXPECT_NE(to_json(info, {}).find("\"results\": []"), std::string::npos);
}

}  // namespace
}  // namespace lp::bench
