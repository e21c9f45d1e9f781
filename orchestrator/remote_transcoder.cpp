#include "remote_transcoder.h"

#include "job_pipeline.h"
#include "main_context.h"
#include "sha256.h"

namespace lp {

RemoteTranscoder::RemoteTranscoder(std::string id, std::string address, SoupWebsocketConnection* conn,
                                   const wire::Hello& hello, std::string base_url, JobMedia& media,
                                   const ChannelSettings& settings)
    : Worker(std::move(id), std::move(address), hello.capacity, hello.capabilities, false),
      conn_(SOUP_WEBSOCKET_CONNECTION(g_object_ref(conn))),
      base_url_(std::move(base_url)),
      media_(media),
      settings_(settings) {
  message_handler_ = g_signal_connect(conn_, "message", G_CALLBACK(on_message), this);
  close_handler_ = g_signal_connect(conn_, "closed", G_CALLBACK(on_close), this);
  heartbeat_source_ = add_timeout_repeat(settings_.heartbeat, [this] { return heartbeat(); });
}

RemoteTranscoder::~RemoteTranscoder() {
  remove_source(heartbeat_source_);
  g_signal_handler_disconnect(conn_, message_handler_);
  g_signal_handler_disconnect(conn_, close_handler_);
  for (const auto& job : jobs_) media_.remove(job);
  if (soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(conn_, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "orchestrator stopping");
  g_object_unref(conn_);
}

void RemoteTranscoder::send(const std::string& text) {
  if (soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text(conn_, text.c_str());
}

void RemoteTranscoder::close(const std::string& why, SoupWebsocketCloseCode code) {
  if (close_reason_.empty()) close_reason_ = why;
  if (soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(conn_, code, why.c_str());
}

// Reported from an idle callback: the dispatcher must not hear back from inside start().
void RemoteTranscoder::fail_later(const std::string& job_id, Error e) {
  add_timeout_once(std::chrono::milliseconds(0), [self = weak_from_this(), job_id, e] {
    auto me = self.lock();
    if (!me || me->jobs_.erase(job_id) == 0) return;
    me->media_.remove(job_id);
    me->report(job_id, e);
  });
}

std::string RemoteTranscoder::start(const JobRequest& job) {
  jobs_.insert(job.job_id);
  expected_[job.job_id] = job.profiles;
  const std::string prefix = base_url_ + media_.add(job.job_id, job.source, job.profiles.size());
  wire::Job m;
  m.job_id = job.job_id;
  m.stream_id = job.stream_id;
  m.seq = job.seq;
  m.source_url = prefix + "/source";
  m.upload_url = prefix + "/renditions";
  m.profiles = job.profiles;
  m.timeout_ms = job.timeout.count();
  auto pipeline = build_job_pipeline(settings_.pipeline_template, m.source_url, job.profiles, settings_.options);
  if (!pipeline) {
    fail_later(job.job_id, pipeline.error());
    return "";
  }
  m.pipeline = *pipeline;
  const std::string shown = redact_job_tokens(m.pipeline);
  g_message("job %s (stream %s seq %" G_GINT64_FORMAT ") -> %s: %s", job.job_id.c_str(), job.stream_id.c_str(), job.seq,
            id().c_str(), shown.c_str());
  send(wire::to_json(m));
  return shown;
}

void RemoteTranscoder::cancel(const std::string& job_id) {
  if (jobs_.erase(job_id) == 0) return;
  expected_.erase(job_id);
  media_.remove(job_id);
  send(wire::to_json(wire::Cancel{job_id}));
}

void RemoteTranscoder::on_message(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self) {
  auto* me = static_cast<RemoteTranscoder*>(self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) return me->close("binary frames are not part of the protocol");
  gsize size = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(message, &size));
  me->handle(std::string(data ? data : "", size));
}

void RemoteTranscoder::on_close(SoupWebsocketConnection* conn, gpointer self) {
  auto* me = static_cast<RemoteTranscoder*>(self);
  std::string why = me->close_reason_;
  if (why.empty()) {
    const char* data = soup_websocket_connection_get_close_data(conn);
    why = "channel closed (code " + std::to_string(soup_websocket_connection_get_close_code(conn)) +
          (data && *data ? std::string(", ") + data : std::string()) + ")";
  }
  me->gone(why);
}

void RemoteTranscoder::gone(const std::string& why) {
  close(why);
  remove_source(heartbeat_source_);
  if (auto fn = std::move(closed_)) fn(why);  // may destroy this: nothing after it
}

void RemoteTranscoder::handle(const std::string& text) {
  auto parsed = wire::parse_channel_message(text);
  if (!parsed) {
    if (parsed.error().code == ErrorCode::Unsupported) {
      g_message("transcoder %s: ignoring %s", id().c_str(), parsed.error().message.c_str());
      return;
    }
    return close("bad message: " + parsed.error().message);
  }
  if (auto* r = std::get_if<wire::JobResult>(&*parsed)) return job_result(*r);
  if (auto* f = std::get_if<wire::JobFailure>(&*parsed)) return job_failure(*f);
  if (std::get_if<wire::Draining>(&*parsed)) {
    g_message("transcoder %s is draining: no new jobs for it", id().c_str());
    set_draining();
    return;
  }
  if (auto* p = std::get_if<wire::Pong>(&*parsed)) {
    // Only an answer to a ping we sent counts: a pong from the future (a huge seq) would
    // otherwise stand for every ping to come, and a silent transcoder would never be dropped.
    if (p->seq < 1 || p->seq > ping_seq_) {
      g_message("transcoder %s: ignoring pong %" G_GINT64_FORMAT " (pings sent: %" G_GINT64_FORMAT ")", id().c_str(),
                p->seq, ping_seq_);
      return;
    }
    pong_seq_ = std::max(pong_seq_, p->seq);
    if (!p->hardware.empty()) set_hardware(p->hardware);
    return;
  }
  g_message("transcoder %s: ignoring unexpected %s", id().c_str(), wire::message_type(*parsed));
}

void RemoteTranscoder::job_result(const wire::JobResult& m) {
  if (jobs_.erase(m.job_id) == 0) return;  // cancelled or unknown: nothing waits for it
  const std::vector<Profile> profiles = std::move(expected_[m.job_id]);
  const size_t expected = profiles.size();
  expected_.erase(m.job_id);
  std::vector<SharedBytes> uploads = media_.uploads(m.job_id);
  media_.remove(m.job_id);
  auto fail = [&](const std::string& why) {
    report(m.job_id, Error{ErrorCode::Internal, "transcoder " + id() + " answered job " + m.job_id + " badly: " + why});
  };
  if (m.renditions.size() != expected || uploads.size() != expected)
    return fail(std::to_string(m.renditions.size()) + " renditions for " + std::to_string(expected) + " profiles");
  std::vector<RenditionOutput> out;
  for (size_t i = 0; i < expected; ++i) {
    const wire::RenditionResult& r = m.renditions[i];
    if (!uploads[i]) return fail("rendition " + std::to_string(i) + " was never uploaded");
    const std::string hash = sha256_hex(uploads[i].get());
    if (hash != r.sha256 || static_cast<int64_t>(g_bytes_get_size(uploads[i].get())) != r.bytes)
      return fail("rendition " + std::to_string(i) + " does not match its upload");
    out.push_back({r.name, uploads[i], hash, r.frames, r.pixels, r.width, r.height,
                   rendition_media_type_for(profiles[i], settings_.options.container)});
  }
  report(m.job_id, std::move(out));
}

void RemoteTranscoder::job_failure(const wire::JobFailure& m) {
  if (jobs_.erase(m.job_id) == 0) return;
  expected_.erase(m.job_id);
  media_.remove(m.job_id);
  Error e = wire::to_error(m.error);
  e.message = "transcoder " + id() + ": " + e.message;
  report(m.job_id, e);
}

bool RemoteTranscoder::heartbeat() {
  if (ping_seq_ - pong_seq_ >= 3) {
    heartbeat_source_ = 0;  // this source ends by returning false
    gone("missed 3 heartbeats");
    return false;
  }
  send(wire::to_json(wire::Ping{++ping_seq_}));
  return true;
}

}  // namespace lp
