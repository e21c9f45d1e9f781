#include "http2/h2_server_session.h"

#include <glib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "main_context.h"

namespace lp::h2 {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr size_t kMaxPendingOut = 64 << 10;  // bytes taken from nghttp2 before the socket has room
constexpr int32_t kStreamWindow = 1 << 20;   // per-stream receive window (go's server: 1 MiB)
constexpr int32_t kConnectionWindow = 4 << 20;

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

std::vector<nghttp2_nv> to_nv(const Headers& headers) {
  std::vector<nghttp2_nv> nv;
  nv.reserve(headers.size());
  // Pseudo-headers (":status") go first (RFC 9113 8.3).
  for (const auto& [n, v] : headers)
    if (n.starts_with(":")) nv.push_back(make_nv(n, v));
  for (const auto& [n, v] : headers)
    if (!n.starts_with(":")) nv.push_back(make_nv(n, v));
  return nv;
}

// Attaches `source` to the thread-default context with `fn(data)` as its callback.
GSource* attached(GSource* source, GSourceFunc fn, gpointer data) {
  g_source_set_callback(source, fn, data, nullptr);
  g_source_attach(source, g_main_context_get_thread_default());
  return source;
}

void drop_source(GSource*& source) {
  if (!source) return;
  g_source_destroy(source);
  g_source_unref(source);
  source = nullptr;
}

}  // namespace

// ---- Responder: every call checks that the stream still exists ----

void Responder::headers(const Headers& headers, bool end) const {
  auto s = session_.lock();
  if (!s || s->closed_) return;
  ServerSession::Stream* st = s->find(stream_);
  if (!st || st->submitted) return;
  st->submitted = true;
  auto nv = to_nv(headers);
  if (end) {
    st->ended = true;
    nghttp2_submit_response(s->session_.get(), stream_, nv.data(), nv.size(), nullptr);
  } else {
    nghttp2_data_provider provider{};
    provider.read_callback = ServerSession::read_body;
    nghttp2_submit_response(s->session_.get(), stream_, nv.data(), nv.size(), &provider);
  }
  if (!s->in_callback_) s->flush();
}

void Responder::data(std::string bytes) const {
  auto s = session_.lock();
  if (!s || s->closed_ || bytes.empty()) return;
  ServerSession::Stream* st = s->find(stream_);
  if (!st || !st->submitted || st->ended) return;
  st->out_bytes += bytes.size();
  st->out.push_back(std::move(bytes));
  s->resume(stream_, *st);
}

void Responder::end(const Headers& trailers) const {
  auto s = session_.lock();
  if (!s || s->closed_) return;
  ServerSession::Stream* st = s->find(stream_);
  if (!st || !st->submitted || st->ended) return;
  st->ended = true;
  st->trailers = trailers;
  s->resume(stream_, *st);
}

void Responder::respond(int status, const Headers& headers, std::string body) const {
  Headers all{{":status", std::to_string(status)}};
  all.insert(all.end(), headers.begin(), headers.end());
  if (body.empty()) {
    this->headers(all, true);
    return;
  }
  all.emplace_back("content-length", std::to_string(body.size()));
  this->headers(all);
  data(std::move(body));
  end();
}

void Responder::reset(uint32_t error_code) const {
  auto s = session_.lock();
  if (!s || s->closed_ || !s->find(stream_)) return;
  nghttp2_submit_rst_stream(s->session_.get(), NGHTTP2_FLAG_NONE, stream_, error_code);
  if (!s->in_callback_) s->flush();
}

size_t Responder::queued() const {
  auto s = session_.lock();
  ServerSession::Stream* st = s ? s->find(stream_) : nullptr;
  return st ? st->out_bytes : 0;
}

bool Responder::alive() const {
  auto s = session_.lock();
  return s && !s->closed_ && s->find(stream_) != nullptr;
}

void Responder::consume(size_t bytes) const {
  auto s = session_.lock();
  ServerSession::Stream* st = s && !s->closed_ ? s->find(stream_) : nullptr;
  if (!st) return;
  bytes = std::min(bytes, st->unconsumed);
  if (bytes == 0) return;
  st->unconsumed -= bytes;
  nghttp2_session_consume(s->session_.get(), stream_, bytes);
  if (!s->in_callback_) s->flush();
}

void Responder::on_drained(std::function<void()> callback) const {
  auto s = session_.lock();
  if (ServerSession::Stream* st = s ? s->find(stream_) : nullptr) st->on_drained = std::move(callback);
}

// ---- ServerSession ----

