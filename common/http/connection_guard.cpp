#include "http/connection_guard.h"

#include <sys/resource.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "main_context.h"

namespace lp {
namespace {

// Every guard's connections by libsoup's remote-address object: the one key a message hands
// back (soup_server_message_get_socket is null for accepted streams). Main thread only.
std::unordered_map<GSocketAddress*, GSocket*>& socket_registry() {
  static std::unordered_map<GSocketAddress*, GSocket*> sockets;
  return sockets;
}

}  // namespace

const char* const kAnswerLater = "lp-answer-later";

namespace {

std::string ip_of(GSocketAddress* address) {
  if (!address || !G_IS_INET_SOCKET_ADDRESS(address)) return "?";
  g_autofree char* ip = g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address)));
  return ip;
}

bool has_body(SoupMessageHeaders* h) {
  const auto encoding = soup_message_headers_get_encoding(h);
  return encoding == SOUP_ENCODING_CHUNKED ||
         (encoding == SOUP_ENCODING_CONTENT_LENGTH && soup_message_headers_get_content_length(h) > 0);
}

// Content-Length must be one run of digits: a list ("5, 10"), two headers, a sign or a
// value past 2^63 is a request-smuggling or overflow attempt, not a length.
bool content_length_ok(SoupMessageHeaders* h) {
  const char* value = soup_message_headers_get_list(h, "Content-Length");
  if (!value) return true;
  std::string_view v(value);
  if (v.empty() || v.size() > 18) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "1.2.3.4", "1.2.3.4:80", "[::1]:80", "localhost", "localhost:80".
bool ip_literal_host(std::string_view host) {
  if (host.empty()) return false;
  std::string name(host);
  if (name.front() == '[') {
    const auto close = name.find(']');
    if (close == std::string::npos) return false;
    name = name.substr(1, close - 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string::npos && name.find(':') == colon) {
    name = name.substr(0, colon);
  }
  return name == "localhost" || g_hostname_is_ip_address(name.c_str());
}

std::string_view host_header(SoupMessageHeaders* h) {
  const char* host = soup_message_headers_get_one(h, "Host");
  return host ? host : "";
}

void set_error(SoupServerMessage* msg, guint status, const std::string& code, const std::string& message) {
  const std::string body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body.data(), body.size());
}

// How much of a refused request's body is read and thrown away before the connection is cut.
constexpr size_t kDrainBytes = size_t{80} << 20;

int open_file_limit() {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 1 << 20));
}

}  // namespace

struct ConnectionGuard::Conn {
  ConnectionGuard* guard = nullptr;
  GSocketAddress* remote = nullptr;  // owned reference: the key
  GSocket* socket = nullptr;         // owned reference
  GIOStream* stream = nullptr;       // weak: libsoup owns it; its end ends this record
  GIOStream* stolen = nullptr;       // owned once a refused request's connection is taken back
  std::string address;               // the client's IP
  Phase phase = Phase::Head;
  gint64 since_us = 0;  // phase start, or last progress
  gint64 window_start_us = 0;
  size_t window_bytes = 0;
  int requests = 0;
  bool counted_body = false;
  guint drain = 0;  // the refused body's discarding source

  ~Conn() {
    remove_source(drain);
    if (stolen) {
      g_io_stream_close(stolen, nullptr, nullptr);
      g_object_unref(stolen);
    }
    g_object_unref(socket);
    g_object_unref(remote);
  }
};

ConnectionGuard::ConnectionGuard(SoupServer* server, HttpLimits limits, GTlsCertificate* tls,
                                 std::function<void(GIOStream*, GSocketAddress*)> h2)
    : server_(server),
      limits_(limits),
      tls_(tls ? G_TLS_CERTIFICATE(g_object_ref(tls)) : nullptr),
      h2_(tls ? std::move(h2) : nullptr),
      handshakes_(g_cancellable_new()) {
  // Leave room under the process's descriptor limit for everything else it opens.
  limits_.max_connections = std::max(1, std::min(limits_.max_connections, open_file_limit() - 64));
  g_signal_connect(server_, "request-started", G_CALLBACK(on_request_started), this);
  ticker_ = add_timeout_repeat(std::chrono::milliseconds(250), [this] {
    tick();
    return true;
  });
}

