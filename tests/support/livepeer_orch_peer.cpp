// The peer's lifecycle and records: the listening socket and its accept thread, the
// GMainContext thread that runs a libsoup SoupServer for http/1.1 connections, and the
// public API. Connections themselves are livepeer_orch_peer_h2.cpp.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "livepeer_orch_peer_internal.h"

namespace lp::test {
namespace {

// One self-signed certificate per process, as go-livepeer keeps one per data dir.
std::shared_ptr<lp::TlsIdentity> peer_identity(std::string& error) {
  static std::mutex mu;
  static std::shared_ptr<lp::TlsIdentity> identity;  // guarded by mu
  std::lock_guard lock(mu);
  if (identity) return identity;
  g_autoptr(GError) gerror = nullptr;
  g_autofree char* dir = g_dir_make_tmp("lp-orch-peer-XXXXXX", &gerror);
  if (!dir) {
    error = gerror->message;
    return nullptr;
  }
  auto made = lp::TlsIdentity::load_or_create(dir);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // the certificate is in memory now
  if (!made) {
    error = made.error().message;
    return nullptr;
  }
  identity = *made;
  return identity;
}

std::string grpc_frame(const std::string& message) {
  const auto n = static_cast<uint32_t>(message.size());
  std::string out{'\0', static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                  static_cast<char>(n)};
  return out + message;
}

}  // namespace

bool LivepeerOrchPeer::Impl::listen(int want_port, std::string& error) {
  g_autoptr(GError) gerror = nullptr;
  identity = peer_identity(error);
  if (!identity) return false;
  GPtr<GInetAddress> loopback(g_inet_address_new_from_string("127.0.0.1"));
  GPtr<GSocketAddress> address(g_inet_socket_address_new(loopback.get(), static_cast<guint16>(want_port)));
  GSocketAddress* effective = nullptr;
  // GLib binds with SO_REUSEADDR: a restarted peer gets the same port back at once.
  if (!g_socket_listener_add_address(listener.get(), address.get(), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                     nullptr, &effective, &gerror)) {
    error = gerror->message;
    return false;
  }
  GPtr<GSocketAddress> bound(effective);
  port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound.get()));
  soup_thread = std::thread([this] { soup_main(); });
  accept_thread = std::thread([this] { accept_loop(); });
  return true;
}

void LivepeerOrchPeer::Impl::accept_loop() {
  for (;;) {
    GPtr<GSocketConnection> socket(g_socket_listener_accept(listener.get(), nullptr, cancel.get(), nullptr));
    if (!socket) return;  // cancelled by stop()
    auto conn = std::make_shared<H2Conn>(*this, std::move(socket));
    std::lock_guard lock(mu);
    if (stopped) return;
    // Reap the threads of connections that ended.
    std::erase_if(conns, [](ConnThread& c) {
      if (!c.conn->done()) return false;
      c.thread.join();
      return true;
    });
    conns.push_back({std::thread([conn] { conn->run(); }), conn});
  }
}

void LivepeerOrchPeer::Impl::soup_main() {
  g_main_context_push_thread_default(soup_context.get());
  soup_server.reset(soup_server_new("server-header", "lp-orch-peer", nullptr));
  soup_server_add_handler(
      soup_server.get(), nullptr,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer user) {
        PeerHttpRequest request;
        request.method = soup_server_message_get_method(msg);
        request.path = path;
        soup_message_headers_foreach(
            soup_server_message_get_request_headers(msg),
            [](const char* name, const char* value, gpointer headers) {
              std::string lower = name;
              std::transform(lower.begin(), lower.end(), lower.begin(),
                             [](unsigned char c) { return static_cast<char>(g_ascii_tolower(static_cast<char>(c))); });
              static_cast<std::map<std::string, std::string>*>(headers)->emplace(lower, value);
            },
            &request.headers);
        g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
        gsize size = 0;
        const auto* data = static_cast<const char*>(g_bytes_get_data(body, &size));
        if (data) request.body.assign(data, size);
        request.http_version = "http/1.1";
        const HttpAnswer answer = static_cast<LivepeerOrchPeer::Impl*>(user)->answer_http(request);
        soup_server_message_set_status(msg, static_cast<guint>(answer.status), nullptr);
        if (answer.status >= 400)
          soup_message_headers_replace(soup_server_message_get_response_headers(msg), "X-Content-Type-Options",
                                       "nosniff");
        soup_server_message_set_response(msg, answer.content_type.c_str(), SOUP_MEMORY_COPY, answer.body.data(),
                                         answer.body.size());
      },
      this, nullptr);
  g_main_loop_run(soup_loop.get());
  soup_server_disconnect(soup_server.get());
  soup_server.reset();
  while (g_main_context_iteration(soup_context.get(), FALSE)) {
  }
  g_main_context_pop_thread_default(soup_context.get());
}

