// `lpctl bench`: what go-livepeer's livepeer_bench is to operators. Cuts an input (or a generated
// sample) into segments once, then plays it as N simulated live streams at once, each sending
// its segments at the pace they were recorded, through an embedded node (default) or the
// orchestrator named with --orch-addr, and prints per N the segments done and failed, the
// latency p50/p95 and the real-time ratio (tools/bench_report.h defines each figure).
// `--streams auto` ramps N = 1, 2, ... and stops after the first N that does not keep real time.
#include "lpctl_bench.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_report.h"
#include "embedded_node.h"
#include "orchestrator_client.h"
#include "owned_threads.h"
#include "play_to_eos.h"
#include "profile.h"
#include "sample_media.h"
#include "segmenter.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultProfiles = "P720p30fps16x9,P576p30fps16x9,P360p30fps16x9,P240p30fps16x9";
constexpr int kMaxStreams = 256;

// The segments of the input, in memory, shared read-only by every stream.
struct Segment {
  lp::BytesPtr body;
  double start = 0;  // seconds from the first segment
  double seconds = 0;
};

// The work directory and what is in it, removed at the end.
struct WorkDir {
  std::string path;
  ~WorkDir() {
    if (path.empty()) return;
    if (GDir* dir = g_dir_open(path.c_str(), 0, nullptr)) {
      while (const char* name = g_dir_read_name(dir)) {
        g_autofree char* file = g_build_filename(path.c_str(), name, nullptr);
        g_remove(file);
      }
      g_dir_close(dir);
    }
    g_rmdir(path.c_str());
  }
};

// Cuts the input and keeps the segments that start within `limit` seconds (0: all).
lp::Result<std::vector<Segment>> load_segments(const std::string& input, const std::string& work_dir,
                                               double segment_seconds, double limit) {
  std::vector<Segment> out;
  std::optional<lp::Error> failure;
  lp::SegmenterOptions options;
  options.input = input;
  options.work_dir = work_dir;
  options.segment_seconds = segment_seconds;
  GstClockTime first = GST_CLOCK_TIME_NONE;
  auto summary = lp::segment_input(options, [&](const lp::SourceSegment& s) {
    if (first == GST_CLOCK_TIME_NONE) first = s.start;
    const double start = static_cast<double>(s.start - first) / 1e9;
    gchar* data = nullptr;
    gsize size = 0;
    g_autoptr(GError) error = nullptr;
    const bool wanted = limit <= 0 || start < limit - 1e-3;
    if (wanted && !failure) {
      if (!g_file_get_contents(s.path.c_str(), &data, &size, &error))
        failure = lp::Error{lp::ErrorCode::Internal, "cannot read segment " + s.path + ": " + error->message};
      else
        out.push_back({lp::BytesPtr(g_bytes_new_take(data, size)), start, static_cast<double>(s.duration) / 1e9});
    }
    g_remove(s.path.c_str());
  });
  if (!summary) return summary.error();
  if (failure) return *failure;
  if (out.empty()) return lp::Error{lp::ErrorCode::BadSegment, "the input gave no segments"};
  return out;
}

struct RoundSetup {
  std::string address;
  lp::ClientOptions client;
  std::vector<lp::Profile> profiles;
  const std::vector<Segment>* segments = nullptr;
  std::string stream_prefix;
};

// One round: `n` streams at once, each playing every segment in real time; stream k starts
// k/n of a segment after the first so the streams' segments do not all arrive together.
// `next_seq[k]` carries stream k's sequence numbers across rounds (same stream ids, so a
// remote node does not count the sessions of earlier rounds as well).
lp::bench::Row run_round(const RoundSetup& setup, int n, std::vector<int64_t>& next_seq) {
  const auto& segments = *setup.segments;
  std::mutex mutex;
  std::vector<lp::bench::SegmentSample> samples;
  int reported = 0;
  int64_t failures = 0;
  const double stagger = segments.front().seconds / n;
  const auto t0 = Clock::now();
  {
    lp::OwnedThreads threads;  // joined before the figures are read
    for (int k = 0; k < n; ++k) {
      const int64_t first_seq = next_seq[static_cast<size_t>(k)];
      threads.start([&, k, first_seq] {
        lp::OrchestratorClient client(setup.address, setup.client);
        const auto start = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(stagger * k));
        for (size_t j = 0; j < segments.size(); ++j) {
          const Segment& seg = segments[j];
          std::this_thread::sleep_until(
              start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seg.start)));
          lp::SegmentToSend send{setup.stream_prefix + std::to_string(k), first_seq + static_cast<int64_t>(j),
                                 std::max<int64_t>(1, std::llround(seg.seconds * 1000)), setup.profiles,
                                 seg.body.get()};
          const auto sent = Clock::now();
          auto result = client.transcode(send);
          const double latency = std::chrono::duration<double>(Clock::now() - sent).count();
          std::lock_guard lock(mutex);
          samples.push_back({seg.seconds, latency, result.ok()});
          if (!result) {
            ++failures;
            if (reported++ < 3)
              std::fprintf(stderr, "lpctl bench: %d streams: stream %d segment %zu failed: %s: %s\n", n, k, j,
                           lp::error_code_name(result.error().code), result.error().message.c_str());
          }
        }
      });
    }
  }
  if (failures > 3)
    std::fprintf(stderr, "lpctl bench: %d streams: %lld segments failed\n", n, static_cast<long long>(failures));
  for (int k = 0; k < n; ++k) next_seq[static_cast<size_t>(k)] += static_cast<int64_t>(segments.size());
  return lp::bench::summarize(n, samples, std::chrono::duration<double>(Clock::now() - t0).count());
}

