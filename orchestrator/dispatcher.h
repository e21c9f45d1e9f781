// The orchestrator's job lifecycle, on the main context: a segment goes to the worker the
// scheduler picks; a worker that fails, disconnects or misses the deadline
// (max(8 s, 4 x duration), as go-livepeer) has the segment re-dispatched elsewhere, up to a
// bounded number of attempts. Segments wait in a queue only while every worker is full, and
// the API server bounds that queue by refusing work over --max-sessions.
#pragma once

#include <glib.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "metrics.h"
#include "scheduler.h"
#include "worker.h"

namespace lp {

struct DispatcherConfig {
  int max_attempts = 3;
  std::chrono::milliseconds min_deadline{8000};
  int deadline_per_duration = 4;  // deadline = max(min_deadline, this x segment duration)

  // What one request may cost, checked before dispatch (check_limits). 0 = the default:
  int max_renditions = 0;             // renditions per segment; kDefaultMaxRenditions
  int64_t max_frame_pixels = 0;       // width x height of one rendition; see frame_pixel_limit()
  int64_t max_pixels_per_second = 0;  // sum of width x height x fps over the ladder; see ladder_pixel_rate_limit()
};

// The defaults of the limits above.
// Ladders in use have 4-6 renditions; each rendition costs a scaler and an encoder (threads,
// buffers) for as long as the segment runs.
inline constexpr int kDefaultMaxRenditions = 10;
// The largest frame of H.264 level 5.2 (36,864 macroblocks: 4096x2304), the highest level
// common players decode; a transcoder announcing a smaller max_width x max_height lowers it.
inline constexpr int64_t kDefaultMaxFramePixels = int64_t{4096} * 2304;
// Two renditions of the largest frame at 60 fps (a full 2160p60 ladder fits).
inline constexpr int64_t kDefaultLadderFramesPerSecond = 120;
// The rate assumed for a profile that keeps the source's (fps 0): its rate is known only once
// the segment is decoded, so the check assumes the highest common one.
inline constexpr int kAssumedSourceFps = 60;

// The limits check_limits applies, after defaults and the transcoders' announcements.
struct RequestLimits {
  int max_renditions = 0;
  int64_t max_frame_pixels = 0;
  int64_t max_pixels_per_second = 0;
};

struct Segment {
  std::string stream_id;
  int64_t seq = 0;
  int64_t duration_ms = 2000;
  std::vector<Profile> profiles;
  SharedBytes source;
  std::string livepeer_segment{};            // JobRequest::livepeer_segment
  std::vector<int> required_capabilities{};  // go-livepeer bits the gateway asked for
};

struct WorkerStatus {
  std::string id;
  std::string address;
  int capacity = 0;
  int load = 0;
  bool local = false;
  std::string protocol;  // Worker::protocol()
  wire::Capabilities capabilities;
  std::vector<int> livepeer_capabilities;
  uint64_t segments_done = 0;
};

struct StreamStatus {
  std::string stream_id;
  std::string worker_id;
  uint64_t segments = 0;
  std::string pipeline;  // the description its latest job ran
  gint64 last_us = 0;    // monotonic time of its latest job
};

class Dispatcher {
 public:
  // Called once per segment, on the main context. `worker_id` did the work ("" on failure).
  using Finished = std::function<void(JobOutcome outcome, const std::string& worker_id)>;

  Dispatcher(DispatcherConfig config, OrchestratorMetrics& metrics);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void add_worker(std::shared_ptr<Worker> worker);
  // A worker gone (disconnected, dead): its segments go to others at once.
  void remove_worker(const std::string& id, const std::string& why);

  // Returns the segment's id (for abandon()).
  std::string submit(Segment segment, Finished finished);
  // Nobody waits for this segment any more (its client went away): its job is cancelled, its
  // slot freed, and `finished` is not called.
  void abandon(const std::string& segment_id);

  // Whether a connected worker can take segments with these profiles; the error says why not.
  // Checks the request limits first (check_limits).
  Result<void> check_capable(const std::vector<Profile>& profiles) const;

  // Whether a segment with these profiles is within what one request may cost: the number of
  // renditions, the pixels of each frame and the pixels per second of the whole ladder. An
  // InvalidProfile error (400: the request asks for more than this node does for anyone, so
  // no retry can succeed; the client must send smaller profiles) names the limit.
  Result<void> check_limits(const std::vector<Profile>& profiles) const;
  // The limits in force now: the configured ones, or the defaults lowered to what the
  // connected transcoders announce (the largest max_width x max_height any of them states).
  RequestLimits limits() const;

  int in_flight() const { return static_cast<int>(segments_.size()); }
  int worker_capacity() const;
  int worker_load() const;
  size_t worker_count() const { return workers_.size(); }
  std::vector<WorkerStatus> workers() const;
  std::vector<StreamStatus> streams() const;

  // Where lines about re-dispatches, lost transcoders and missed deadlines go.
  void set_logger(std::function<void(const std::string&)> log) { log_ = std::move(log); }

 private:
  struct Pending;
  struct Entry {
    std::shared_ptr<Worker> worker;
    int load = 0;
    uint64_t done = 0;
  };

  void pump();
  bool try_start(const std::string& segment_id);
  void on_done(const std::string& worker_id, const std::string& job_id, JobOutcome outcome);
  void on_deadline(const std::string& segment_id);
  void retry_or_fail(const std::string& segment_id, Error error);
  void finish(const std::string& segment_id, JobOutcome outcome, const std::string& worker_id);
  void release(Pending& p);
  void update_gauges();
  void prune_streams();
  void log(const std::string& line) const;
  std::chrono::milliseconds deadline_of(const Segment& s) const;

  DispatcherConfig config_;
  OrchestratorMetrics& metrics_;
  Scheduler scheduler_;
  std::map<std::string, Entry> workers_;
  std::map<std::string, std::unique_ptr<Pending>> segments_;  // by segment id
  std::map<std::string, std::string> job_to_segment_;
  std::deque<std::string> queue_;  // segment ids waiting for a free slot, oldest first
  std::map<std::string, StreamStatus> streams_;
  uint64_t next_id_ = 1;
  std::function<void(const std::string&)> log_;
};

}  // namespace lp
