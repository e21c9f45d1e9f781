#include "live_stream.h"

#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>

#include <cerrno>
#include <cmath>

#include "rendition_probe.h"
#include "ts_probe.h"

namespace lp {
namespace {

// Failures that another orchestrator would give again.
bool segment_fault(ErrorCode code) {
  return code == ErrorCode::BadSegment || code == ErrorCode::InvalidProfile || code == ErrorCode::UnknownProfile;
}

// Segments waiting to be sent: past this many, the stream is far behind real time and the
// oldest is given up (a gap for players) rather than letting latency and disk grow.
constexpr size_t kMaxBacklog = 5;

std::vector<std::string> names_of(const std::vector<Profile>& profiles) {
  std::vector<std::string> names;
  for (const auto& p : profiles) names.push_back(p.name);
  names.push_back("source");
  return names;
}

GBytes* read_bytes(const std::string& path) {
  gchar* data = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(path.c_str(), &data, &size, nullptr)) return nullptr;
  return g_bytes_new_take(data, size);
}

}  // namespace

LiveStream::LiveStream(LiveStreamConfig config)
    : config_(std::move(config)),
      dir_(config_.hls_dir + "/" + file_safe_name(config_.name)),
      writer_(dir_, names_of(config_.profiles)),
      cancellable_(g_cancellable_new()) {
  config_.client.cancellable = cancellable_;  // the sender's orchestrator calls
}

std::unique_ptr<LiveStream> LiveStream::start(LiveStreamConfig config) {
  std::unique_ptr<LiveStream> s(new LiveStream(std::move(config)));
  g_mkdir_with_parents((s->dir_ + "/.segments").c_str(), 0755);
  if (!s->config_.orchestrators.empty()) s->stats_.orchestrator = s->config_.orchestrators.front();
  s->cutter_ = std::thread([me = s.get()] { me->cut(); });
  s->sender_ = std::thread([me = s.get()] { me->send(); });
  return s;
}

LiveStream::~LiveStream() {
  cancel_ = true;
  g_cancellable_cancel(cancellable_);  // an orchestrator call in flight ends now
  end();
  ready_.notify_all();
  cutter_.join();
  sender_.join();
  if (!stats_.finished) writer_.write_live(config_.window, true);  // stopped early: still ended
  std::lock_guard lock(mutex_);
  for (GBytes* b : early_) g_bytes_unref(b);
  if (appsrc_) gst_object_unref(appsrc_);
  g_object_unref(cancellable_);
}

bool LiveStream::push(GBytes* bytes) {
  std::lock_guard lock(mutex_);
  if (stats_.overflowed) return false;
  if (input_ended_) return true;
  const size_t size = g_bytes_get_size(bytes);
  const size_t waiting =
      appsrc_ ? static_cast<size_t>(gst_app_src_get_current_level_bytes(GST_APP_SRC(appsrc_))) : early_bytes_;
  if (waiting + size > config_.max_buffer_bytes) {
    stats_.overflowed = true;
    g_message("stream %s: input refused: %zu bytes already waiting for the segmenter (limit %zu)", config_.name.c_str(),
              waiting, config_.max_buffer_bytes);
    return false;
  }
  if (!appsrc_) {
    early_.push_back(g_bytes_ref(bytes));
    early_bytes_ += size;
    return true;
  }
  gst_app_src_push_buffer(GST_APP_SRC(appsrc_), gst_buffer_new_wrapped_bytes(bytes));
  return true;
}

void LiveStream::end() {
  std::lock_guard lock(mutex_);
  if (input_ended_) return;
  input_ended_ = true;
  stats_.ended = true;
  if (appsrc_) gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));
}

LiveStreamStats LiveStream::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

