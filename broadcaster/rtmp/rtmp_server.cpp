#include "rtmp_server.h"

#include <gio/gio.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "main_context.h"
#include "rtmp_connection.h"

namespace lp {
namespace {

using namespace std::chrono_literals;

// How often connections' timeouts are checked: their resolution.
constexpr auto kTick = 250ms;
constexpr int kAcceptsPerWakeup = 32;

std::string peer_of(GSocket* socket) {
  g_autoptr(GSocketAddress) address = g_socket_get_remote_address(socket, nullptr);
  if (!address) return "unknown peer";
  g_autofree gchar* text = g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(address));
  return text;
}

// "host:port" -> the address to bind; nullopt when it is not that.
std::optional<std::pair<std::string, guint16>> split_address(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = addr.data() + colon + 1;
  const char* last = addr.data() + addr.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || first == last || port > 65535) return std::nullopt;
  return std::pair{host.empty() ? std::string("0.0.0.0") : host, static_cast<guint16>(port)};
}

}  // namespace

struct RtmpServer::Impl final : rtmp::SessionHost {
  Handlers handlers;
  Options options;
  rtmp::SocketPtr listener;
  rtmp::SourcePtr accept_source;
  int port = 0;
  std::map<rtmp::Connection*, std::unique_ptr<rtmp::Connection>> connections;
  std::set<std::string> live;  // stream keys being published
  guint tick = 0;
  guint reap = 0;
  guint resume_accepting = 0;
  bool stopping = false;

  ~Impl() override {
    stopping = true;
    remove_source(tick);
    remove_source(reap);
    remove_source(resume_accepting);
    accept_source.reset();
    if (listener) g_socket_close(listener.get(), nullptr);
    for (auto& [raw, connection] : connections) connection->close("server stopping");
    connections.clear();
  }

  std::optional<rtmp::Refusal> begin_publish(const RtmpPublish& publish) override {
    if (live.contains(publish.stream_key)) {
      return rtmp::Refusal{"NetStream.Publish.BadName", "this stream key is already being published"};
    }
    if (handlers.on_publish) {
      if (auto refused = handlers.on_publish(publish); !refused.ok())
        return rtmp::Refusal{"NetStream.Publish.Rejected", refused.error().message};
    }
    live.insert(publish.stream_key);
    g_message("rtmp %s: publishing app '%s' key %s", publish.peer.c_str(), rtmp::printable(publish.app).c_str(),
              rtmp::redacted(publish.stream_key).c_str());
    return std::nullopt;
  }

  void publish_data(const std::string& stream_key, GBytes* flv) override {
    if (handlers.on_data) handlers.on_data(stream_key, flv);
  }

  void end_publish(const std::string& stream_key, const std::string& why) override {
    live.erase(stream_key);
    g_message("rtmp: stream key %s ended: %s", rtmp::redacted(stream_key).c_str(), why.c_str());
    if (handlers.on_end) handlers.on_end(stream_key, why);
  }

  void watch_listener() {
    GSource* source = g_socket_create_source(listener.get(), G_IO_IN, nullptr);
    g_source_set_callback(source, G_SOURCE_FUNC(+[](GSocket*, GIOCondition, gpointer self) -> gboolean {
                            static_cast<Impl*>(self)->accept_all();
                            return G_SOURCE_CONTINUE;
                          }),
                          this, nullptr);
    g_source_attach(source, nullptr);
    accept_source.reset(source);
  }

  void accept_all() {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
      g_autoptr(GError) error = nullptr;
      rtmp::SocketPtr socket(g_socket_accept(listener.get(), nullptr, &error));
      if (!socket) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return;
        // Out of descriptors, say: the listener stays readable, so pause rather than spin.
        g_message("rtmp: accept failed: %s; pausing accepts for 1 s", error->message);
        accept_source.reset();
        resume_accepting = add_timeout_once(1s, [this] {
          resume_accepting = 0;
          watch_listener();
        });
        return;
      }
      std::string peer = peer_of(socket.get());
      if (connections.size() >= options.max_connections) {
        g_message("rtmp %s: refused: already %zu connections", peer.c_str(), connections.size());
        g_socket_close(socket.get(), nullptr);
        continue;
      }
      auto connection = std::make_unique<rtmp::Connection>(std::move(socket), std::move(peer), *this, options,
                                                           [this](rtmp::Connection&) { schedule_reap(); });
      rtmp::Connection* raw = connection.get();
      connections.emplace(raw, std::move(connection));
    }
  }

  // Closed connections are deleted from an idle callback: close() often runs inside their own.
  void schedule_reap() {
    if (stopping || reap != 0) return;
    reap = add_timeout_once(0ms, [this] {
      reap = 0;
      std::erase_if(connections, [](const auto& entry) { return entry.second->closed(); });
    });
  }

  void check_timeouts() {
    const gint64 now = g_get_monotonic_time();
    for (auto& [raw, connection] : connections) connection->check_timeouts(now);
  }
};

RtmpServer::RtmpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RtmpServer::~RtmpServer() = default;

Result<std::unique_ptr<RtmpServer>> RtmpServer::start(const std::string& addr, Handlers handlers, Options options) {
  auto host_port = split_address(addr);
  if (!host_port) return Error{ErrorCode::BadRequest, "RTMP listen address '" + addr + "' is not host:port"};
  if (options.chunk_size < 128 || options.chunk_size > options.max_message_size) {
    return Error{ErrorCode::BadRequest, "RTMP chunk size must be between 128 and the maximum message size"};
  }
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(host_port->first.c_str());
  if (!inet)
    return Error{ErrorCode::BadRequest, "RTMP listen host '" + host_port->first + "' is not a numeric address"};
  g_autoptr(GSocketAddress) bind_address = g_inet_socket_address_new(inet, host_port->second);

  auto impl = std::make_unique<Impl>();
  impl->handlers = std::move(handlers);
  impl->options = options;
  g_autoptr(GError) error = nullptr;
  impl->listener.reset(
      g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error));
  auto failed = [&](const char* what) {
    return Error{ErrorCode::Internal, std::string("RTMP: cannot ") + what + " " + addr + ": " + error->message};
  };
  if (!impl->listener) return failed("create a socket for");
  g_socket_set_blocking(impl->listener.get(), FALSE);
  if (!g_socket_bind(impl->listener.get(), bind_address, TRUE, &error)) return failed("bind");
  g_socket_set_listen_backlog(impl->listener.get(), 128);
  if (!g_socket_listen(impl->listener.get(), &error)) return failed("listen on");
  g_autoptr(GSocketAddress) local = g_socket_get_local_address(impl->listener.get(), &error);
  if (!local) return failed("read the address of");
  impl->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));

  Impl* raw = impl.get();
  raw->watch_listener();
  raw->tick = add_timeout_repeat(kTick, [raw] {
    raw->check_timeouts();
    return true;
  });
  g_message("rtmp: listening on %s:%d", host_port->first.c_str(), raw->port);
  return std::unique_ptr<RtmpServer>(new RtmpServer(std::move(impl)));
}

int RtmpServer::port() const { return impl_->port; }

size_t RtmpServer::connection_count() const {
  return static_cast<size_t>(std::count_if(impl_->connections.begin(), impl_->connections.end(),
                                           [](const auto& entry) { return !entry.second->closed(); }));
}

bool RtmpServer::disconnect(const std::string& stream_key, const std::string& why) {
  for (auto& [raw, connection] : impl_->connections) {
    if (connection->publishes(stream_key)) {
      connection->close(why);
      return true;
    }
  }
  return false;
}

}  // namespace lp
