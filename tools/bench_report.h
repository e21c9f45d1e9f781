// `lpctl bench`'s figures (tools/lpctl_bench.cpp): per stream count, the segments that came back
// and how long they took, the real-time test that `--streams auto` ramps on, and the table,
// JSON and SVG it writes. No media here: everything is plain numbers, so it is unit-tested
// with synthetic ones (tests/tools/test_lpctl_bench.cpp).
//
// The figures follow go-livepeer's cmd/livepeer_bench:
//   latency        from sending a segment to having all its renditions back (verified);
//   rt ratio       total media seconds of the segments done / total seconds spent transcoding
//                  them, per stream: above 1 is faster than real time. livepeer_bench prints the
//                  inverse as "Real-Time Duration Ratio" (transcode time / source time, below 1 is
//                  real time); the JSON carries both.
//   rt segs        the fraction of segments whose latency was at most their own duration
//                  (livepeer_bench's "Real-Time Segs Ratio").
// A stream count keeps real time when no segment failed and the p95 latency is under the
// (mean) segment duration: then every stream keeps up with a live source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lp::bench {

// One segment of one stream.
struct SegmentSample {
  double media_seconds = 0;    // its duration
  double latency_seconds = 0;  // send to all renditions back (ok ones)
  bool ok = false;
};

// The figures for one stream count.
struct Row {
  int streams = 0;
  int64_t segments_ok = 0;
  int64_t segments_failed = 0;
  double latency_p50 = 0;        // seconds, over the ok segments
  double latency_p95 = 0;        // seconds, over the ok segments
  double segment_seconds = 0;    // mean duration of the segments sent
  double realtime_ratio = 0;     // media seconds / transcode seconds (ok segments)
  double realtime_segments = 0;  // fraction of ok segments with latency <= their duration
  double wall_seconds = 0;       // the whole round
};

// Nearest-rank percentile (p in 0..100) of `values`; 0 for none. p50 <= p95 always.
double percentile(std::vector<double> values, double p);

// The row for `streams` streams from every segment they sent.
Row summarize(int streams, const std::vector<SegmentSample>& samples, double wall_seconds);

// No failures, at least one segment, and p95 latency under the segment duration.
bool keeps_real_time(const Row& row);

// `--streams auto`: after the rows so far (N = 1, 2, ... in order), whether to try one more
// stream: only while the last row kept real time and N < max_streams.
bool ramp_continues(const std::vector<Row>& rows, int max_streams);

// The largest N such that it and every smaller N tried kept real time; 0 when even one stream
// did not.
int largest_real_time(const std::vector<Row>& rows);

// The table lpctl prints: a header line, and one line per row.
std::string table_header();
std::string table_line(const Row& row);

struct ReportInfo {
  std::string input;
  std::string profiles;
  std::string orchestrator;  // "embedded" or host:port
  bool auto_mode = false;
};

// {"input":..., "profiles":..., "orchestrator":..., "largest_real_time_streams":N,
//  "results":[{"streams":1,"segments_ok":...}, ...]}
std::string to_json(const ReportInfo& info, const std::vector<Row>& rows);

// Latency p50/p95 (left axis, with the segment duration dashed) and the rt ratio (right axis)
// against the stream count: a standalone SVG document.
std::string to_svg(const ReportInfo& info, const std::vector<Row>& rows);

}  // namespace lp::bench