// The segmenter's thread: runs until the input ends (or the stream is stopped).
void LiveStream::cut() {
  LiveInput live{config_.demuxer, config_.has_audio, [this](GstElement* appsrc) {
                   std::lock_guard lock(mutex_);
                   appsrc_ = GST_ELEMENT(gst_object_ref(appsrc));
                   for (GBytes* b : early_) {
                     gst_app_src_push_buffer(GST_APP_SRC(appsrc_), gst_buffer_new_wrapped_bytes(b));
                     g_bytes_unref(b);
                   }
                   early_.clear();
                   early_bytes_ = 0;
                   if (input_ended_) gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));
                 }};
  live.max_bytes = config_.max_buffer_bytes;
  SegmenterOptions options{"", dir_ + "/.segments", config_.segment_seconds, &cancel_, live};
  bool first = true;
  auto result = segment_input(options, [&](const SourceSegment& segment) {
    g_autoptr(GBytes) bytes = read_bytes(segment.path);
    if (!bytes) return;
    // The source goes out as it is, at once: the first rendition players can have.
    std::optional<HlsVariant> variant;
    if (first) {
      variant = HlsVariant{"source", 0, 0, 0, probe_ts_codecs(bytes).attribute()};
      if (auto count = count_rendition(bytes)) {
        variant->width = count->width;
        variant->height = count->height;
        if (segment.duration > 0)
          variant->frame_rate = std::round(double(count->frames) / (double(segment.duration) / 1e9));
      }
      first = false;
    }
    writer_.add_segment(config_.profiles.size(), segment.seq, bytes, double(segment.duration) / 1e9, variant);
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxBacklog) {
      const SourceSegment& old = queue_.front();
      g_message("stream %s: %zu segments behind, giving up segment %lld", config_.name.c_str(), queue_.size(),
                static_cast<long long>(old.seq));
      for (size_t i = 0; i < config_.profiles.size(); ++i) writer_.mark_lost(i, old.seq, double(old.duration) / 1e9);
      g_remove(old.path.c_str());
      ++stats_.lost;
      queue_.pop_front();
    }
    queue_.push_back(segment);
    ++stats_.segments;
    ready_.notify_all();
  });
  if (!result && !cancel_) g_message("stream %s: %s", config_.name.c_str(), result.error().message.c_str());
  std::lock_guard lock(mutex_);
  cutting_done_ = true;
  ready_.notify_all();
}

void LiveStream::send() {
  std::vector<std::unique_ptr<OrchestratorClient>> clients;
  for (const auto& address : config_.orchestrators)
    clients.push_back(std::make_unique<OrchestratorClient>(address, config_.client));
  for (;;) {
    SourceSegment segment;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !queue_.empty() || cutting_done_ || cancel_; });
      if (cancel_) return;
      if (queue_.empty()) break;
      segment = queue_.front();
      queue_.pop_front();
    }
    transcode_one(segment, clients);
    g_remove(segment.path.c_str());
    publish();
  }
  writer_.write_live(config_.window, true);
  std::lock_guard lock(mutex_);
  stats_.finished = true;
}

// The current orchestrator first; on failure the next ones in turn, and the one that works
// becomes current. A segment no orchestrator can do is lost (a discontinuity for players).
void LiveStream::transcode_one(const SourceSegment& segment,
                               std::vector<std::unique_ptr<OrchestratorClient>>& clients) {
  g_autoptr(GBytes) body = read_bytes(segment.path);
  const double seconds = double(segment.duration) / 1e9;
  std::optional<Error> last;
  if (body && !clients.empty()) {
    SegmentToSend send{config_.name, segment.seq, std::max<int64_t>(1, std::llround(seconds * 1000)), config_.profiles,
                       body};
    size_t at;
    {
      std::lock_guard lock(mutex_);
      at = current_;
    }
    for (size_t tried = 0; tried < clients.size() && !cancel_; ++tried, at = (at + 1) % clients.size()) {
      auto result = clients[at]->transcode(send);
      if (cancel_) return;  // stopped: nothing more is written
      if (!result) {
        last = result.error();
        g_message("stream %s segment %lld: %s", config_.name.c_str(), static_cast<long long>(segment.seq),
                  last->message.c_str());
        if (segment_fault(last->code)) break;
        continue;
      }
      for (size_t i = 0; i < config_.profiles.size(); ++i) {
        std::optional<HlsVariant> variant;
        if (stats().transcoded == 0) {
          variant = HlsVariant{
              config_.profiles[i].name, result->result.renditions[i].width, result->result.renditions[i].height,
              config_.profiles[i].fps > 0 ? double(config_.profiles[i].fps) / config_.profiles[i].fps_den : 0,
              probe_ts_codecs(result->renditions[i].get()).attribute()};
          if (i < result->counts.size()) {
            variant->width = result->counts[i].width;
            variant->height = result->counts[i].height;
          }
        }
        if (auto e = writer_.add_segment(i, segment.seq, result->renditions[i].get(), seconds, variant, segment.start);
            !e.ok()) {
          g_warning("stream %s: segment %lld: %s", config_.name.c_str(), static_cast<long long>(segment.seq),
                    e.error().message.c_str());
          writer_.mark_lost(i, segment.seq, seconds);
        }
      }
      std::lock_guard lock(mutex_);
      if (current_ != at)
        g_message("stream %s: now on orchestrator %s", config_.name.c_str(), clients[at]->address().c_str());
      current_ = at;
      stats_.orchestrator = clients[at]->address();
      ++stats_.transcoded;
      return;
    }
  }
  for (size_t i = 0; i < config_.profiles.size(); ++i) writer_.mark_lost(i, segment.seq, seconds);
  std::lock_guard lock(mutex_);
  ++stats_.lost;
}

void LiveStream::publish() {
  if (auto e = writer_.write_live(config_.window, false); !e.ok())
    g_message("stream %s: %s", config_.name.c_str(), e.error().message.c_str());
}

}  // namespace lp
