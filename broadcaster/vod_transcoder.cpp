#include "vod_transcoder.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "hls_writer.h"
#include "segmenter.h"
#include "ts_probe.h"

namespace lp {
namespace {

using Clock = std::chrono::steady_clock;

// Errors that another orchestrator would give again: the segment or the request is at fault.
bool final_error(ErrorCode code) {
  return code == ErrorCode::BadSegment || code == ErrorCode::InvalidProfile || code == ErrorCode::UnknownProfile ||
         code == ErrorCode::BadRequest || code == ErrorCode::TooLarge;
}

std::string stream_id_for(const std::string& input) {
  g_autofree char* base = g_path_get_basename(input == "-" ? "stdin" : input.c_str());
  std::string id = "lpctl-";
  for (const char* c = base; *c && id.size() < 80; ++c)
    id += (g_ascii_isalnum(*c) || *c == '.' || *c == '_' || *c == '-') ? *c : '_';
  return id + "-" + std::to_string(getpid()) + "-" + std::to_string(g_get_real_time() % 1000000);
}

struct Shared {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<SourceSegment> queue;
  bool cutting_done = false;
  int64_t cut = 0;
  int64_t done = 0;
  double media_seconds = 0;
  std::optional<Error> failure;
  std::vector<VodRendition> renditions;  // totals so far
  std::atomic<bool> cancel{false};
  std::mutex progress_mutex;  // serialises on_progress calls
};

class Run {
 public:
  Run(const VodOptions& options, HlsWriter& writer, Shared& shared, Clock::time_point started, std::string stream_id)
      : stream_id_(std::move(stream_id)), options_(options), writer_(writer), shared_(shared), started_(started) {}

  // A sender thread: takes segments until there are none left or the run failed.
  void sender() {
    std::vector<std::unique_ptr<OrchestratorClient>> clients;
    for (const auto& address : options_.orchestrators)
      clients.push_back(std::make_unique<OrchestratorClient>(address, options_.client));
    for (;;) {
      SourceSegment segment;
      {
        std::unique_lock lock(shared_.mutex);
        shared_.ready.wait(lock, [&] { return !shared_.queue.empty() || shared_.cutting_done || shared_.failure; });
        if (shared_.failure || shared_.queue.empty()) return;
        segment = shared_.queue.front();
        shared_.queue.pop_front();
      }
      if (auto e = process(clients, segment); !e.ok()) {
        std::lock_guard lock(shared_.mutex);
        if (!shared_.failure) shared_.failure = e.error();
        shared_.cancel = true;
        shared_.ready.notify_all();
        return;
      }
    }
  }

 private:
  Result<void> process(std::vector<std::unique_ptr<OrchestratorClient>>& clients, const SourceSegment& segment) {
    g_autoptr(GError) error = nullptr;
    gchar* data = nullptr;
    gsize size = 0;
    if (!g_file_get_contents(segment.path.c_str(), &data, &size, &error))
      return Error{ErrorCode::Internal, "cannot read segment " + segment.path + ": " + error->message};
    g_autoptr(GBytes) body = g_bytes_new_take(data, size);
    const double seconds = static_cast<double>(segment.duration) / 1e9;
    SegmentToSend send{stream_id_, segment.seq, std::max<int64_t>(1, std::llround(seconds * 1000)), options_.profiles,
                       body};
    size_t used = 0;
    auto result = send_with_retries(clients, send, used);
    if (!result) {
      Error e = result.error();
      e.message = "segment " + std::to_string(segment.seq) + ": " + e.message;
      return e;
    }
    for (size_t i = 0; i < options_.profiles.size(); ++i) {
      std::optional<HlsVariant> variant;
      if (first_of_rendition(i)) variant = variant_of(i, *result, seconds);
      if (auto e = writer_.add_segment(i, segment.seq, result->renditions[i].get(), seconds, variant, segment.start);
          !e.ok())
        return e;
      std::lock_guard lock(shared_.mutex);
      VodRendition& total = shared_.renditions[i];
      if (variant) {
        total.width = variant->width;
        total.height = variant->height;
      }
      total.bytes += result->result.renditions[i].bytes;
      total.frames += result->result.renditions[i].frames;
    }
    g_remove(segment.path.c_str());
    report(segment, seconds, clients[used]->address());
    return {};
  }

  // The first orchestrator that answers with a verified result; the next one in the list
  // after any failure that another might not have; busy ones are waited for (bounded).
  Result<TranscodedSegment> send_with_retries(std::vector<std::unique_ptr<OrchestratorClient>>& clients,
                                              const SegmentToSend& segment, size_t& used) {
    const size_t n = clients.size();
    const int max_failures = static_cast<int>(std::max<size_t>(3, 2 * n));
    const auto give_up = Clock::now() + std::chrono::seconds(120);
    int failures = 0;
    size_t at = 0;
    std::optional<Error> last;
    while (!shared_.cancel && Clock::now() < give_up) {
      auto r = clients[at]->transcode(segment);
      if (r) {
        used = at;
        return r;
      }
      last = r.error();
      if (final_error(last->code)) return *last;
      const bool busy = last->code == ErrorCode::Busy || last->code == ErrorCode::NoTranscoder;
      if (!busy && ++failures >= max_failures) break;
      at = (at + 1) % n;
      if (busy || at == 0) std::this_thread::sleep_for(std::chrono::milliseconds(busy ? 300 : 100));
    }
    if (!last) return Error{ErrorCode::Timeout, "cancelled"};
    last->message += " (gave up after " + std::to_string(failures) + " failed attempts)";
    return *last;
  }