void LivepeerOrchPeer::Impl::adopt_http1(GPtr<GIOStream> stream, GPtr<GSocketAddress> local,
                                         GPtr<GSocketAddress> remote) {
  struct Adopt {
    Impl* peer;
    GPtr<GIOStream> stream;
    GPtr<GSocketAddress> local, remote;
  };
  auto job = std::make_unique<Adopt>(Adopt{this, std::move(stream), std::move(local), std::move(remote)});
  // Ownership passes to the idle source; its destroy notify frees it, run or not.
  g_main_context_invoke_full(
      soup_context.get(), G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        auto* a = static_cast<Adopt*>(data);
        g_autoptr(GError) error = nullptr;
        if (a->peer->soup_server && !soup_server_accept_iostream(a->peer->soup_server.get(), a->stream.get(),
                                                                 a->local.get(), a->remote.get(), &error))
          std::fprintf(stderr, "lp-orch-peer: libsoup refused a connection: %s\n", error->message);
        return G_SOURCE_REMOVE;
      },
      job.release(), [](gpointer data) { delete static_cast<Adopt*>(data); });
}

HttpAnswer LivepeerOrchPeer::Impl::answer_http(const PeerHttpRequest& request) {
  HttpAnswer answer;
  std::lock_guard lock(mu);
  // go-livepeer's mux sends /transcodeResults to its handler whatever the method.
  if (request.path == "/transcodeResults") {
    PeerResult result = handle_transcode_results(request, secret);
    answer.status = result.status_sent;
    answer.body = result.response_body;
    if (result.status_sent == 401) ++unauthorized;
    results.push_back(std::move(result));
  } else if (request.method == "GET" || request.method == "HEAD") {
    ++gets[request.path];
    if (auto it = served.find(request.path); it != served.end()) {
      answer = {200, "video/mp2t", it->second};
    }
  }
  cv.notify_all();
  return answer;
}

std::optional<std::pair<int, std::string>> LivepeerOrchPeer::Impl::register_transcoder(
    const std::string& body, const std::string& remote, const std::shared_ptr<H2Conn>& conn, int32_t stream_id) {
  if (body.size() < 5 || body[0] != 0) return std::pair{13, std::string("grpc: malformed or compressed request")};
  net::RegisterRequest request;
  if (!request.ParseFromArray(body.data() + 5, static_cast<int>(body.size() - 5)))
    return std::pair{13, std::string("grpc: error unmarshalling request")};
  std::lock_guard lock(mu);
  std::optional<std::pair<int, std::string>> refusal;
  // grpc-go maps go-livepeer's plain errors to Unknown (2).
  if (request.secret() != secret)
    refusal = {2, "invalid secret"};
  else if (request.capacity() <= 0)
    refusal = {2, "zero capacity"};
  if (refusal) {
    ++refused;
  } else {
    registrations.push_back({request.capacity(), request.capabilities(), request.has_capabilities(), remote});
    open.push_back({conn, conn.get(), stream_id});
  }
  cv.notify_all();
  return refusal;
}

void LivepeerOrchPeer::Impl::registration_closed(const H2Conn* conn, int32_t stream_id) {
  std::lock_guard lock(mu);
  std::erase_if(open,
                [&](const OpenStream& s) { return s.key == conn && (stream_id < 0 || s.stream_id == stream_id); });
  cv.notify_all();
}

void LivepeerOrchPeer::Impl::stop() {
  {
    std::lock_guard lock(mu);
    if (stopped) return;
    stopped = true;
  }
  g_cancellable_cancel(cancel.get());
  if (accept_thread.joinable()) accept_thread.join();
  g_socket_listener_close(listener.get());
  std::vector<ConnThread> ending;
  {
    std::lock_guard lock(mu);
    ending.swap(conns);
  }
  for (auto& c : ending) c.conn->wake();
  for (auto& c : ending) c.thread.join();
  g_main_loop_quit(soup_loop.get());
  if (soup_thread.joinable()) soup_thread.join();
  std::lock_guard lock(mu);
  open.clear();
  cv.notify_all();
}

