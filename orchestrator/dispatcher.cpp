#include "dispatcher.h"

#include <algorithm>

#include "main_context.h"

namespace lp {

struct Dispatcher::Pending {
  Segment segment;
  Finished finished;
  int attempts = 0;                 // attempts started so far
  std::string job_id;               // current attempt ("" while queued)
  std::string worker_id;            // current worker ("" while queued)
  std::set<std::string> failed_on;  // workers an attempt failed on: tried last
  guint deadline = 0;               // the current attempt's (or the queue wait's) timer
  gint64 started_us = 0;            // when the current attempt started
  std::optional<Error> last_error;  // why the previous attempt failed
};

Dispatcher::Dispatcher(DispatcherConfig config, OrchestratorMetrics& metrics) : config_(config), metrics_(metrics) {}

Dispatcher::~Dispatcher() {
  for (auto& [id, p] : segments_) remove_source(p->deadline);
  for (auto& [id, e] : workers_) e.worker->set_done(nullptr);  // a worker may outlive us
}

std::chrono::milliseconds Dispatcher::deadline_of(const Segment& s) const {
  return std::max(config_.min_deadline, std::chrono::milliseconds(s.duration_ms * config_.deadline_per_duration));
}

void Dispatcher::log(const std::string& line) const {
  if (log_) log_(line);
}

void Dispatcher::add_worker(std::shared_ptr<Worker> worker) {
  const std::string id = worker->id();
  worker->set_done(
      [this, id](const std::string& job_id, JobOutcome outcome) { on_done(id, job_id, std::move(outcome)); });
  workers_[id] = Entry{std::move(worker), 0, 0};
  update_gauges();
  pump();
}

void Dispatcher::remove_worker(const std::string& id, const std::string& why) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  it->second.worker->set_done(nullptr);
  workers_.erase(it);
  for (auto& [sid, stream] : streams_)
    if (stream.worker_id == id) stream.worker_id.clear();
  std::vector<std::string> orphans;
  for (auto& [sid, p] : segments_)
    if (p->worker_id == id) orphans.push_back(sid);
  for (const auto& sid : orphans) {
    Pending& p = *segments_.at(sid);
    log("segment " + sid + " (job " + p.job_id + ") lost its transcoder " + id + ": " + why);
    remove_source(p.deadline);  // a fresh attempt gets a fresh deadline
    job_to_segment_.erase(p.job_id);
    p.job_id.clear();
    p.worker_id.clear();
    p.failed_on.insert(id);
    retry_or_fail(sid, Error{ErrorCode::NoTranscoder, "transcoder " + id + " went away: " + why});
  }
  update_gauges();
  pump();
}

std::string Dispatcher::submit(Segment segment, Finished finished) {
  if (next_id_ % 256 == 0) prune_streams();
  const std::string sid = "s" + std::to_string(next_id_++);
  auto p = std::make_unique<Pending>();
  p->segment = std::move(segment);
  p->finished = std::move(finished);
  segments_[sid] = std::move(p);
  queue_.push_back(sid);
  pump();
  update_gauges();
  return sid;
}

void Dispatcher::abandon(const std::string& sid) {
  auto it = segments_.find(sid);
  if (it == segments_.end()) return;
  Pending& p = *it->second;
  log("segment " + sid + " abandoned: its client went away");
  if (!p.worker_id.empty()) {
    auto w = workers_.find(p.worker_id);
    if (w != workers_.end()) w->second.worker->cancel(p.job_id);
    job_to_segment_.erase(p.job_id);
    release(p);
  }
  queue_.erase(std::remove(queue_.begin(), queue_.end(), sid), queue_.end());
  remove_source(p.deadline);
  segments_.erase(it);
  update_gauges();
  pump();
}

// Starts queued segments, oldest first, while workers have room.
void Dispatcher::pump() {
  // Oldest first, but one that cannot be placed (no capable worker has room) does not hold
  // back those behind it.
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (try_start(*it))
      it = queue_.erase(it);
    else
      ++it;
  }
  // Queued segments still wait, but not forever: the same deadline an attempt gets.
  for (const auto& sid : queue_) {
    Pending& p = *segments_.at(sid);
    if (p.deadline != 0) continue;
    p.deadline = add_timeout_once(deadline_of(p.segment), [this, sid] { on_deadline(sid); });
  }
}

