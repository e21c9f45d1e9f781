#include "transcoder_client.h"

#include <algorithm>

#include "http/tls_trust.h"
#include "job_pipeline.h"
#include "main_context.h"
#include "wire/error_body.h"

namespace lp {

TranscoderClient::TranscoderClient(TranscoderClientConfig config, std::function<void(const std::string&)> fatal)
    : config_(std::move(config)),
      fatal_(std::move(fatal)),
      context_(g_main_context_default()),
      session_(soup_session_new_with_options("idle-timeout", 0u, nullptr)) {}

TranscoderClient::~TranscoderClient() {
  *alive_ = false;
  stopping_ = true;
  for (auto& [id, job] : jobs_) job->cancel();
  remove_source(reconnect_timer_);
  remove_source(drain_timer_);
  if (cancellable_) {
    g_cancellable_cancel(cancellable_);
    g_object_unref(cancellable_);
  }
  drop_connection();
  if (pending_) g_object_unref(pending_);
  g_object_unref(session_);
}

void TranscoderClient::start() { connect(); }

void TranscoderClient::connect() {
  if (stopping_) return;
  const std::string url = orchestrator_base_url(config_.orch_addr) + wire::kChannelPath;
  if (pending_) g_object_unref(pending_);
  pending_ = soup_message_new("GET", url.c_str());
  if (!pending_) {
    fatal_("--orch-addr " + config_.orch_addr + " does not make a valid URL");
    return;
  }
  accept_orchestrator_certificate(pending_, config_.orch_cert_sha256);
  soup_message_headers_replace(soup_message_get_request_headers(pending_), "Authorization",
                               wire::bearer_value(config_.secret).c_str());
  if (cancellable_) g_object_unref(cancellable_);
  cancellable_ = g_cancellable_new();
  ++attempts_;
  soup_session_websocket_connect_async(session_, pending_, nullptr, nullptr, G_PRIORITY_DEFAULT, cancellable_,
                                       on_connected, this);
}

void TranscoderClient::on_connected(GObject* source, GAsyncResult* result, gpointer self) {
  g_autoptr(GError) error = nullptr;
  SoupWebsocketConnection* conn = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // `self` may be gone
  auto* me = static_cast<TranscoderClient*>(self);
  if (!conn) {
    const guint status = me->pending_ ? soup_message_get_status(me->pending_) : 0;
    return me->connect_failed(error ? error->message : "unknown error", status);
  }
  me->connection_ready(conn);
}

void TranscoderClient::connect_failed(const std::string& why, guint status) {
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) {
    stopping_ = true;
    if (fatal_)
      fatal_("orchestrator secret rejected by " + config_.orch_addr + " (HTTP " + std::to_string(status) +
             "): check --orch-secret, and that the orchestrator was started with one");
    return;
  }
  if (attempts_ == 1 || attempts_ % 20 == 0)
    g_message("cannot reach the orchestrator at %s: %s%s; retrying", config_.orch_addr.c_str(), why.c_str(),
              status ? (" (HTTP " + std::to_string(status) + ")").c_str() : "");
  schedule_reconnect();
}

// Exponential backoff with "equal jitter": half the delay fixed, half random, so a fleet that
// lost its orchestrator does not reconnect in lockstep.
void TranscoderClient::schedule_reconnect() {
  if (stopping_) return;
  backoff_ = backoff_.count() == 0 ? config_.backoff_min : std::min(backoff_ * 2, config_.backoff_max);
  const auto half = backoff_.count() / 2;
  const auto delay = std::chrono::milliseconds(half + g_random_int_range(0, static_cast<gint32>(half) + 1));
  remove_source(reconnect_timer_);
  reconnect_timer_ = add_timeout_once(delay, [this] {
    reconnect_timer_ = 0;
    connect();
  });
}

void TranscoderClient::connection_ready(SoupWebsocketConnection* conn) {
  conn_ = conn;  // the finish call gave us the reference
  soup_websocket_connection_set_keepalive_interval(conn_, 0);
  soup_websocket_connection_set_max_incoming_payload_size(conn_, 1 << 20);
  message_handler_ = g_signal_connect(conn_, "message", G_CALLBACK(on_message), this);
  close_handler_ = g_signal_connect(conn_, "closed", G_CALLBACK(on_closed), this);
  wire::Hello hello{PACKAGE_VERSION, config_.capacity, config_.capabilities};
  send(wire::to_json(hello));
}

void TranscoderClient::on_message(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self) {
  auto* me = static_cast<TranscoderClient*>(self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) return;
  gsize size = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(message, &size));
  me->handle(std::string(data ? data : "", size));
}

void TranscoderClient::on_closed(SoupWebsocketConnection* conn, gpointer self) {
  const char* data = soup_websocket_connection_get_close_data(conn);
  std::string why = "channel closed (code " + std::to_string(soup_websocket_connection_get_close_code(conn)) +
                    (data && *data ? std::string(", ") + data : std::string()) + ")";
  static_cast<TranscoderClient*>(self)->disconnected(why);
}

