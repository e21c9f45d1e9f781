#include "http2/h2_connection.h"

#include <algorithm>
#include <cstring>

#include "http/tls_identity.h"

namespace lp::h2 {
namespace {

// Largest header block accepted from the peer; the orchestrator's are a few hundred bytes.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

Error io_error(const char* what, const GError* error) {
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return Error{ErrorCode::Timeout, "cancelled"};
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return Error{ErrorCode::Timeout, std::string(what) + ": timed out"};
  return Error{ErrorCode::Unreachable, std::string(what) + ": " + (error ? error->message : "failed")};
}

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

struct CertificateCheck {
  std::string pin;
  std::string presented;  // the certificate's sha256, for the error
};

gboolean accept_certificate(GTlsConnection*, GTlsCertificate* cert, GTlsCertificateFlags, gpointer data) {
  auto* check = static_cast<CertificateCheck*>(data);
  check->presented = certificate_sha256(cert);
  return check->pin.empty() || check->presented == check->pin;
}

}  // namespace

std::string header_value(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return "";
}

Result<std::unique_ptr<Connection>> Connection::connect(const ConnectOptions& options, GCancellable* cancellable) {
  std::unique_ptr<Connection> c(new Connection());
  c->authority_ = options.host + ":" + std::to_string(options.port);
  const std::string where = "connecting to " + c->authority_;
  g_autoptr(GSocketClient) client = g_socket_client_new();
  const guint seconds = static_cast<guint>(std::max<int64_t>(1, (options.timeout.count() + 999) / 1000));
  g_socket_client_set_timeout(client, seconds);
  g_autoptr(GError) error = nullptr;
  c->tcp_ = g_socket_client_connect_to_host(client, options.host.c_str(), options.port, cancellable, &error);
  if (!c->tcp_) return io_error(where.c_str(), error);
  GSocket* socket = g_socket_connection_get_socket(c->tcp_);
  g_socket_set_timeout(socket, seconds);  // bounds the handshake and every blocking write
  g_autoptr(GSocketConnectable) identity = g_network_address_new(options.host.c_str(), options.port);
  c->tls_ = g_tls_client_connection_new(G_IO_STREAM(c->tcp_), identity, &error);
  if (!c->tls_) return io_error(where.c_str(), error);
  const gchar* protocols[] = {"h2", nullptr};
  g_tls_connection_set_advertised_protocols(G_TLS_CONNECTION(c->tls_), protocols);
  CertificateCheck check{options.cert_pin, ""};
  const gulong handler = g_signal_connect(c->tls_, "accept-certificate", G_CALLBACK(accept_certificate), &check);
  const gboolean shook = g_tls_connection_handshake(G_TLS_CONNECTION(c->tls_), cancellable, &error);
  g_signal_handler_disconnect(c->tls_, handler);
  if (!shook) {
    if (!check.pin.empty() && !check.presented.empty() && check.presented != check.pin)
      return Error{ErrorCode::Unreachable,
                   where + ": certificate sha256 " + check.presented + " is not the pinned " + check.pin};
    return io_error((where + " (TLS)").c_str(), error);
  }
  const char* alpn = g_tls_connection_get_negotiated_protocol(G_TLS_CONNECTION(c->tls_));
  if (!alpn || std::strcmp(alpn, "h2") != 0)
    return Error{ErrorCode::Unreachable, c->authority_ + " does not speak HTTP/2 over TLS (ALPN " +
                                             (alpn ? alpn : "none") + "): not a go-livepeer orchestrator"};

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_session* session = nullptr;
  const int rv = nghttp2_session_client_new(&session, callbacks, c.get());
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return Error{ErrorCode::Internal, std::string("nghttp2: ") + nghttp2_strerror(rv)};
  c->session_.reset(session);
  // A larger connection window than the 64 KiB default: renditions and NotifySegments flow.
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, 4 << 20);
  c->last_heard_ = std::chrono::steady_clock::now();
  if (auto e = c->flush(cancellable); !e.ok()) return e.error();
  return c;
}

Connection::~Connection() {
  session_.reset();
  if (tls_) {
    g_io_stream_close(tls_, nullptr, nullptr);
    g_object_unref(tls_);
  }
  if (tcp_) g_object_unref(tcp_);
}

Result<int32_t> Connection::submit(const Headers& headers, std::string body, StreamEvents events, bool end_stream) {
  const std::string scheme_name = ":scheme", scheme = "https", authority_name = ":authority";
  std::vector<nghttp2_nv> nv;
  // Pseudo-headers first (RFC 9113 8.3): the caller's :method/:path, then ours.
  for (const auto& [n, v] : headers)
    if (n.starts_with(":")) nv.push_back(make_nv(n, v));
  nv.push_back(make_nv(scheme_name, scheme));
  nv.push_back(make_nv(authority_name, authority_));
  for (const auto& [n, v] : headers)
    if (!n.starts_with(":")) nv.push_back(make_nv(n, v));
  auto stream = std::make_unique<Stream>();
  stream->events = std::move(events);
  stream->body = std::move(body);
  stream->end_stream = end_stream;
  nghttp2_data_provider provider{};
  provider.read_callback = read_body;
  const int32_t id = nghttp2_submit_request(session_.get(), nullptr, nv.data(), nv.size(), &provider, nullptr);
  if (id < 0) return Error{ErrorCode::Internal, std::string("nghttp2: ") + nghttp2_strerror(id)};
  streams_[id] = std::move(stream);
  return id;
}