ConnectionGuard::~ConnectionGuard() {
  g_cancellable_cancel(handshakes_);
  g_object_unref(handshakes_);
  remove_source(ticker_);
  g_signal_handlers_disconnect_by_data(server_, this);
  for (auto& [remote, c] : conns_) {
    g_object_weak_unref(G_OBJECT(c->stream), on_stream_gone, c.get());
    socket_registry().erase(remote);
  }
  conns_.clear();
  if (tls_) g_object_unref(tls_);
}

GSocket* ConnectionGuard::socket_of(SoupServerMessage* msg) {
  if (GSocket* s = soup_server_message_get_socket(msg)) return s;
  auto it = socket_registry().find(soup_server_message_get_remote_address(msg));
  return it == socket_registry().end() ? nullptr : it->second;
}

bool ConnectionGuard::room_for(const std::string& ip) {
  if (connections() < limits_.max_connections && per_address_[ip] < limits_.max_connections_per_address) return true;
  if (per_address_[ip] == 0) per_address_.erase(ip);
  ++refused_connections_;
  log_refusals();
  return false;
}

ConnectionGuard::Conn& ConnectionGuard::adopt(GIOStream* stream, GSocket* socket, GSocketAddress* remote,
                                              const std::string& ip) {
  auto c = std::make_unique<Conn>();
  c->guard = this;
  c->remote = G_SOCKET_ADDRESS(g_object_ref(remote));
  c->socket = G_SOCKET(g_object_ref(socket));
  c->stream = stream;
  c->address = ip;
  c->since_us = g_get_monotonic_time();
  g_object_weak_ref(G_OBJECT(stream), on_stream_gone, c.get());
  socket_registry()[c->remote] = c->socket;
  ++per_address_[ip];
  Conn& record = *c;
  conns_[c->remote] = std::move(c);
  return record;
}

bool ConnectionGuard::accept_stream(GIOStream* stream, GSocket* socket, GSocketAddress* remote) {
  const std::string ip = ip_of(remote);
  if (!room_for(ip)) {
    g_io_stream_close(stream, nullptr, nullptr);
    return false;
  }
  Conn& record = adopt(stream, socket, remote, ip);
  serve(stream, record.remote);
  return true;
}

void ConnectionGuard::accept(GSocketConnection* connection) {
  GSocket* socket = g_socket_connection_get_socket(connection);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address(connection, nullptr);
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address(connection, nullptr);
  const std::string ip = ip_of(remote);
  if (!remote || !local || !room_for(ip)) {
    g_io_stream_close(G_IO_STREAM(connection), nullptr, nullptr);
    return;
  }
  g_autoptr(GIOStream) stream = nullptr;
  if (tls_) {
    g_autoptr(GError) error = nullptr;
    stream = G_IO_STREAM(g_tls_server_connection_new(G_IO_STREAM(connection), tls_, &error));
    if (!stream) {
      g_warning("TLS: %s", error->message);
      g_io_stream_close(G_IO_STREAM(connection), nullptr, nullptr);
      return;
    }
    g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(stream), FALSE);
  } else {
    stream = G_IO_STREAM(g_object_ref(connection));
  }
  Conn& record = adopt(stream, socket, remote, ip);
  if (h2_) {
    // ALPN decides who serves it, so the handshake happens here, before either does. The
    // header timeout (tick) covers it: the record is in Phase::Head from now on.
    const gchar* protocols[] = {"h2", "http/1.1", nullptr};
    g_tls_connection_set_advertised_protocols(G_TLS_CONNECTION(stream), protocols);
    g_tls_connection_handshake_async(G_TLS_CONNECTION(stream), G_PRIORITY_DEFAULT, handshakes_, handshake_done, this);
    return;
  }
  serve(stream, record.remote);
}

void ConnectionGuard::handshake_done(GObject* source, GAsyncResult* result, gpointer data) {
  g_autoptr(GError) error = nullptr;
  const bool ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // the guard is gone
  auto* me = static_cast<ConnectionGuard*>(data);
  auto* stream = G_IO_STREAM(source);
  Conn* record = nullptr;
  for (auto& [key, c] : me->conns_)
    if (c->stream == stream) record = c.get();
  if (!ok || !record) {
    if (record) g_debug("TLS handshake with %s failed: %s", record->address.c_str(), error ? error->message : "");
    g_io_stream_close(stream, nullptr, nullptr);
    return;  // the record goes with the stream
  }
  const char* protocol = g_tls_connection_get_negotiated_protocol(G_TLS_CONNECTION(stream));
  if (protocol && std::string_view(protocol) == "h2") {
    record->phase = Phase::Upgraded;  // the HTTP/2 session keeps its own timeouts
    me->h2_(stream, record->remote);
    return;
  }
  me->serve(stream, record->remote);
}

