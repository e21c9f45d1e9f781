#include "livepeer/livepeer_transcoder.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "http2/grpc_messages.h"
#include "http2/h2_connection.h"
#include "main_context.h"

namespace lp::livepeer {
namespace {

constexpr const char* kRegisterPath = "/net.Transcoder/RegisterTranscoder";
// A registration that stays open this long counts as accepted: go-livepeer's orchestrator
// (grpc-go's ServeHTTP transport) sends its response headers only with the first message.
constexpr auto kAcceptedAfter = std::chrono::seconds(2);
// Registrations that lasted this long reset the backoff.
constexpr auto kStableAfter = std::chrono::seconds(10);

// Threads for segments at once: go-livepeer's orchestrator sends at most `capacity`, and
// a few more while results are posted; past this a segment is refused with an error.
std::string lower(const std::string& text) {
  g_autofree char* down = g_ascii_strdown(text.c_str(), static_cast<gssize>(text.size()));
  return down;
}

size_t job_limit(int capacity) { return static_cast<size_t>(std::max(1, capacity)) * 2 + 2; }

}  // namespace

LivepeerTranscoder::LivepeerTranscoder(LivepeerTranscoderConfig config, std::function<void(const std::string&)> fatal)
    : config_(std::move(config)),
      fatal_(std::move(fatal)),
      context_(g_main_context_default()),
      cancellable_(g_cancellable_new()) {}

LivepeerTranscoder::~LivepeerTranscoder() {
  stopping_ = true;
  g_cancellable_cancel(cancellable_);
  if (registration_.joinable()) registration_.join();
  reap_jobs(true);
  g_object_unref(cancellable_);
}

Result<void> LivepeerTranscoder::start() {
  std::string addr = config_.orch_addr;
  if (addr.starts_with("https://")) addr = addr.substr(8);
  if (addr.starts_with("http://"))
    return Error{ErrorCode::BadRequest,
                 "a go-livepeer orchestrator is reached over TLS: --orch-addr " + config_.orch_addr + " says http://"};
  while (!addr.empty() && addr.back() == '/') addr.pop_back();
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSocketConnectable) parsed = g_network_address_parse(addr.c_str(), 8935, &error);
  if (!parsed) return Error{ErrorCode::BadRequest, "--orch-addr " + config_.orch_addr + ": " + error->message};
  env_.orch_host = g_network_address_get_hostname(G_NETWORK_ADDRESS(parsed));
  env_.orch_port = g_network_address_get_port(G_NETWORK_ADDRESS(parsed));
  env_.cert_pin = config_.cert_pin;
  env_.secret = config_.secret;
  env_.ours = config_.capabilities;
  registration_ = std::thread([this] { run(); });
  return {};
}

void LivepeerTranscoder::drain(std::chrono::seconds limit, std::function<void()> done) {
  draining_ = true;
  g_cancellable_cancel(cancellable_);  // ends the registration: the orchestrator sends no more
  const auto until = std::chrono::steady_clock::now() + limit;
  add_timeout_repeat(std::chrono::milliseconds(100), [this, until, done = std::move(done)] {
    if (state().running > 0 && std::chrono::steady_clock::now() < until) return true;
    done();
    return false;
  });
}

LivepeerTranscoderState LivepeerTranscoder::state() const {
  std::lock_guard guard(lock_);
  LivepeerTranscoderState out = state_;
  out.running =
      static_cast<size_t>(std::count_if(jobs_.begin(), jobs_.end(), [](const auto& j) { return !j.second->finished; }));
  return out;
}

void LivepeerTranscoder::run() {
  while (!stopping_ && !draining_) {
    register_once();
    reap_jobs(false);
    if (stopping_ || draining_ || !wait_backoff()) break;
  }
}