std::shared_ptr<ServerSession> ServerSession::start(GIOStream* stream, std::string peer, Router router,
                                                    ServerLimits limits, std::function<void()> on_closed) {
  std::shared_ptr<ServerSession> s(
      new ServerSession(stream, std::move(peer), std::move(router), limits, std::move(on_closed)));
  if (!s->init()) {
    s->close("cannot start an HTTP/2 session");
    return s;
  }
  s->arm_read();
  s->flush();  // our SETTINGS
  return s;
}

ServerSession::ServerSession(GIOStream* stream, std::string peer, Router router, ServerLimits limits,
                             std::function<void()> on_closed)
    : stream_(G_IO_STREAM(g_object_ref(stream))),
      peer_(std::move(peer)),
      router_(std::move(router)),
      limits_(limits),
      on_closed_(std::move(on_closed)) {}

ServerSession::~ServerSession() {
  remove_source(watchdog_);
  remove_source(reaper_);
  remove_source(idle_timer_);
  remove_source(preface_timer_);
  drop_source(read_source_);
  drop_source(write_source_);
  g_object_unref(stream_);
}

bool ServerSession::init() {
  nghttp2_session_callbacks* cb = nullptr;
  if (nghttp2_session_callbacks_new(&cb) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
  // Window updates are ours to send, so a handler that streams a body on can pace the peer.
  nghttp2_option* option = nullptr;
  if (nghttp2_option_new(&option) != 0) {
    nghttp2_session_callbacks_del(cb);
    return false;
  }
  nghttp2_option_set_no_auto_window_update(option, 1);
  nghttp2_session* raw = nullptr;
  const int rv = nghttp2_session_server_new2(&raw, cb, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(cb);
  if (rv != 0) return false;
  session_.reset(raw);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
  };
  if (nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0) return false;
  // SETTINGS_INITIAL_WINDOW_SIZE is per stream; the connection's own window (65,535 bytes by
  // default) would otherwise hold every upload on the connection to one round trip per 64 KiB.
  nghttp2_session_set_local_window_size(session_.get(), NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  watchdog_ = add_timeout_repeat(std::chrono::seconds(1), [this] {
    watch();
    return !closed_;
  });
  preface_timer_ = add_timeout_once(limits_.preface_timeout, [this] {
    preface_timer_ = 0;
    close("no HTTP/2 preface in time");
  });
  touch_idle();
  return true;
}

void ServerSession::arm_read() {
  if (read_source_ || closed_) return;
  last_heard_us_ = g_get_monotonic_time();  // silence is counted while reading only
  ping_sent_ = false;
  auto* in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(stream_));
  read_source_ = attached(g_pollable_input_stream_create_source(in, nullptr), G_SOURCE_FUNC(on_readable), this);
}

void ServerSession::arm_write() {
  if (write_source_ || closed_) return;
  auto* out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(stream_));
  write_source_ = attached(g_pollable_output_stream_create_source(out, nullptr), G_SOURCE_FUNC(on_writable), this);
}

gboolean ServerSession::on_readable(GObject*, gpointer data) {
  auto* self = static_cast<ServerSession*>(data);
  auto keep = self->shared_from_this();
  self->read_some();
  if (self->closed_ || !self->read_source_) return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

gboolean ServerSession::on_writable(GObject*, gpointer data) {
  auto* self = static_cast<ServerSession*>(data);
  auto keep = self->shared_from_this();
  g_source_unref(self->write_source_);
  self->write_source_ = nullptr;
  self->flush();
  if (!self->closed_ && self->pending_out_.size() < kMaxPendingOut) self->arm_read();
  return G_SOURCE_REMOVE;
}

void ServerSession::read_some() {
  auto* in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(stream_));
  for (int rounds = 0; rounds < 8 && !closed_; ++rounds) {
    uint8_t buffer[kReadChunk];
    g_autoptr(GError) error = nullptr;
    const gssize n = g_pollable_input_stream_read_nonblocking(in, buffer, sizeof buffer, nullptr, &error);
    if (n == 0) {
      close("the peer closed the connection");
      return;
    }
    if (n < 0) {
      if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) break;
      close(error->message);
      return;
    }
    last_heard_us_ = g_get_monotonic_time();
    ping_sent_ = false;
    in_callback_ = true;
    const ssize_t used = nghttp2_session_mem_recv(session_.get(), buffer, static_cast<size_t>(n));
    in_callback_ = false;
    if (used < 0) {
      g_message("HTTP/2 from %s: %s", peer_.c_str(), nghttp2_strerror(static_cast<int>(used)));
      flush();  // nghttp2 queued a GOAWAY naming the error
      close("protocol error");
      return;
    }
    flush();
  }
  // Back-pressure: while the peer does not take what we write, stop reading its requests.
  if (!closed_ && pending_out_.size() >= kMaxPendingOut) drop_source(read_source_);
}