void ConnectionGuard::serve(GIOStream* stream, GSocketAddress* remote) {
  g_autoptr(GSocketAddress) local = nullptr;
  if (auto it = conns_.find(remote); it != conns_.end())
    local = g_socket_get_local_address(it->second->socket, nullptr);
  // libsoup wants an internet address (a bridged socketpair has none).
  if (!local || !G_IS_INET_SOCKET_ADDRESS(local)) {
    g_clear_object(&local);
    local = g_inet_socket_address_new_from_string("0.0.0.0", 0);
  }
  g_autoptr(GError) error = nullptr;
  if (!soup_server_accept_iostream(server_, stream, local, remote, &error))
    g_warning("cannot serve a connection from %s: %s", ip_of(remote).c_str(), error->message);
}

void ConnectionGuard::on_stream_gone(gpointer data, GObject*) {
  auto* c = static_cast<Conn*>(data);
  ConnectionGuard* me = c->guard;
  me->end_body(*c);
  if (auto it = me->per_address_.find(c->address); it != me->per_address_.end() && --it->second <= 0)
    me->per_address_.erase(it);
  socket_registry().erase(c->remote);
  me->conns_.erase(c->remote);  // destroys the record
}

void ConnectionGuard::on_request_started(SoupServer*, SoupServerMessage* msg, gpointer self) {
  auto* me = static_cast<ConnectionGuard*>(self);
  auto it = me->conns_.find(soup_server_message_get_remote_address(msg));
  if (it == me->conns_.end()) return;  // not one of ours (cannot happen: every stream comes from accept)
  Conn& c = *it->second;
  c.phase = Phase::Head;
  c.since_us = g_get_monotonic_time();
  ++c.requests;
  g_signal_connect(msg, "got-headers", G_CALLBACK(+[](SoupServerMessage* m, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found != g->conns_.end()) g->got_headers(m, *found->second);
                   }),
                   me);
  g_signal_connect(msg, "got-chunk", G_CALLBACK(+[](SoupServerMessage* m, GBytes* chunk, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found == g->conns_.end()) return;
                     found->second->window_bytes += g_bytes_get_size(chunk);
                     found->second->since_us = g_get_monotonic_time();
                   }),
                   me);
  g_signal_connect(msg, "got-body", G_CALLBACK(+[](SoupServerMessage* m, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found == g->conns_.end()) return;
                     g->end_body(*found->second);
                     found->second->phase = Phase::Handling;
                   }),
                   me);
  g_signal_connect(msg, "wrote-headers", G_CALLBACK(+[](SoupServerMessage* m, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found == g->conns_.end() || found->second->phase == Phase::Refused) return;
                     // An answer whose body comes later (the early 200 of /segment) waits on
                     // us, not on the client: timed as Writing from its first body bytes.
                     if (g_object_get_data(G_OBJECT(m), kAnswerLater)) return;
                     found->second->phase = Phase::Writing;
                     found->second->since_us = g_get_monotonic_time();
                   }),
                   me);
  g_signal_connect(msg, "wrote-body-data", G_CALLBACK(+[](SoupServerMessage* m, guint, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found == g->conns_.end()) return;
                     if (found->second->phase == Phase::Handling) found->second->phase = Phase::Writing;
                     found->second->since_us = g_get_monotonic_time();
                   }),
                   me);
  g_signal_connect(msg, "finished", G_CALLBACK(+[](SoupServerMessage* m, gpointer s) {
                     auto* g = static_cast<ConnectionGuard*>(s);
                     auto found = g->conns_.find(soup_server_message_get_remote_address(m));
                     if (found != g->conns_.end()) g->finished(m, *found->second);
                   }),
                   me);
}