void LivepeerTranscoder::register_once() {
  const std::string where = env_.orch_host + ":" + std::to_string(env_.orch_port);
  auto note = [this](const std::string& why) {
    std::lock_guard guard(lock_);
    state_.last_error = why;
  };
  h2::ConnectOptions options{env_.orch_host, env_.orch_port, env_.cert_pin, std::chrono::seconds(5)};
  auto conn = h2::Connection::connect(options, cancellable_);
  if (!conn) {
    if (!stopping_ && !draining_) {
      g_message("cannot reach the go-livepeer orchestrator at %s: %s; retrying", where.c_str(),
                conn.error().message.c_str());
      note(conn.error().message);
    }
    return;
  }
  net::RegisterRequest request;
  request.set_secret(config_.secret);
  request.set_capacity(config_.capacity);
  *request.mutable_capabilities() = config_.capabilities;

  int http_status = 0;
  std::optional<grpc::Status> status;
  std::optional<Error> broken;  // a malformed message: the stream cannot be trusted
  bool closed = false;
  grpc::MessageReader reader;
  std::vector<net::NotifySegment> arrived;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& headers, bool trailers) {
    if (!trailers) http_status = std::atoi(h2::header_value(headers, ":status").c_str());
    if (auto s = grpc::status_from(headers)) status = s;
  };
  events.on_data = [&](std::string_view data) {
    if (broken) return;
    auto fed = reader.feed(data, [&](std::string&& bytes) {
      net::NotifySegment notify;
      if (!notify.ParseFromString(bytes)) {
        broken = Error{ErrorCode::BadRequest, "a NotifySegment that does not parse"};
        return;
      }
      arrived.push_back(std::move(notify));
    });
    if (!fed.ok()) broken = fed.error();
  };
  events.on_close = [&](uint32_t) { closed = true; };
  auto id = (*conn)->submit(grpc::request_headers(kRegisterPath), grpc::frame(request.SerializeAsString()),
                            std::move(events));
  if (!id) return note(id.error().message);

  const auto opened = std::chrono::steady_clock::now();
  bool accepted = false;
  bool got_message = false;
  bool pinged = false;
  std::string lost;
  while (!stopping_ && !draining_ && !closed) {
    auto failure = (*conn)->pump(std::chrono::milliseconds(500), cancellable_);
    got_message = got_message || !arrived.empty();
    for (auto& notify : arrived) handle(std::move(notify));
    arrived.clear();
    reap_jobs(false);
    if (broken) {
      lost = broken->message;
      break;
    }
    if (!failure.ok()) {
      if (!closed) lost = failure.error().message;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    // Accepted once a NotifySegment came or the stream stayed open (a refusal comes at once).
    if (!accepted && !status && !closed && (got_message || now - opened >= kAcceptedAfter)) {
      accepted = true;
      g_message("registered with the go-livepeer orchestrator at %s (protocol livepeer), capacity %d", where.c_str(),
                config_.capacity);
      std::lock_guard guard(lock_);
      state_.registered = true;
      ++state_.registrations;
    }
    if (accepted && now - opened >= kStableAfter) backoff_ = std::chrono::milliseconds(0);
    const auto silent = now - (*conn)->last_heard();
    if (silent >= 2 * config_.liveness) {
      lost = "no answer from the orchestrator for " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silent).count()) + " s";
      break;
    }
    if (silent >= config_.liveness && !pinged) {
      (*conn)->ping();
      pinged = true;
    } else if (silent < config_.liveness) {
      pinged = false;
    }
  }
  {
    std::lock_guard guard(lock_);
    state_.registered = false;
  }
  if (stopping_ || draining_) return;
  if (status && status->code != grpc::kOk) {
    // go-livepeer's orchestrator answers a refused registration with these two errors
    // (capitalised by older releases).
    const std::string said = lower(status->message);
    if (said == "invalid secret")
      return fail_fatally("the orchestrator at " + where +
                          " refused the secret (\"invalid secret\"): check -orchSecret");
    if (said == "zero capacity")
      return fail_fatally("the orchestrator at " + where + " refused capacity " + std::to_string(config_.capacity) +
                          " (\"zero capacity\"): set -maxSessions to 1 or more");
    lost = "the orchestrator ended the registration (gRPC status " + std::to_string(status->code) +
           (status->message.empty() ? "" : ": " + status->message) + ")";
  } else if (http_status != 0 && http_status != 200) {
    lost = where + " answered the registration with HTTP " + std::to_string(http_status) +
           " (not a go-livepeer orchestrator?)";
  } else if (lost.empty()) {
    lost = "the orchestrator ended the registration";
  }
  g_message("%s; reconnecting", lost.c_str());
  note(lost);
}

void LivepeerTranscoder::handle(net::NotifySegment&& notify) {
  if (notify.url().empty()) {
    // A session's end: nothing of it is kept between segments yet, so only say so.
    g_message("session %s ended", notify.segdata().auth_token().session_id().c_str());
    return;
  }
  start_job(std::move(notify));
}