void ServerSession::flush() {
  if (closed_) return;
  auto* out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(stream_));
  for (;;) {
    while (pending_out_.size() < kMaxPendingOut) {
      const uint8_t* bytes = nullptr;
      in_callback_ = true;
      const ssize_t n = nghttp2_session_mem_send(session_.get(), &bytes);
      in_callback_ = false;
      if (n < 0) {
        close(nghttp2_strerror(static_cast<int>(n)));
        return;
      }
      if (n == 0) break;
      pending_out_.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
    }
    if (pending_out_.empty()) {
      write_progress_us_ = g_get_monotonic_time();
      break;
    }
    g_autoptr(GError) error = nullptr;
    const gssize w =
        g_pollable_output_stream_write_nonblocking(out, pending_out_.data(), pending_out_.size(), nullptr, &error);
    if (w < 0) {
      if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        arm_write();
        return;
      }
      close(error->message);
      return;
    }
    pending_out_.erase(0, static_cast<size_t>(w));
    if (w > 0) write_progress_us_ = g_get_monotonic_time();
  }
  check_done();
}

void ServerSession::check_done() {
  if (closed_) return;
  if (!nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get()) && pending_out_.empty())
    close("HTTP/2 session over");
}

void ServerSession::shut_down(bool now) {
  if (closed_) return;
  if (now) {
    nghttp2_session_terminate_session(session_.get(), NGHTTP2_NO_ERROR);
    flush();
    close("shut down");
    return;
  }
  nghttp2_submit_shutdown_notice(session_.get());
  nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_.get()),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  flush();
}

void ServerSession::close(const char*) {
  if (closed_) return;
  closed_ = true;
  auto keep = weak_from_this().lock();  // null only while start() is still building it
  remove_source(watchdog_);
  remove_source(idle_timer_);
  remove_source(preface_timer_);
  drop_source(read_source_);
  drop_source(write_source_);
  // Handlers learn that their streams are gone; none of them may answer any more.
  auto streams = std::move(streams_);
  streams_.clear();
  for (auto& [id, st] : streams) {
    if (st->handler) st->handler->on_close(NGHTTP2_CANCEL);
    bury(std::move(st));
  }
  g_io_stream_close_async(stream_, G_PRIORITY_DEFAULT, nullptr, nullptr, nullptr);
  if (auto done = std::move(on_closed_)) done();
}

void ServerSession::watch() {
  if (closed_) return;
  const gint64 now = g_get_monotonic_time();
  const gint64 limit = std::chrono::microseconds(limits_.stall_timeout).count();
  if (!pending_out_.empty() && now - write_progress_us_ > limit) {
    close("the peer stopped reading");
    return;
  }
  // Liveness of long-lived streams; not while reading is paused for back-pressure (the
  // peer's answers wait unread then, and the write stall above is the measure).
  const gint64 keepalive = std::chrono::microseconds(limits_.keepalive).count();
  if (!streams_.empty() && read_source_ && keepalive > 0) {
    const gint64 silent = now - last_heard_us_;
    if (silent > 2 * keepalive) {
      close("no frame from the peer, not even a PING answer");
      return;
    }
    if (silent > keepalive && !ping_sent_) {
      ping_sent_ = true;
      nghttp2_submit_ping(session_.get(), NGHTTP2_FLAG_NONE, nullptr);
      flush();
    }
  }
  // Paced handlers (the HTTP/1.1 bridge) are timed by the listener's guard; the others here.
  bool reset = false;
  for (auto& [id, st] : streams_)
    if (!st->request_done && st->handler && !st->handler->paces_body() && now - st->opened_us > limit) {
      nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      st->request_done = true;  // reset once
      reset = true;
    }
  if (reset) flush();
}

void ServerSession::touch_idle() {
  remove_source(idle_timer_);
  if (!streams_.empty() || closed_) return;
  idle_timer_ = add_timeout_once(limits_.idle_timeout, [this] {
    idle_timer_ = 0;
    shut_down(false);
    // A client that ignores GOAWAY is closed a little later.
    idle_timer_ = add_timeout_once(std::chrono::seconds(5), [this] {
      idle_timer_ = 0;
      close("idle");
    });
  });
}

