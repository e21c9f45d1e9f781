#include "http/http_listen.h"

#include "http/connection_guard.h"

#include <cstdlib>
#include <string_view>

namespace lp {
namespace {

// "host:port", "[v6]:port" -> a socket address; port 0 lets the kernel pick.
Result<GSocketAddress*> socket_address(const std::string& addr) {
  const auto colon = addr.rfind(':');
  if (colon == std::string::npos) return Error{ErrorCode::BadRequest, "address without a port: " + addr};
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  char* end = nullptr;
  const long port = std::strtol(addr.c_str() + colon + 1, &end, 10);
  if (!end || *end != '\0' || end == addr.c_str() + colon + 1 || port < 0 || port > 65535)
    return Error{ErrorCode::BadRequest, "bad port in " + addr};
  if (host.find(':') != std::string::npos && addr.front() != '[')
    return Error{ErrorCode::BadRequest, "put an IPv6 address in brackets: " + addr};
  GSocketAddress* sa = g_inet_socket_address_new_from_string(host.c_str(), static_cast<guint>(port));
  if (!sa) return Error{ErrorCode::BadRequest, "not an IP address: " + host + " (in " + addr + ")"};
  return sa;
}

}  // namespace

// What listen_http attaches to its server: the accepting socket service and the guard.
struct Listener {
  GSocketService* service = nullptr;
  std::string address;  // as bound, with the real port
  std::unique_ptr<ConnectionGuard> guard;
  ~Listener() {
    g_socket_service_stop(service);
    g_socket_listener_close(G_SOCKET_LISTENER(service));
    g_signal_handlers_disconnect_by_data(service, guard.get());
    g_object_unref(service);
  }
};

constexpr const char* kListenerKey = "lp-listener";

Listener* listener_of(SoupServer* server) {
  return static_cast<Listener*>(g_object_get_data(G_OBJECT(server), kListenerKey));
}

std::string address_text(GSocketAddress* sa) {
  if (!sa || !G_IS_INET_SOCKET_ADDRESS(sa)) return "";
  auto* inet = G_INET_SOCKET_ADDRESS(sa);
  g_autofree char* host = g_inet_address_to_string(g_inet_socket_address_get_address(inet));
  const bool v6 = g_inet_address_get_family(g_inet_socket_address_get_address(inet)) == G_SOCKET_FAMILY_IPV6;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" +
         std::to_string(g_inet_socket_address_get_port(inet));
}

Result<ServerPtr> listen_http(const std::string& addr, const char* what, const ListenOptions& options) {
  auto sa = socket_address(addr);
  if (!sa) return sa.error();
  g_autoptr(GSocketAddress) owned = *sa;
  ServerPtr server(soup_server_new("server-header", "lpgst/" PACKAGE_VERSION, nullptr));
  auto listener = std::make_unique<Listener>();
  listener->service = g_socket_service_new();
  g_socket_listener_set_backlog(G_SOCKET_LISTENER(listener->service), 512);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSocketAddress) effective = nullptr;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(listener->service), owned, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, nullptr, &effective, &error))
    return Error{ErrorCode::Internal, std::string("cannot listen on ") + addr + " (" + what + "): " + error->message};
  listener->address = address_text(effective);
  listener->guard = std::make_unique<ConnectionGuard>(server.get(), options.limits, options.tls, options.h2);
  g_signal_connect(listener->service, "incoming",
                   G_CALLBACK(+[](GSocketService*, GSocketConnection* c, GObject*, gpointer guard) -> gboolean {
                     static_cast<ConnectionGuard*>(guard)->accept(c);
                     return TRUE;
                   }),
                   listener->guard.get());
  g_socket_service_start(listener->service);
  g_object_set_data_full(G_OBJECT(server.get()), kListenerKey, listener.release(),
                         [](gpointer l) { delete static_cast<Listener*>(l); });
  return server;
}

GSocket* request_socket(SoupServerMessage* msg) { return ConnectionGuard::socket_of(msg); }

void answer_comes_later(SoupServerMessage* msg) { g_object_set_data(G_OBJECT(msg), kAnswerLater, GINT_TO_POINTER(1)); }

bool serve_connection(SoupServer* server, GIOStream* stream, GSocket* socket, GSocketAddress* remote) {
  Listener* l = listener_of(server);
  if (!l) {
    g_io_stream_close(stream, nullptr, nullptr);
    return false;
  }
  return l->guard->accept_stream(stream, socket, remote);
}

int open_connections(SoupServer* server) {
  Listener* l = listener_of(server);
  return l ? l->guard->connections() : 0;
}

void refuse_unexpected_bodies(SoupServer* server, std::initializer_list<const char*> paths) {
  auto refuse = [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
    SoupMessageHeaders* h = soup_server_message_get_request_headers(msg);
    const bool chunked = soup_message_headers_get_encoding(h) == SOUP_ENCODING_CHUNKED;
    if (!chunked && soup_message_headers_get_content_length(h) <= 0) return;
    static constexpr std::string_view kBody =
        R"({"error":{"code":"too_large","message":"this endpoint takes no request body"}})";
    soup_server_message_set_status(msg, 413, nullptr);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_STATIC, kBody.data(), kBody.size());
  };
  soup_server_add_early_handler(server, nullptr, refuse, nullptr, nullptr);
  for (const char* path : paths) soup_server_add_early_handler(server, path, refuse, nullptr, nullptr);
  // The catch-all needs its handler too: libsoup answers 500 for a path whose handler entry
  // has only an early callback.
  soup_server_add_handler(
      server, nullptr,
      [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
        static constexpr std::string_view kBody = R"({"error":{"code":"not_found","message":"no such endpoint"}})";
        soup_server_message_set_status(msg, 404, nullptr);
        soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_STATIC, kBody.data(), kBody.size());
      },
      nullptr, nullptr);
}

std::string bound_address(SoupServer* server) {
  Listener* l = listener_of(server);
  return l ? l->address : "";
}

}  // namespace lp
