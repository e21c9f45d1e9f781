#include "http/http_listen.h"

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

Result<ServerPtr> listen_http(const std::string& addr, const char* what) {
  auto sa = socket_address(addr);
  if (!sa) return sa.error();
  g_autoptr(GSocketAddress) owned = *sa;
  ServerPtr server(soup_server_new("server-header", "lpgst/" PACKAGE_VERSION, nullptr));
  g_autoptr(GError) error = nullptr;
  if (!soup_server_listen(server.get(), owned, SoupServerListenOptions{}, &error))
    return Error{ErrorCode::Internal, std::string("cannot listen on ") + addr + " (" + what + "): " + error->message};
  return server;
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
  soup_server_add_handler(server, nullptr, [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
    static constexpr std::string_view kBody = R"({"error":{"code":"not_found","message":"no such endpoint"}})";
    soup_server_message_set_status(msg, 404, nullptr);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_STATIC, kBody.data(), kBody.size());
  }, nullptr, nullptr);
}

std::string bound_address(SoupServer* server) {
  GSList* listeners = soup_server_get_listeners(server);
  std::string out;
  if (listeners) {
    g_autoptr(GSocketAddress) sa = g_socket_get_local_address(G_SOCKET(listeners->data), nullptr);
    if (sa && G_IS_INET_SOCKET_ADDRESS(sa)) {
      auto* inet = G_INET_SOCKET_ADDRESS(sa);
      g_autofree char* host = g_inet_address_to_string(g_inet_socket_address_get_address(inet));
      const bool v6 = g_inet_address_get_family(g_inet_socket_address_get_address(inet)) == G_SOCKET_FAMILY_IPV6;
      out = (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" +
            std::to_string(g_inet_socket_address_get_port(inet));
    }
  }
  g_slist_free(listeners);
  return out;
}

}  // namespace lp