// ---- the public face ----

LivepeerOrchPeer::LivepeerOrchPeer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LivepeerOrchPeer::~LivepeerOrchPeer() { stop(); }

std::unique_ptr<LivepeerOrchPeer> LivepeerOrchPeer::start(std::string secret, int port) {
  auto impl = std::make_unique<Impl>(std::move(secret));
  std::string error;
  if (!impl->listen(port, error)) {
    std::fprintf(stderr, "lp-orch-peer: cannot listen on 127.0.0.1:%d: %s\n", port, error.c_str());
    return nullptr;
  }
  return std::unique_ptr<LivepeerOrchPeer>(new LivepeerOrchPeer(std::move(impl)));
}

void LivepeerOrchPeer::stop() { impl_->stop(); }
int LivepeerOrchPeer::port() const { return impl_->port; }
std::string LivepeerOrchPeer::address() const { return "127.0.0.1:" + std::to_string(impl_->port); }
std::string LivepeerOrchPeer::url(const std::string& path) const { return "https://" + address() + path; }

std::optional<PeerRegistration> LivepeerOrchPeer::wait_registered(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, timeout, [&] { return !impl_->registrations.empty(); })) return std::nullopt;
  return impl_->registrations.back();
}

std::vector<PeerRegistration> LivepeerOrchPeer::registered() const {
  std::lock_guard lock(impl_->mu);
  return impl_->registrations;
}

int LivepeerOrchPeer::registrations() const {
  std::lock_guard lock(impl_->mu);
  return static_cast<int>(impl_->registrations.size());
}

int LivepeerOrchPeer::refused_registrations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->refused;
}

int LivepeerOrchPeer::open_registrations() const {
  std::lock_guard lock(impl_->mu);
  return static_cast<int>(impl_->open.size());
}

bool LivepeerOrchPeer::wait_open_registrations(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return static_cast<int>(impl_->open.size()) == n; });
}

bool LivepeerOrchPeer::notify(const net::NotifySegment& message) {
  std::shared_ptr<H2Conn> conn;
  int32_t stream_id = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->open.empty()) return false;
    conn = impl_->open.back().conn.lock();
    stream_id = impl_->open.back().stream_id;
  }
  return conn && conn->push(stream_id, grpc_frame(message.SerializeAsString()));
}

void LivepeerOrchPeer::drop_transcoders(int code, const std::string& message) {
  std::vector<Impl::OpenStream> open;
  {
    std::lock_guard lock(impl_->mu);
    open.swap(impl_->open);
    impl_->cv.notify_all();
  }
  std::set<std::shared_ptr<H2Conn>> conns;
  for (const auto& s : open) {
    if (auto conn = s.conn.lock()) {
      conn->end_stream(s.stream_id, code, message);
      conns.insert(conn);
    }
  }
  for (const auto& conn : conns) conn->close_gracefully();
}

void LivepeerOrchPeer::set_trailers_only_errors(bool on) {
  std::lock_guard lock(impl_->mu);
  impl_->trailers_only = on;
}

void LivepeerOrchPeer::serve(const std::string& path, std::string bytes) {
  std::lock_guard lock(impl_->mu);
  impl_->served[path] = std::move(bytes);
}

int LivepeerOrchPeer::gets(const std::string& path) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->gets.find(path);
  return it == impl_->gets.end() ? 0 : it->second;
}

std::optional<PeerResult> LivepeerOrchPeer::wait_result(int64_t task_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  std::optional<PeerResult> found;
  impl_->cv.wait_for(lock, timeout, [&] {
    for (auto it = impl_->results.rbegin(); it != impl_->results.rend(); ++it) {
      if (it->task_id == task_id) {
        found = *it;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<PeerResult> LivepeerOrchPeer::results() const {
  std::lock_guard lock(impl_->mu);
  return impl_->results;
}

int LivepeerOrchPeer::unauthorized() const {
  std::lock_guard lock(impl_->mu);
  return impl_->unauthorized;
}

}  // namespace lp::test