void Connection::ping() { nghttp2_submit_ping(session_.get(), NGHTTP2_FLAG_NONE, nullptr); }

Result<void> Connection::flush(GCancellable* cancellable) {
  GOutputStream* out = g_io_stream_get_output_stream(tls_);
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) return Error{ErrorCode::Unreachable, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n))};
    if (n == 0) return {};
    g_autoptr(GError) error = nullptr;
    if (!g_output_stream_write_all(out, data, static_cast<gsize>(n), nullptr, cancellable, &error))
      return io_error(("writing to " + authority_).c_str(), error);
  }
}

Result<void> Connection::pump(std::chrono::milliseconds wait, GCancellable* cancellable) {
  if (failure_) return *failure_;
  if (auto e = flush(cancellable); !e.ok()) return e;
  auto* in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(tls_));
  GSocket* socket = g_socket_connection_get_socket(tcp_);
  bool waited = false;
  for (;;) {
    uint8_t buffer[16384];
    g_autoptr(GError) error = nullptr;
    const gssize n = g_pollable_input_stream_read_nonblocking(in, buffer, sizeof buffer, cancellable, &error);
    if (n > 0) {
      last_heard_ = std::chrono::steady_clock::now();
      const ssize_t used = nghttp2_session_mem_recv(session_.get(), buffer, static_cast<size_t>(n));
      if (used < 0)
        return Error{ErrorCode::Unreachable,
                     authority_ + ": HTTP/2 protocol error: " + nghttp2_strerror(static_cast<int>(used))};
      if (failure_) return *failure_;
      if (auto e = flush(cancellable); !e.ok()) return e;
      waited = true;  // got something: return once the socket has nothing more for now
      continue;
    }
    if (n == 0) return Error{ErrorCode::Unreachable, authority_ + " closed the connection"};
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return io_error(("reading from " + authority_).c_str(), error);
    if (waited) break;
    waited = true;
    g_autoptr(GError) wait_error = nullptr;
    if (!g_socket_condition_timed_wait(socket, G_IO_IN, std::chrono::microseconds(wait).count(), cancellable,
                                       &wait_error)) {
      if (g_error_matches(wait_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) break;
      return io_error(("waiting for " + authority_).c_str(), wait_error);
    }
  }
  if (!nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get()))
    return Error{ErrorCode::Unreachable, authority_ + " ended the HTTP/2 connection (GOAWAY)"};
  return {};
}

Result<void> Connection::finish(int32_t id, std::chrono::steady_clock::time_point deadline, GCancellable* cancellable) {
  while (streams_.contains(id)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Error{ErrorCode::Timeout, authority_ + " did not answer in time"};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (auto e = pump(std::min(left, std::chrono::milliseconds(500)), cancellable); !e.ok()) {
      if (!streams_.contains(id)) return {};  // the answer came before the connection ended
      return e;
    }
  }
  return {};
}

int Connection::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                          const uint8_t* value, size_t valuelen, uint8_t, void* data) {
  auto* self = static_cast<Connection*>(data);
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  size_t total = namelen + valuelen;
  for (const auto& [n, v] : it->second->headers) total += n.size() + v.size();
  if (total > kMaxHeaderBytes) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets that stream
  it->second->headers.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                                   std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int Connection::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* data) {
  auto* self = static_cast<Connection*>(data);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  Stream& s = *it->second;
  const bool trailers = s.got_headers;
  // 1xx answers are informational: the real header block follows.
  const std::string status = header_value(s.headers, ":status");
  if (!trailers && status.size() == 3 && status[0] == '1') {
    s.headers.clear();
    return 0;
  }
  s.got_headers = true;
  Headers block = std::move(s.headers);
  s.headers.clear();
  if (s.events.on_headers) s.events.on_headers(block, trailers);
  return 0;
}

int Connection::on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* bytes, size_t len,
                              void* data) {
  auto* self = static_cast<Connection*>(data);
  auto it = self->streams_.find(stream_id);
  if (it != self->streams_.end() && it->second->events.on_data)
    it->second->events.on_data(std::string_view(reinterpret_cast<const char*>(bytes), len));
  return 0;
}

int Connection::on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* data) {
  auto* self = static_cast<Connection*>(data);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return 0;
  auto stream = std::move(it->second);
  self->streams_.erase(it);
  if (stream->events.on_close) stream->events.on_close(error_code);
  return 0;
}

ssize_t Connection::read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* data_flags,
                              nghttp2_data_source*, void* data) {
  auto* self = static_cast<Connection*>(data);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  Stream& s = *it->second;
  const size_t n = std::min(length, s.body.size() - s.sent);
  if (n == 0 && !s.end_stream) return NGHTTP2_ERR_DEFERRED;  // held open on purpose
  std::memcpy(buf, s.body.data() + s.sent, n);
  s.sent += n;
  if (s.sent == s.body.size() && s.end_stream) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    std::string().swap(s.body);  // the rendition bytes are not kept until the answer
    s.sent = 0;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace lp::h2