bool Dispatcher::try_start(const std::string& sid) {
  Pending& p = *segments_.at(sid);
  std::vector<WorkerLoad> loads;
  std::vector<WorkerLoad> retry_loads;  // workers this segment already failed on
  for (const auto& [id, e] : workers_) {
    if (e.worker->draining() || !wire::check_can_transcode(e.worker->capabilities(), p.segment.profiles).ok() ||
        e.worker->lacks(p.segment.required_capabilities))
      continue;
    (p.failed_on.count(id) ? retry_loads : loads).push_back({id, e.load, e.worker->capacity()});
  }
  auto sticky = streams_.find(p.segment.stream_id);
  const std::string sticky_id = sticky == streams_.end() ? "" : sticky->second.worker_id;
  std::optional<size_t> pick = scheduler_.pick(loads, sticky_id);
  std::string worker_id;
  if (pick)
    worker_id = loads[*pick].id;
  else if (auto again = scheduler_.pick(retry_loads, ""))
    worker_id = retry_loads[*again].id;
  else
    return false;

  remove_source(p.deadline);
  Entry& e = workers_.at(worker_id);
  ++e.load;
  ++p.attempts;
  p.job_id = sid + "-" + std::to_string(p.attempts);
  p.worker_id = worker_id;
  p.started_us = g_get_monotonic_time();
  job_to_segment_[p.job_id] = sid;
  StreamStatus& stream = streams_[p.segment.stream_id];
  stream.stream_id = p.segment.stream_id;
  stream.worker_id = worker_id;
  ++stream.segments;
  stream.last_us = p.started_us;

  JobRequest job{p.job_id,
                 p.segment.stream_id,
                 p.segment.seq,
                 p.segment.profiles,
                 p.segment.source,
                 deadline_of(p.segment),
                 p.segment.livepeer_segment,
                 p.segment.duration_ms};
  p.deadline = add_timeout_once(job.timeout, [this, sid] { on_deadline(sid); });
  if (p.attempts > 1) metrics_.segment_redispatched();
  update_gauges();
  // Workers never report from inside start() (worker.h), so nothing re-enters here.
  std::shared_ptr<Worker> worker = e.worker;
  stream.pipeline = worker->start(job);
  return true;
}

void Dispatcher::on_done(const std::string& worker_id, const std::string& job_id, JobOutcome outcome) {
  auto j = job_to_segment_.find(job_id);
  if (j == job_to_segment_.end()) return;  // an attempt already given up on
  const std::string sid = j->second;
  Pending& p = *segments_.at(sid);
  if (p.worker_id != worker_id) return;
  job_to_segment_.erase(j);
  release(p);
  metrics_.observe_transcode_time(double(g_get_monotonic_time() - p.started_us) / 1e6);
  if (outcome) {
    auto w = workers_.find(worker_id);
    if (w != workers_.end()) ++w->second.done;
    finish(sid, std::move(outcome), worker_id);
  } else {
    p.failed_on.insert(worker_id);
    retry_or_fail(sid, outcome.error());
  }
  pump();
}

void Dispatcher::on_deadline(const std::string& sid) {
  auto it = segments_.find(sid);
  if (it == segments_.end()) return;
  Pending& p = *it->second;
  p.deadline = 0;             // this source is firing and goes away by itself
  if (p.worker_id.empty()) {  // still queued: nobody had room in time
    queue_.erase(std::remove(queue_.begin(), queue_.end(), sid), queue_.end());
    Error e = p.last_error.value_or(
        Error{ErrorCode::NoTranscoder,
              workers_.empty() ? "no transcoder is connected" : "no transcoder had a free slot before the deadline"});
    finish(sid, e, "");
    return;
  }
  const std::string worker_id = p.worker_id;
  log("job " + p.job_id + " missed its deadline on " + worker_id);
  auto w = workers_.find(worker_id);
  if (w != workers_.end()) w->second.worker->cancel(p.job_id);
  job_to_segment_.erase(p.job_id);
  release(p);
  p.failed_on.insert(worker_id);
  retry_or_fail(sid, Error{ErrorCode::Timeout, "transcoder " + worker_id + " missed the deadline of " +
                                                   std::to_string(deadline_of(p.segment).count()) + " ms"});
  pump();
}

// Media faults are the segment's own and final; everything else may work elsewhere.
void Dispatcher::retry_or_fail(const std::string& sid, Error error) {
  Pending& p = *segments_.at(sid);
  // (BadRequest is not one: a transcoder refusing a job it cannot run, such as a template
  // naming an element it lacks, says nothing of the segment.)
  const bool segment_fault = error.code == ErrorCode::BadSegment || error.code == ErrorCode::InvalidProfile ||
                             error.code == ErrorCode::UnknownProfile || error.code == ErrorCode::Unsupported;
  if (segment_fault || p.attempts >= config_.max_attempts) {
    if (!segment_fault) error.message += " (after " + std::to_string(p.attempts) + " attempts)";
    finish(sid, error, "");
    return;
  }
  p.last_error = error;
  log("re-dispatching segment " + sid + ": " + error.message);
  queue_.push_front(sid);  // it was accepted first: it goes first
}

void Dispatcher::release(Pending& p) {
  remove_source(p.deadline);
  auto w = workers_.find(p.worker_id);
  if (w != workers_.end() && w->second.load > 0) --w->second.load;
  p.worker_id.clear();
  p.job_id.clear();
  update_gauges();
}

void Dispatcher::finish(const std::string& sid, JobOutcome outcome, const std::string& worker_id) {
  auto it = segments_.find(sid);
  std::unique_ptr<Pending> p = std::move(it->second);
  segments_.erase(it);
  remove_source(p->deadline);
  if (!p->job_id.empty()) job_to_segment_.erase(p->job_id);
  update_gauges();
  p->finished(std::move(outcome), worker_id);
}