void ConnectionGuard::got_headers(SoupServerMessage* msg, Conn& c) {
  SoupMessageHeaders* h = soup_server_message_get_request_headers(msg);
  const bool body = has_body(h);
  if (!content_length_ok(h)) {
    set_error(msg, 400, "bad_request", "Content-Length must be one decimal number");
  } else if (limits_.ip_hosts_only && !ip_literal_host(host_header(h))) {
    set_error(msg, 403, "forbidden", "the operator API answers only to an IP address or localhost as Host");
  } else if (body && soup_server_message_get_status(msg) == 0 && bodies_ >= limits_.max_bodies && !uncounted(msg)) {
    set_error(msg, 503, "busy", "too many request bodies being received at once; retry");
  }
  if (soup_server_message_get_status(msg) != 0 && (body || soup_message_headers_get_list(h, "Content-Length"))) {
    // Refused before its body: answer now and close, reading none of it.
    return refuse_unread(msg, c);
  }
  if (body) {
    c.phase = Phase::Body;
    c.counted_body = !uncounted(msg);
    if (c.counted_body) ++bodies_;
    c.since_us = c.window_start_us = g_get_monotonic_time();
    c.window_bytes = 0;
  } else {
    c.phase = Phase::Handling;
  }
}

bool ConnectionGuard::uncounted(SoupServerMessage* msg) const {
  if (limits_.uncounted_body_prefix.empty()) return false;
  const char* path = g_uri_get_path(soup_server_message_get_uri(msg));
  return path && std::string_view(path).starts_with(limits_.uncounted_body_prefix);
}

void ConnectionGuard::end_body(Conn& c) {
  if (!c.counted_body) return;
  c.counted_body = false;
  --bodies_;
}

void ConnectionGuard::finished(SoupServerMessage* msg, Conn& c) {
  end_body(c);
  if (c.phase == Phase::Refused) return;
  if (soup_server_message_get_status(msg) == SOUP_STATUS_SWITCHING_PROTOCOLS) {
    c.phase = Phase::Upgraded;  // a WebSocket now: its own heartbeat watches it
    return;
  }
  c.phase = Phase::Head;
  c.since_us = g_get_monotonic_time();
}

// The answer is written straight to the connection, taken back from libsoup (which would
// read the whole body into memory first), and the connection is shut for writing. What the
// client still sends is read and thrown away, up to kDrainBytes, so that a client that writes
// its whole body before reading (libsoup does) still gets the answer; then it is closed.
void ConnectionGuard::refuse_unread(SoupServerMessage* msg, Conn& c) {
  const guint status = soup_server_message_get_status(msg);
  const char* reason = soup_server_message_get_reason_phrase(msg);
  g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_response_body(msg));
  gsize body_size = 0;
  const char* body_data = static_cast<const char*>(g_bytes_get_data(body, &body_size));
  std::string answer =
      "HTTP/1.1 " + std::to_string(status) + " " + (reason ? reason : soup_status_get_phrase(status)) + "\r\n";
  SoupMessageHeadersIter it;
  soup_message_headers_iter_init(&it, soup_server_message_get_response_headers(msg));
  const char *name = nullptr, *value = nullptr;
  while (soup_message_headers_iter_next(&it, &name, &value)) {
    if (g_ascii_strcasecmp(name, "Content-Length") == 0 || g_ascii_strcasecmp(name, "Connection") == 0 ||
        g_ascii_strcasecmp(name, "Transfer-Encoding") == 0)
      continue;
    answer += std::string(name) + ": " + value + "\r\n";
  }
  answer += "Content-Length: " + std::to_string(body_size) + "\r\nConnection: close\r\n\r\n";
  answer.append(body_data ? body_data : "", body_size);

  c.phase = Phase::Refused;
  end_body(c);
  c.stolen = soup_server_message_steal_connection(msg);
  if (!c.stolen) return;
  GOutputStream* out = g_io_stream_get_output_stream(c.stolen);
  if (G_IS_POLLABLE_OUTPUT_STREAM(out))
    g_pollable_output_stream_write_nonblocking(G_POLLABLE_OUTPUT_STREAM(out), answer.data(), answer.size(), nullptr,
                                               nullptr);
  g_output_stream_flush(out, nullptr, nullptr);
  g_socket_shutdown(c.socket, FALSE, TRUE, nullptr);
  c.since_us = c.window_start_us = g_get_monotonic_time();
  c.window_bytes = 0;
  GInputStream* in = g_io_stream_get_input_stream(c.stolen);
  if (!G_IS_POLLABLE_INPUT_STREAM(in)) return finish_refusal(c);
  GSource* source = g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(in), nullptr);
  g_source_set_callback(source, G_SOURCE_FUNC(+[](GObject* stream, gpointer key) -> gboolean {
                          auto* me = static_cast<ConnectionGuard*>(g_object_get_data(stream, "lp-guard"));
                          return me ? me->drain(static_cast<GSocketAddress*>(key)) : G_SOURCE_REMOVE;
                        }),
                        c.remote, nullptr);
  g_object_set_data(G_OBJECT(in), "lp-guard", this);
  c.drain = g_source_attach(source, nullptr);
  g_source_unref(source);
}

