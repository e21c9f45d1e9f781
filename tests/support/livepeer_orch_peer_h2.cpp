// One accepted connection on its own thread: the TLS handshake, then HTTP/2 with nghttp2 fed
// from the GTlsConnection's streams (the gRPC registration stream, GETs, result uploads), or
// the stream handed to the peer's SoupServer when the client chose http/1.1.
#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "livepeer_orch_peer_internal.h"

namespace lp::test::orch_peer {
namespace {

constexpr int32_t kWindow = 16 << 20;  // result uploads of a few MB must not wait on WINDOW_UPDATEs
constexpr const char* kRegisterPath = "/net.Transcoder/RegisterTranscoder";

std::string address_text(GSocketAddress* address) {
  if (!G_IS_INET_SOCKET_ADDRESS(address)) return "";
  auto* inet = G_INET_SOCKET_ADDRESS(address);
  g_autofree char* ip = g_inet_address_to_string(g_inet_socket_address_get_address(inet));
  return std::string(ip) + ":" + std::to_string(g_inet_socket_address_get_port(inet));
}

// grpc-go's encodeGrpcMessage: bytes outside printable ASCII, and '%', as %XX.
std::string percent_encode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (c < 0x20 || c > 0x7e || c == '%') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// `name` and `value` must outlive the submit call; nghttp2 copies them there (the casts are for
// its C signature only).
nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

void H2Conn::run() {
  {
    GPtr<GSocketAddress> remote(g_socket_connection_get_remote_address(socket_.get(), nullptr));
    remote_ = address_text(remote.get());
  }
  g_autoptr(GError) error = nullptr;
  bool adopted = false;
  tls_.reset(g_tls_server_connection_new(G_IO_STREAM(socket_.get()), peer_.identity->certificate(), &error));
  if (tls_) {
    auto* tls = G_TLS_CONNECTION(tls_.get());
    const char* const protocols[] = {"h2", "http/1.1", nullptr};
    g_tls_connection_set_advertised_protocols(tls, protocols);
    g_tls_connection_set_require_close_notify(tls, FALSE);
    if (g_tls_connection_handshake(tls, peer_.cancel.get(), &error)) {
      const char* alpn = g_tls_connection_get_negotiated_protocol(tls);
      if (alpn && std::strcmp(alpn, "h2") == 0) {
        serve_h2();
      } else {
        // libsoup serves it from here on, on its own thread.
        GPtr<GSocketAddress> local(g_socket_connection_get_local_address(socket_.get(), nullptr));
        GPtr<GSocketAddress> remote(g_socket_connection_get_remote_address(socket_.get(), nullptr));
        peer_.adopt_http1(std::move(tls_), std::move(local), std::move(remote));
        adopted = true;
      }
    }
  }
  peer_.registration_closed(this, -1);
  if (!adopted) {
    // A cancelled cancellable (stop()) still closes, without waiting on the peer.
    if (tls_) g_io_stream_close(tls_.get(), peer_.cancel.get(), nullptr);
    g_io_stream_close(G_IO_STREAM(socket_.get()), nullptr, nullptr);
  }
  session_.reset();
  streams_.clear();
  std::lock_guard lock(mu_);
  done_ = true;
}

void H2Conn::serve_h2() {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_session* session = nullptr;
  const int made = nghttp2_session_server_new(&session, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (made != 0) return;
  session_.reset(session);
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindow}};
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, kWindow);