RequestLimits Dispatcher::limits() const {
  RequestLimits l;
  l.max_renditions = config_.max_renditions > 0 ? config_.max_renditions : kDefaultMaxRenditions;
  // The largest frame a connected transcoder says it makes (0: none says).
  int64_t announced = 0;
  for (const auto& [id, e] : workers_) {
    const wire::Capabilities& caps = e.worker->capabilities();
    if (e.worker->draining() || caps.max_width <= 0 || caps.max_height <= 0) continue;
    announced = std::max(announced, int64_t{caps.max_width} * caps.max_height);
  }
  l.max_frame_pixels = config_.max_frame_pixels > 0 ? config_.max_frame_pixels : kDefaultMaxFramePixels;
  if (config_.max_frame_pixels <= 0 && announced > 0) l.max_frame_pixels = std::min(l.max_frame_pixels, announced);
  l.max_pixels_per_second = config_.max_pixels_per_second > 0 ? config_.max_pixels_per_second
                                                              : l.max_frame_pixels * kDefaultLadderFramesPerSecond;
  return l;
}

Result<void> Dispatcher::check_limits(const std::vector<Profile>& profiles) const {
  const RequestLimits l = limits();
  auto refuse = [](std::string why) { return Error{ErrorCode::InvalidProfile, std::move(why)}; };
  if (static_cast<int64_t>(profiles.size()) > l.max_renditions)
    return refuse(std::to_string(profiles.size()) + " renditions requested: over this node's limit of " +
                  std::to_string(l.max_renditions) + " renditions per segment (--max-renditions)");
  double ladder_rate = 0;  // pixels per second; double: no overflow whatever the profiles say
  for (const auto& p : profiles) {
    const int64_t frame = int64_t{std::max(p.width, 0)} * std::max(p.height, 0);
    if (frame > l.max_frame_pixels)
      return refuse("profile " + p.name + ": " + std::to_string(p.width) + "x" + std::to_string(p.height) + " is " +
                    std::to_string(frame) + " pixels per frame, over this node's limit of " +
                    std::to_string(l.max_frame_pixels) + " (--max-frame-pixels)");
    const double fps = p.fps > 0 ? double(p.fps) / std::max(p.fps_den, 1) : kAssumedSourceFps;
    ladder_rate += double(frame) * fps;
  }
  if (ladder_rate > double(l.max_pixels_per_second))
    return refuse("the ladder is " + std::to_string(static_cast<int64_t>(ladder_rate)) +
                  " output pixels per second (width x height x fps summed over " + std::to_string(profiles.size()) +
                  " renditions, fps 0 counted as " + std::to_string(kAssumedSourceFps) +
                  "), over this node's limit of " + std::to_string(l.max_pixels_per_second) +
                  " (--max-pixels-per-second)");
  return {};
}

Result<void> Dispatcher::check_capable(const std::vector<Profile>& profiles) const {
  if (auto e = check_limits(profiles); !e.ok()) return e;
  if (workers_.empty()) return Error{ErrorCode::NoTranscoder, "no transcoder is connected"};
  std::optional<Error> why;
  bool any_open = false;
  for (const auto& [id, e] : workers_) {
    if (e.worker->draining()) continue;
    any_open = true;
    auto e2 = wire::check_can_transcode(e.worker->capabilities(), profiles);
    if (e2.ok()) return {};
    if (!why) why = e2.error();
  }
  if (!any_open) return Error{ErrorCode::Busy, "every transcoder is draining"};
  why->message = "no connected transcoder can do this: " + why->message;
  return *why;
}

// Streams idle for 10 minutes are forgotten, so a 24/7 node does not keep every stream it saw.
void Dispatcher::prune_streams() {
  const gint64 horizon = g_get_monotonic_time() - 600 * G_USEC_PER_SEC;
  std::set<std::string> busy;
  for (const auto& [sid, p] : segments_) busy.insert(p->segment.stream_id);
  std::erase_if(streams_, [&](const auto& kv) { return kv.second.last_us < horizon && !busy.count(kv.first); });
}

int Dispatcher::worker_capacity() const {
  int sum = 0;
  for (const auto& [id, e] : workers_)
    if (!e.worker->draining()) sum += e.worker->capacity();
  return sum;
}

int Dispatcher::worker_load() const {
  int sum = 0;
  for (const auto& [id, e] : workers_) sum += e.load;
  return sum;
}

void Dispatcher::update_gauges() {
  metrics_.set_transcoders(static_cast<int>(workers_.size()), worker_capacity(), worker_load());
  metrics_.set_current_sessions(in_flight());
}

std::vector<WorkerStatus> Dispatcher::workers() const {
  std::vector<WorkerStatus> out;
  for (const auto& [id, e] : workers_)
    out.push_back({id, e.worker->address(), e.worker->capacity(), e.load, e.worker->local(), e.worker->protocol(),
                   e.worker->capabilities(), e.worker->livepeer_capabilities(), e.done});
  return out;
}

std::vector<StreamStatus> Dispatcher::streams() const {
  std::vector<StreamStatus> out;
  for (const auto& [id, s] : streams_) out.push_back(s);
  return out;
}

}  // namespace lp