void LivepeerTranscoder::start_job(net::NotifySegment&& notify) {
  std::lock_guard guard(lock_);
  const size_t running =
      static_cast<size_t>(std::count_if(jobs_.begin(), jobs_.end(), [](const auto& j) { return !j.second->finished; }));
  const int64_t task = notify.taskid();
  if (running >= job_limit(config_.capacity) || jobs_.contains(task)) {
    g_warning("task %" G_GINT64_FORMAT " dropped: %zu segments already running (capacity %d)", task, running,
              config_.capacity);
    ++state_.segments_failed;
    return;
  }
  auto job = std::make_unique<Job>();
  job->cancellable = g_cancellable_new();
  Job* raw = job.get();  // owned by jobs_, which outlives the thread (reap_jobs joins first)
  job->thread = std::thread([this, raw, notify = std::move(notify)] {
    const gint64 started = g_get_monotonic_time();
    const auto& seg = notify.segdata();
    const std::string label = "task " + std::to_string(notify.taskid()) + " (session " + seg.auth_token().session_id() +
                              ", seq " + std::to_string(seg.seq()) + ")";
    SegmentJobEnvironment env = env_;
    wire::Job placed;
    placed.job_id = "task-" + std::to_string(notify.taskid());
    placed.stream_id = seg.auth_token().session_id().empty() ? seg.manifestid() : seg.auth_token().session_id();
    placed.seq = seg.seq();
    std::optional<int> device;
    SegmentJobReport report;
    if (config_.placement) {
      auto gpu = config_.placement->acquire(placed);
      if (gpu) {
        device = *gpu;
        env.cuda_device = *gpu;
      } else {
        report.error = gpu.error().message;
        report.error_code = gpu.error().code;
      }
    }
    if (report.error.empty()) {
      report = run_segment_job(notify, env, raw->cancellable, &raw->cancelled);
    } else if (!raw->cancelled) {
      auto posted = post_transcoding_error(env, notify.taskid(), report.error, raw->cancellable);
      if (posted)
        report.posted_status = *posted;
      else
        report.post_error = posted.error().message;
    }
    if (device && config_.placement)
      config_.placement->release(
          placed, *device,
          report.transcoded || raw->cancelled ? Result<void>() : Result<void>(Error{report.error_code, report.error}));
    const double seconds = double(g_get_monotonic_time() - started) / 1e6;
    if (!raw->cancelled) {
      const bool posted = report.posted_status == 200;
      if (report.transcoded) {
        g_message("%s: %zu renditions in %.2f s, %s", label.c_str(), report.renditions, seconds,
                  posted ? "posted"
                         : ("not taken: " + (report.post_error.empty() ? "HTTP " + std::to_string(report.posted_status)
                                                                       : report.post_error))
                               .c_str());
      } else {
        g_message("%s failed: %s (%s)", label.c_str(), report.error.c_str(),
                  posted ? "error posted" : ("error not taken: " + report.post_error).c_str());
      }
      std::lock_guard guard(lock_);
      if (report.transcoded)
        ++state_.segments_done;
      else
        ++state_.segments_failed;
      if (!posted) ++state_.posts_failed;
    }
    raw->finished = true;
  });
  jobs_[task] = std::move(job);
}

void LivepeerTranscoder::reap_jobs(bool all) {
  std::vector<std::unique_ptr<Job>> done;
  {
    std::lock_guard guard(lock_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (all) {
        it->second->cancelled = true;
        g_cancellable_cancel(it->second->cancellable);
      }
      if (all || it->second->finished) {
        done.push_back(std::move(it->second));
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& job : done) {  // joined outside the lock: a finishing job takes it
    if (job->thread.joinable()) job->thread.join();
    g_object_unref(job->cancellable);
  }
}

void LivepeerTranscoder::fail_fatally(const std::string& why) {
  stopping_ = true;
  g_warning("%s", why.c_str());
  invoke_on(context_, [fatal = fatal_, why] {
    if (fatal) fatal(why);
  });
}

// Exponential backoff with "equal jitter" (half fixed, half random), as the v1 client does.
bool LivepeerTranscoder::wait_backoff() {
  backoff_ = backoff_.count() == 0 ? config_.backoff_min : std::min(backoff_ * 2, config_.backoff_max);
  const auto half = backoff_.count() / 2;
  const auto delay = std::chrono::milliseconds(half + g_random_int_range(0, static_cast<gint32>(half) + 1));
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_ || draining_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !stopping_ && !draining_;
}

}  // namespace lp::livepeer