lp::Result<void> write_file(const std::string& path, const std::string& text) {
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents(path.c_str(), text.data(), static_cast<gssize>(text.size()), &error))
    return lp::Error{lp::ErrorCode::Internal, error->message};
  return {};
}

}  // namespace

int lpctl_bench_main(int argc, char** argv) {
  g_autofree char* orch_addr = nullptr;
  g_autofree char* input = nullptr;
  g_autofree char* streams_text = nullptr;
  g_autofree char* profiles_spec = nullptr;
  g_autofree char* json_path = nullptr;
  g_autofree char* plot_path = nullptr;
  g_autofree char* size = nullptr;
  double duration = 0;
  double segment_seconds = 2;
  int max_streams = 32;
  gboolean verbose = FALSE;
  GOptionEntry entries[] = {
      {"orch-addr", 0, 0, G_OPTION_ARG_STRING, &orch_addr,
       "Orchestrator to load: TLS, or plain HTTP when written http://HOST:PORT (default: an embedded node)",
       "HOST:PORT"},
      {"in", 0, 0, G_OPTION_ARG_FILENAME, &input, "Input media file (default: a generated sample)", "FILE"},
      {"streams", 0, 0, G_OPTION_ARG_STRING, &streams_text,
       "Concurrent live streams, or auto: ramp 1, 2, ... to the largest that keeps real time (default 1)", "N|auto"},
      {"max-streams", 0, 0, G_OPTION_ARG_INT, &max_streams, "With --streams auto: stop there (default 32)", "N"},
      {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration,
       "Seconds of input each stream plays (default: all of --in; 10 for the sample)", "S"},
      {"profiles", 0, 0, G_OPTION_ARG_STRING, &profiles_spec,
       "Presets, JSON array or JSON file, as lpctl transcode (default: 720p, 576p, 360p, 240p at 30 fps)", "SPEC"},
      {"segment-duration", 0, 0, G_OPTION_ARG_DOUBLE, &segment_seconds,
       "Target segment length; cuts follow keyframes (default 2)", "S"},
      {"size", 0, 0, G_OPTION_ARG_STRING, &size, "Generated sample's frame size (default 1920x1080)", "WxH"},
      {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the figures as JSON (one object per N)", "FILE"},
      {"plot", 0, 0, G_OPTION_ARG_FILENAME, &plot_path, "Draw latency and real-time ratio against N", "FILE.svg"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Show the embedded node's log", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("");
  g_option_context_set_summary(ctx,
                               "Plays N simulated live streams in real time through a node and reports, per N, "
                               "segments done and failed, latency p50/p95 and the real-time ratio.");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1) {
    std::fprintf(stderr, "lpctl bench: %s (lpctl bench --help)\n", err ? err->message : "unexpected argument");
    return 2;
  }
  const bool auto_mode = streams_text && std::string(streams_text) == "auto";
  int streams = 1;
  if (streams_text && !auto_mode) {
    char* end = nullptr;
    const long v = std::strtol(streams_text, &end, 10);
    if (!*streams_text || *end || v < 1 || v > kMaxStreams) {
      std::fprintf(stderr, "lpctl bench: --streams must be 1 to %d or auto\n", kMaxStreams);
      return 2;
    }
    streams = static_cast<int>(v);
  }
  if (max_streams < 1 || max_streams > kMaxStreams) {
    std::fprintf(stderr, "lpctl bench: --max-streams must be 1 to %d\n", kMaxStreams);
    return 2;
  }
  if (duration < 0 || !std::isfinite(duration)) {
    std::fprintf(stderr, "lpctl bench: --duration must be a positive number of seconds\n");
    return 2;
  }
  if (!(segment_seconds >= 0.5 && segment_seconds <= 60)) {
    std::fprintf(stderr, "lpctl bench: --segment-duration must be 0.5 to 60 seconds\n");
    return 2;
  }
  int width = 1920, height = 1080;
  if (size && (std::sscanf(size, "%dx%d", &width, &height) != 2 || width < 16 || height < 16)) {
    std::fprintf(stderr, "lpctl bench: --size must look like 1920x1080\n");
    return 2;
  }
  const std::string profiles_text = profiles_spec ? profiles_spec : kDefaultProfiles;
  auto profiles = lp::parse_profiles(profiles_text);
  if (!profiles) {
    std::fprintf(stderr, "lpctl bench: --profiles: %s\n", profiles.error().message.c_str());
    return 2;
  }
  if (input && !g_file_test(input, G_FILE_TEST_IS_REGULAR)) {
    std::fprintf(stderr, "lpctl bench: --in %s: no such file\n", input);
    return 2;
  }

  g_log_set_writer_func(lp::quiet_log_writer, GINT_TO_POINTER(verbose), nullptr);
  WorkDir work;
  {
    g_autoptr(GError) error = nullptr;
    g_autofree char* dir = g_dir_make_tmp("lpctl-bench-XXXXXX", &error);
    if (!dir) {
      std::fprintf(stderr, "lpctl bench: %s\n", error->message);
      return 1;
    }
    work.path = dir;
  }
  RoundSetup setup;
  setup.profiles = *profiles;
  setup.stream_prefix =
      "lpctl-bench-" + std::to_string(getpid()) + "-" + std::to_string(g_get_real_time() % 100000) + "-";
  // The bench measures the node: signatures and hashes are checked, renditions are not decoded
  // again on this machine (which would add the client's own CPU to every latency).
  setup.client.decode_check = false;
  const int needed = auto_mode ? max_streams : streams;
  std::unique_ptr<lp::EmbeddedNode> node;
  if (orch_addr) {
    setup.address = orch_addr;
  } else {
    // As many sessions and concurrent segments as streams: the machine, not a limit, decides.
    auto started = lp::EmbeddedNode::start(needed);
    if (!started) {
      std::fprintf(stderr, "lpctl bench: embedded node: %s\n", started.error().message.c_str());
      return 1;
    }
    node = std::move(*started);
    setup.address = node->address();
    setup.client.expected_signer = node->signer();
  }
  {
    lp::OrchestratorClient probe(setup.address, setup.client);
    if (auto info = probe.info(); !info) {
      std::fprintf(stderr, "lpctl bench: FAILED: orchestrator %s does not answer: %s: %s\n", setup.address.c_str(),
                   lp::error_code_name(info.error().code), info.error().message.c_str());
      return 1;
    }
  }
  std::string source = input ? input : "";
  if (!input) {
    const int seconds = static_cast<int>(std::ceil(duration > 0 ? duration : 10));
    source = work.path + "/sample.ts";
    std::fprintf(stderr, "lpctl bench: generating a %dx%d %d s sample\n", width, height, seconds);
    if (auto made = lp::make_sample(source, width, height, seconds); !made) {
      std::fprintf(stderr, "lpctl bench: sample: %s\n", made.error().message.c_str());
      return 1;
    }
  }
  auto segments = load_segments(source, work.path, segment_seconds, duration);
  if (!segments) {
    std::fprintf(stderr, "lpctl bench: %s: %s\n", source.c_str(), segments.error().message.c_str());
    return 1;
  }
  double media = 0;
  for (const auto& s : *segments) media += s.seconds;

  setup.segments = &*segments;
  std::fprintf(stderr, "lpctl bench: %zu segments (%.1f s) per stream, profiles %s, through %s\n", segments->size(),
               media, profiles_text.c_str(), orch_addr ? orch_addr : "an embedded node");

  std::vector<lp::bench::Row> rows;
  std::vector<int64_t> next_seq(static_cast<size_t>(needed), 0);
  std::fputs(lp::bench::table_header().c_str(), stdout);
  std::fflush(stdout);
  int n = auto_mode ? 1 : streams;
  for (;;) {
    rows.push_back(run_round(setup, n, next_seq));
    std::fputs(lp::bench::table_line(rows.back()).c_str(), stdout);
    std::fflush(stdout);
    if (!auto_mode || !lp::bench::ramp_continues(rows, max_streams)) break;
    ++n;
  }
  node.reset();

  const int best = lp::bench::largest_real_time(rows);
  if (auto_mode) {
    if (best == max_streams && lp::bench::keeps_real_time(rows.back()))
      std::printf("largest real-time stream count: %d (the --max-streams cap; raise it to go further)\n", best);
    else
      std::printf("largest real-time stream count: %d\n", best);
  }
  lp::bench::ReportInfo info{input ? input : "generated sample", profiles_text, orch_addr ? orch_addr : "embedded",
                             auto_mode};
  if (json_path) {
    if (auto w = write_file(json_path, lp::bench::to_json(info, rows)); !w) {
      std::fprintf(stderr, "lpctl bench: --json: %s\n", w.error().message.c_str());
      return 1;
    }
  }
  if (plot_path) {
    if (auto w = write_file(plot_path, lp::bench::to_svg(info, rows)); !w) {
      std::fprintf(stderr, "lpctl bench: --plot: %s\n", w.error().message.c_str());
      return 1;
    }
  }
  // A fixed N fails on any failed segment; a ramp only when one stream alone had failures
  // (a later N failing is where the ramp stops).
  const lp::bench::Row& judged = auto_mode ? rows.front() : rows.back();
  if (judged.segments_failed > 0 || judged.segments_ok == 0) {
    std::fprintf(stderr, "lpctl bench: FAILED: %lld of %lld segments failed with %d streams\n",
                 static_cast<long long>(judged.segments_failed),
                 static_cast<long long>(judged.segments_failed + judged.segments_ok), judged.streams);
    return 1;
  }
  return 0;
}