  auto* in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(tls_.get()));
  const int sock_fd = g_socket_get_fd(g_socket_connection_get_socket(socket_.get()));
  std::vector<char> buf(64 * 1024);
  while (!g_cancellable_is_cancelled(peer_.cancel.get())) {
    const bool closing = apply_commands();
    if (!flush()) return;
    if (closing) {
      nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session),
                            NGHTTP2_NO_ERROR, nullptr, 0);
      flush();
      return;
    }
    if (!nghttp2_session_want_read(session) && !nghttp2_session_want_write(session)) return;
    // GnuTLS may hold decrypted bytes the socket no longer shows: read before polling.
    g_autoptr(GError) error = nullptr;
    const gssize n = g_pollable_input_stream_read_nonblocking(in, buf.data(), buf.size(), nullptr, &error);
    if (n > 0) {
      if (nghttp2_session_mem_recv(session, reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(n)) < 0)
        return;
      continue;
    }
    if (n == 0 || !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return;
    pollfd fds[2] = {{sock_fd, POLLIN, 0}, {wake_.fd(), POLLIN, 0}};
    ::poll(fds, 2, 20);
    wake_.drain();
  }
}

// What other threads queued: registration messages and ends. True when the connection is to
// be closed (after what is queued has been sent).
bool H2Conn::apply_commands() {
  std::map<int32_t, std::string> outbox;
  std::map<int32_t, std::pair<int, std::string>> ends;
  bool close = false;
  {
    std::lock_guard lock(mu_);
    outbox.swap(outbox_);
    ends.swap(ends_);
    close = close_requested_;
  }
  const std::string status_200 = "200", grpc = "application/grpc";
  const std::vector<nghttp2_nv> headers = {make_nv(":status", status_200), make_nv("content-type", grpc)};
  auto touch = [&](int32_t id, Stream& stream) {
    if (stream.response_started)
      nghttp2_session_resume_data(session_.get(), id);
    else
      start_response(id, stream, headers);  // go-livepeer sends no headers before the first message
  };
  for (auto& [id, bytes] : outbox) {
    auto it = streams_.find(id);
    if (it == streams_.end() || !it->second.registration || it->second.grpc_end) continue;
    it->second.out += bytes;
    touch(id, it->second);
  }
  for (auto& [id, status] : ends) {
    auto it = streams_.find(id);
    if (it == streams_.end() || !it->second.registration || it->second.grpc_end) continue;
    it->second.grpc_end = status;
    touch(id, it->second);
  }
  return close;
}

bool H2Conn::flush() {
  GOutputStream* out = g_io_stream_get_output_stream(tls_.get());
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) return false;
    if (n == 0) return true;
    if (!g_output_stream_write_all(out, data, static_cast<size_t>(n), nullptr, peer_.cancel.get(), nullptr))
      return false;
  }
}

void H2Conn::start_response(int32_t id, Stream& stream, const std::vector<nghttp2_nv>& nva) {
  nghttp2_data_provider provider{};
  provider.read_callback = read_response;
  stream.response_started = true;
  nghttp2_submit_response(session_.get(), id, nva.data(), nva.size(), &provider);
}

int H2Conn::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Conn*>(user);
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
    self->streams_[frame->hd.stream_id] = Stream{};
  return 0;
}

int H2Conn::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* user) {
  auto* self = static_cast<H2Conn*>(user);
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end() || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers: ignored
  it->second.headers.emplace(std::string(reinterpret_cast<const char*>(name), namelen),
                             std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int H2Conn::on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user) {
  auto* self = static_cast<H2Conn*>(user);
  auto it = self->streams_.find(id);
  if (it != self->streams_.end()) it->second.body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int H2Conn::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)
    static_cast<H2Conn*>(user)->on_request_data(frame->hd.stream_id, frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
  return 0;
}

int H2Conn::on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* user) {
  auto* self = static_cast<H2Conn*>(user);
  auto it = self->streams_.find(id);
  if (it == self->streams_.end()) return 0;
  if (it->second.registration) self->peer_.registration_closed(self, id);
  self->streams_.erase(it);
  return 0;
}