  bool first_of_rendition(size_t i) {
    std::lock_guard lock(variants_mutex_);
    if (variants_done_.size() < options_.profiles.size()) variants_done_.resize(options_.profiles.size(), false);
    if (variants_done_[i]) return false;
    variants_done_[i] = true;
    return true;
  }

  HlsVariant variant_of(size_t i, const TranscodedSegment& t, double seconds) const {
    const Profile& p = options_.profiles[i];
    HlsVariant v;
    v.name = p.name;
    v.width = t.result.renditions[i].width;  // as claimed, and checked when decoding is on
    v.height = t.result.renditions[i].height;
    if (i < t.counts.size()) {
      v.width = t.counts[i].width;
      v.height = t.counts[i].height;
    }
    if (p.fps > 0)
      v.frame_rate = static_cast<double>(p.fps) / std::max(1, p.fps_den);
    else if (seconds > 0)
      v.frame_rate = std::round(static_cast<double>(t.result.renditions[i].frames) / seconds * 1000) / 1000;
    v.codecs = probe_ts_codecs(t.renditions[i].get()).attribute();
    return v;
  }

  void report(const SourceSegment& segment, double seconds, const std::string& orchestrator) {
    VodProgress p;
    {
      std::lock_guard lock(shared_.mutex);
      ++shared_.done;
      shared_.media_seconds += seconds;
      p.done = shared_.done;
      p.cut = shared_.cut;
      p.cutting_done = shared_.cutting_done;
      p.media_seconds = shared_.media_seconds;
    }
    p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    char line[160];
    std::snprintf(line, sizeof line, "segment %lld: %.2f s, %zu renditions, from %s",
                  static_cast<long long>(segment.seq), seconds, options_.profiles.size(), orchestrator.c_str());
    p.event = line;
    if (options_.on_progress) {
      std::lock_guard lock(shared_.progress_mutex);
      options_.on_progress(p);
    }
  }

  const std::string stream_id_;
  const VodOptions& options_;
  HlsWriter& writer_;
  Shared& shared_;
  Clock::time_point started_;
  std::mutex variants_mutex_;
  std::vector<bool> variants_done_;
};

// The orchestrators' announced capacity, which bounds how many segments are worth sending
// at once.
int auto_parallel(const VodOptions& options) {
  int sum = 0;
  for (const auto& address : options.orchestrators) {
    OrchestratorClient probe(address, options.client);
    if (auto info = probe.info()) sum += info->capacity.max;
  }
  return std::clamp(sum, 1, 16);
}

}  // namespace

Result<VodSummary> transcode_to_hls(const VodOptions& options) {
  if (options.orchestrators.empty()) return Error{ErrorCode::BadRequest, "no orchestrator to send segments to"};
  if (options.profiles.empty()) return Error{ErrorCode::InvalidProfile, "no profiles given"};
  const auto started = Clock::now();
  if (g_mkdir_with_parents(options.out_dir.c_str(), 0755) != 0)
    return Error{ErrorCode::Internal, "cannot create " + options.out_dir + ": " + g_strerror(errno)};
  // A playlist left by an earlier run must not pass for this one's while it runs or if it fails.
  g_remove((options.out_dir + "/index.m3u8").c_str());
  if (auto e = check_hls_codecs(options.profiles); !e.ok()) return e.error();
  const std::string work = options.out_dir + "/.lpgst-segments";
  g_mkdir_with_parents(work.c_str(), 0700);

  // Fail early, with every orchestrator named, when none answers.
  {
    std::string why;
    bool any = false;
    for (const auto& address : options.orchestrators) {
      OrchestratorClient probe(address, options.client);
      auto info = probe.info();
      if (info) {
        any = true;
        break;
      }
      why += (why.empty() ? "" : "; ") + info.error().message;
    }
    if (!any) return Error{ErrorCode::Unreachable, "no orchestrator answers: " + why};
  }

  std::vector<std::string> names;
  for (const auto& p : options.profiles) names.push_back(p.name);
  HlsWriter writer(options.out_dir, names);
  Shared shared;
  for (const auto& p : options.profiles)
    shared.renditions.push_back({p.name, options.out_dir + "/" + file_safe_name(p.name) + "/index.m3u8", 0, 0, 0, 0});
  Run run(options, writer, shared, started,
          options.stream_id.empty() ? stream_id_for(options.input) : options.stream_id);
  const int parallel = options.parallel > 0 ? options.parallel : auto_parallel(options);

  std::vector<std::thread> senders;
  for (int i = 0; i < parallel; ++i) senders.emplace_back([&run] { run.sender(); });

  SegmenterOptions cut{options.input, work, options.segment_seconds, &shared.cancel, std::nullopt};
  auto summary = segment_input(cut, [&](const SourceSegment& s) {
    std::lock_guard lock(shared.mutex);
    shared.queue.push_back(s);
    ++shared.cut;
    shared.ready.notify_one();
  });
  {
    std::lock_guard lock(shared.mutex);
    shared.cutting_done = true;
    if (!summary && !shared.failure) shared.failure = summary.error();
    shared.ready.notify_all();
  }
  for (auto& t : senders) t.join();
  g_autoptr(GDir) leftovers = g_dir_open(work.c_str(), 0, nullptr);
  for (const char* name = leftovers ? g_dir_read_name(leftovers) : nullptr; name; name = g_dir_read_name(leftovers))
    g_remove((work + "/" + name).c_str());
  g_rmdir(work.c_str());

  if (shared.failure) return *shared.failure;
  if (auto e = writer.finish_vod(summary->segments); !e.ok()) return e.error();
  VodSummary out;
  out.segments = summary->segments;
  out.renditions = shared.renditions;
  out.media_seconds = shared.media_seconds;
  out.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  out.master_playlist = options.out_dir + "/index.m3u8";
  return out;
}

}  // namespace lp