gboolean ConnectionGuard::drain(GSocketAddress* key) {
  auto found = conns_.find(key);
  if (found == conns_.end()) return G_SOURCE_REMOVE;
  Conn& c = *found->second;
  GInputStream* in = g_io_stream_get_input_stream(c.stolen);
  char buffer[16384];
  for (;;) {
    g_autoptr(GError) error = nullptr;
    const gssize n =
        g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(in), buffer, sizeof buffer, nullptr, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return G_SOURCE_CONTINUE;
    if (n <= 0 || c.window_bytes + static_cast<size_t>(n) > kDrainBytes) break;
    c.window_bytes += static_cast<size_t>(n);
    c.since_us = g_get_monotonic_time();
  }
  c.drain = 0;
  finish_refusal(c);
  return G_SOURCE_REMOVE;
}

// Closes a refused connection; its record goes when the stream is finalized.
void ConnectionGuard::finish_refusal(Conn& c) {
  remove_source(c.drain);
  GIOStream* stolen = std::exchange(c.stolen, nullptr);
  if (!stolen) return;
  g_socket_shutdown(c.socket, TRUE, TRUE, nullptr);
  g_io_stream_close(stolen, nullptr, nullptr);
  g_object_unref(stolen);  // may finalize the stream, and so destroy `c`
}

void ConnectionGuard::close(Conn& c, const char* why) {
  g_debug("closing connection from %s: %s", c.address.c_str(), why);
  g_socket_shutdown(c.socket, TRUE, TRUE, nullptr);
}

void ConnectionGuard::tick() {
  const gint64 now = g_get_monotonic_time();
  std::vector<GSocketAddress*> closing;  // refusals to finish (finishing may erase records)
  auto us = [](std::chrono::milliseconds ms) { return static_cast<gint64>(ms.count()) * 1000; };
  for (auto& [key, cp] : conns_) {
    Conn& c = *cp;
    switch (c.phase) {
      case Phase::Head: {
        const auto limit = c.requests <= 1 ? limits_.header_timeout : limits_.idle_timeout;
        if (now - c.since_us > us(limit)) close(c, "no request head in time");
        break;
      }
      case Phase::Body:
        if (now - c.since_us > us(limits_.stall_timeout)) {
          close(c, "request body stalled");
        } else if (now - c.window_start_us >= us(limits_.stall_timeout)) {
          const double seconds = double(now - c.window_start_us) / 1e6;
          if (double(c.window_bytes) < double(limits_.min_body_rate) * seconds) close(c, "request body too slow");
          c.window_start_us = now;
          c.window_bytes = 0;
        }
        break;
      case Phase::Writing:
        if (now - c.since_us > us(limits_.stall_timeout)) close(c, "client stopped reading the answer");
        break;
      case Phase::Refused:
        // A refused body is thrown away only while it keeps coming, and for a bounded time.
        if (now - c.since_us > us(limits_.stall_timeout) || now - c.window_start_us > 3 * us(limits_.stall_timeout))
          closing.push_back(key);
        break;
      case Phase::Handling:
      case Phase::Upgraded: break;
    }
  }
  for (GSocketAddress* key : closing)
    if (auto it = conns_.find(key); it != conns_.end()) finish_refusal(*it->second);
}

void ConnectionGuard::log_refusals() {
  const gint64 now = g_get_monotonic_time();
  if (now - last_refusal_log_us_ < 10 * G_USEC_PER_SEC) return;
  g_message("connections refused at the cap (%d in all, %d per address): %llu since the last report",
            limits_.max_connections, limits_.max_connections_per_address,
            static_cast<unsigned long long>(refused_connections_));
  refused_connections_ = 0;
  last_refusal_log_us_ = now;
}

}  // namespace lp