ServerSession::Stream* ServerSession::find(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void ServerSession::resume(int32_t id, Stream& s) {
  if (s.deferred) {
    s.deferred = false;
    nghttp2_session_resume_data(session_.get(), id);
  }
  if (!in_callback_) flush();
}

int ServerSession::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  self->streams_[frame->hd.stream_id] = std::make_unique<Stream>();
  remove_source(self->idle_timer_);
  return 0;
}

int ServerSession::on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                             const uint8_t* value, size_t valuelen, uint8_t, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  Stream* s = self->find(frame->hd.stream_id);
  if (!s || s->handler) return 0;  // trailers of a request: not used by any endpoint here
  s->header_bytes += namelen + valuelen + 32;
  if (s->header_bytes > self->limits_.max_header_bytes) {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_REFUSED_STREAM);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  s->request.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                          std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int ServerSession::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  remove_source(self->preface_timer_);
  const int32_t id = frame->hd.stream_id;
  Stream* s = self->find(id);
  if (!s) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && !s->handler) {
    s->handler = self->router_(s->request, Responder(self->weak_from_this(), id));
    // The router may have answered and the stream may be gone already.
    s = self->find(id);
    if (!s) return 0;
  }
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && s->handler) {
    s->request_done = true;
    s->handler->on_end();
  }
  return 0;
}

int ServerSession::on_data_chunk(nghttp2_session* session, uint8_t, int32_t id, const uint8_t* bytes, size_t len,
                                 void* data) {
  auto* self = static_cast<ServerSession*>(data);
  Stream* s = self->find(id);
  if (!s || !s->handler) {
    nghttp2_session_consume(session, id, len);
    return 0;
  }
  // A paced handler may consume() these bytes before on_data returns: count them first.
  const bool paced = s->handler->paces_body();
  if (paced) s->unconsumed += len;
  if (!s->handler->on_data(std::string_view(reinterpret_cast<const char*>(bytes), len))) {
    // on_stream_close gives back what the paced handler kept.
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    if (!paced) nghttp2_session_consume(session, id, len);
  } else if (!paced) {
    nghttp2_session_consume(session, id, len);
  }
  return 0;
}

int ServerSession::on_stream_close(nghttp2_session*, int32_t id, uint32_t error_code, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  auto it = self->streams_.find(id);
  if (it == self->streams_.end()) return 0;
  auto stream = std::move(it->second);
  self->streams_.erase(it);
  // What a paced handler never got to consume still counts against the connection's window.
  if (stream->unconsumed > 0) nghttp2_session_consume_connection(self->session_.get(), stream->unconsumed);
  if (stream->handler) stream->handler->on_close(error_code);
  if (stream->on_drained) stream->on_drained();
  self->bury(std::move(stream));
  self->touch_idle();
  return 0;
}

// Answered while the request is still coming (a refusal, or an answer that needs no more of
// the body): RST_STREAM(NO_ERROR) tells the client to stop sending (RFC 9113 8.1).
int ServerSession::on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
      !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  Stream* s = self->find(frame->hd.stream_id);
  if (s && !s->request_done) {
    s->request_done = true;
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
  }
  return 0;
}

void ServerSession::bury(std::unique_ptr<Stream> stream) {
  closed_streams_.push_back(std::move(stream));
  if (reaper_ == 0)
    reaper_ = add_timeout_once(std::chrono::milliseconds(0), [this] {
      reaper_ = 0;
      closed_streams_.clear();
    });
}

ssize_t ServerSession::read_body(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                                 nghttp2_data_source*, void* data) {
  auto* self = static_cast<ServerSession*>(data);
  Stream* s = self->find(id);
  if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  size_t n = 0;
  while (n < length && !s->out.empty()) {
    std::string& front = s->out.front();
    const size_t take = std::min(length - n, front.size() - s->out_offset);
    std::memcpy(buf + n, front.data() + s->out_offset, take);
    n += take;
    s->out_offset += take;
    if (s->out_offset == front.size()) {
      s->out.pop_front();
      s->out_offset = 0;
    }
  }
  s->out_bytes -= n;
  if (s->out.empty()) {
    if (s->ended) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!s->trailers.empty()) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        auto nv = to_nv(s->trailers);
        nghttp2_submit_trailer(session, id, nv.data(), nv.size());
      }
    } else if (n == 0) {
      s->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    if (auto drained = std::move(s->on_drained)) drained();
  }
  return static_cast<ssize_t>(n);
}

}  // namespace lp::h2