void TranscoderClient::drop_connection() {
  remove_source(watchdog_);
  if (!conn_) return;
  g_signal_handler_disconnect(conn_, message_handler_);
  g_signal_handler_disconnect(conn_, close_handler_);
  if (soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(conn_, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "transcoder stopping");
  g_object_unref(conn_);
  conn_ = nullptr;
  registered_ = false;
}

// Jobs of a lost channel have been re-dispatched by the orchestrator: stop them.
void TranscoderClient::disconnected(const std::string& why) {
  const bool was_registered = registered_;
  drop_connection();
  if (!stopping_) {
    while (!jobs_.empty()) stop_job(jobs_.begin()->first);
  }
  if (stopping_) return;
  g_message("lost the orchestrator at %s: %s; reconnecting", config_.orch_addr.c_str(), why.c_str());
  if (was_registered) backoff_ = std::chrono::milliseconds(0);
  attempts_ = 0;
  schedule_reconnect();
}

void TranscoderClient::send(const std::string& text) {
  if (conn_ && soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text(conn_, text.c_str());
}

void TranscoderClient::handle(const std::string& text) {
  auto parsed = wire::parse_channel_message(text);
  if (!parsed) {
    g_message("ignoring a message from the orchestrator: %s", parsed.error().message.c_str());
    return;
  }
  if (auto* w = std::get_if<wire::Welcome>(&*parsed)) {
    registered_ = true;
    backoff_ = std::chrono::milliseconds(0);
    heartbeat_ms_ = std::max<int64_t>(w->heartbeat_interval_ms, 100);
    last_ping_us_ = g_get_monotonic_time();
    g_message("registered with the orchestrator at %s as %s (capacity %d)", config_.orch_addr.c_str(),
              w->transcoder_id.c_str(), config_.capacity);
    remove_source(watchdog_);
    watchdog_ = add_timeout_repeat(std::chrono::milliseconds(heartbeat_ms_), [this] {
      if (g_get_monotonic_time() - last_ping_us_ <= 3 * heartbeat_ms_ * 1000) return true;
      watchdog_ = 0;
      disconnected("no ping for 3 heartbeats");
      return false;
    });
    return;
  }
  if (auto* p = std::get_if<wire::Ping>(&*parsed)) {
    last_ping_us_ = g_get_monotonic_time();
    return send(wire::to_json(
        wire::Pong{p->seq, config_.placement ? config_.placement->devices() : std::vector<wire::HardwareDevice>{}}));
  }
  if (auto* j = std::get_if<wire::Job>(&*parsed)) return start_job(std::move(*j));
  if (auto* c = std::get_if<wire::Cancel>(&*parsed)) {
    if (!jobs_.count(c->job_id)) return;
    g_message("job %s cancelled by the orchestrator", c->job_id.c_str());
    return stop_job(c->job_id);
  }
  g_message("ignoring unexpected %s from the orchestrator", wire::message_type(*parsed));
}

void TranscoderClient::start_job(wire::Job job) {
  if (draining_) {
    Error busy{ErrorCode::Busy, "transcoder is shutting down"};
    return send(wire::to_json(wire::JobFailure{job.job_id, wire::error_body(busy)}));
  }
  if (static_cast<int>(jobs_.size()) >= config_.capacity) {
    Error busy{ErrorCode::Busy, "transcoder at capacity (" + std::to_string(config_.capacity) + " jobs)"};
    return send(wire::to_json(wire::JobFailure{job.job_id, wire::error_body(busy)}));
  }
  int device = -1;
  if (config_.placement) {
    auto placed = config_.placement->acquire(job);
    if (!placed) return send(wire::to_json(wire::JobFailure{job.job_id, wire::error_body(placed.error())}));
    device = *placed;
  }
  g_message("job %s (stream %s seq %" G_GINT64_FORMAT "%s): %s", job.job_id.c_str(), job.stream_id.c_str(), job.seq,
            device >= 0 ? (" on GPU " + std::to_string(device)).c_str() : "", redact_job_tokens(job.pipeline).c_str());
  // Runs on the job's thread once it has let go of the GPU, even when cancelled: a slot is
  // never handed on while a pipeline still runs on it. Holds no pointer to the client.
  JobWorker::Ended ended;
  if (config_.placement) {
    ended = [placement = config_.placement, job, device](const Result<void>& failure) {
      placement->release(job, device, failure);
    };
  }
  const std::string id = job.job_id;
  jobs_[id] = JobWorker::start(
      std::move(job), job_threads_, context_,
      [this, alive = alive_, id](const std::string& message) {
        if (!*alive) return;  // queued before the client went
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return;  // cancelled, or the channel it came on is gone
        jobs_.erase(it);
        send(message);
      },
      device, std::move(ended), config_.orch_cert_sha256);
}

void TranscoderClient::stop_job(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  it->second->cancel();  // its GPU is released when its thread ends
  jobs_.erase(it);
}

void TranscoderClient::drain(std::chrono::seconds limit, std::function<void()> done) {
  drained_ = std::move(done);
  draining_ = true;
  send(wire::to_json(wire::Draining{}));
  const gint64 give_up = g_get_monotonic_time() + std::chrono::microseconds(limit).count();
  g_message("draining: %zu job(s) running, waiting up to %lld s", jobs_.size(), static_cast<long long>(limit.count()));
  remove_source(reconnect_timer_);
  drain_timer_ = add_timeout_repeat(std::chrono::milliseconds(50), [this, give_up] {
    if (!jobs_.empty() && g_get_monotonic_time() < give_up) return true;
    drain_timer_ = 0;
    stopping_ = true;
    while (!jobs_.empty()) stop_job(jobs_.begin()->first);
    drop_connection();
    if (auto fn = std::move(drained_)) fn();
    return false;
  });
}

}  // namespace lp