ssize_t H2Conn::read_response(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                              nghttp2_data_source*, void* user) {
  auto* self = static_cast<H2Conn*>(user);
  auto it = self->streams_.find(id);
  if (it == self->streams_.end()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  Stream& stream = it->second;
  const size_t n = std::min(length, stream.out.size());
  if (n > 0) {
    std::memcpy(buf, stream.out.data(), n);
    stream.out.erase(0, n);
    return static_cast<ssize_t>(n);
  }
  if (stream.grpc_end) {
    const std::string code = std::to_string(stream.grpc_end->first);
    const std::string message = percent_encode(stream.grpc_end->second);
    std::vector<nghttp2_nv> trailers = {make_nv("grpc-status", code)};
    if (!message.empty()) trailers.push_back(make_nv("grpc-message", message));
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    nghttp2_submit_trailer(session, id, trailers.data(), trailers.size());
    return 0;
  }
  if (stream.registration) return NGHTTP2_ERR_DEFERRED;  // until notify() or drop
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  return 0;
}

void H2Conn::on_request_data(int32_t id, bool end_stream) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.dispatched) return;
  Stream& stream = it->second;
  const auto ct = stream.headers.find("content-type");
  stream.grpc = ct != stream.headers.end() && ct->second.starts_with("application/grpc");
  if (stream.grpc) {
    // The request message may come before END_STREAM: answer as soon as it is whole.
    bool whole = false;
    if (stream.body.size() >= 5) {
      const auto* p = reinterpret_cast<const unsigned char*>(stream.body.data());
      const uint32_t n = (uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) | p[4];
      whole = stream.body.size() >= 5 + size_t{n};
    }
    if (!whole && !end_stream) return;
    stream.dispatched = true;
    answer_grpc(id, stream);
  } else if (end_stream) {
    stream.dispatched = true;
    answer_http(id, stream);
  }
}

void H2Conn::answer_grpc(int32_t id, Stream& stream) {
  std::optional<std::pair<int, std::string>> status;
  const std::string path = stream.headers[":path"];
  if (stream.headers[":method"] != "POST") {
    status = {13, "invalid gRPC request method"};
  } else if (path == kRegisterPath) {
    status = peer_.register_transcoder(stream.body, remote_, shared_from_this(), id);
  } else if (path.starts_with("/net.Transcoder/")) {
    status = {12, "unknown method " + path.substr(16) + " for service net.Transcoder"};
  } else {
    const size_t slash = path.find('/', 1);
    status = {12, "unknown service " + path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1)};
  }
  if (!status) {
    stream.registration = true;
    return;
  }
  bool trailers_only = false;
  {
    std::lock_guard lock(peer_.mu);
    trailers_only = peer_.trailers_only;
  }
  const std::string status_200 = "200", grpc = "application/grpc", code = std::to_string(status->first),
                    message = percent_encode(status->second);
  if (trailers_only) {
    const std::vector<nghttp2_nv> nva = {make_nv(":status", status_200), make_nv("content-type", grpc),
                                         make_nv("grpc-status", code), make_nv("grpc-message", message)};
    stream.response_started = true;
    nghttp2_submit_response(session_.get(), id, nva.data(), nva.size(), nullptr);
    return;
  }
  // grpc-go's ServeHTTP transport: the headers, then the status as trailers.
  stream.grpc_end = status;
  start_response(id, stream, {make_nv(":status", status_200), make_nv("content-type", grpc)});
}

void H2Conn::answer_http(int32_t id, Stream& stream) {
  PeerHttpRequest request;
  request.method = stream.headers[":method"];
  const std::string target = stream.headers[":path"];
  request.path = target.substr(0, target.find('?'));
  for (const auto& [name, value] : stream.headers)
    if (!name.starts_with(":")) request.headers.emplace(name, value);
  request.body = std::move(stream.body);
  request.http_version = "h2";
  const HttpAnswer answer = peer_.answer_http(request);
  const std::string status = std::to_string(answer.status), length = std::to_string(answer.body.size()),
                    nosniff = "nosniff";
  std::vector<nghttp2_nv> nva = {make_nv(":status", status), make_nv("content-type", answer.content_type),
                                 make_nv("content-length", length)};
  if (answer.status >= 400) nva.push_back(make_nv("x-content-type-options", nosniff));
  if (request.method != "HEAD") stream.out = answer.body;
  start_response(id, stream, nva);
}

}  // namespace lp::test::orch_peer
