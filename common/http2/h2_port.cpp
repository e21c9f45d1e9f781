#include "http2/h2_port.h"

#include "http2/h1_bridge.h"
#include "main_context.h"

namespace lp::h2 {
namespace {

std::string describe(GSocketAddress* address) {
  if (!address || !G_IS_INET_SOCKET_ADDRESS(address)) return "?";
  g_autofree char* ip = g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address)));
  return std::string(ip) + ":" + std::to_string(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(address)));
}

}  // namespace

Port::Port(ServerLimits limits) : limits_(limits) {}

Port::~Port() {
  *alive_ = false;
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& [raw, session] : sessions) session->shut_down(true);
}

H2Acceptor Port::acceptor() {
  return [this, alive = alive_](GIOStream* stream, GSocketAddress* remote) {
    if (*alive && server_) {
      accept(stream, remote);
    } else {
      g_io_stream_close(stream, nullptr, nullptr);
    }
  };
}

void Port::accept(GIOStream* stream, GSocketAddress* remote) {
  // The router and the close callback outlive neither the port nor the session: a session
  // that ends after the port checks `alive` first.
  GSocketAddress* peer = remote ? G_SOCKET_ADDRESS(g_object_ref(remote)) : nullptr;
  std::shared_ptr<GSocketAddress> peer_ref(peer, [](GSocketAddress* a) {
    if (a) g_object_unref(a);
  });
  Router router = [this, peer_ref, who = describe(remote)](const Headers& request, const Responder& responder) {
    if (grpc::ServiceTable::is_grpc(request)) return services_.handle(request, responder, who);
    return bridge_to_soup(server_, peer_ref.get(), request, responder);
  };
  auto holder = std::make_shared<ServerSession*>(nullptr);
  auto session =
      ServerSession::start(stream, describe(remote), std::move(router), limits_, [this, alive = alive_, holder] {
        if (!*alive || !*holder) return;
        auto it = sessions_.find(*holder);
        if (it == sessions_.end()) return;
        // Released on the next turn of the loop, after the
        // session's own call has returned.
        add_timeout_once(std::chrono::milliseconds(0), [keep = std::move(it->second)] {});
        sessions_.erase(it);
      });
  if (session->closed()) return;
  *holder = session.get();
  sessions_[session.get()] = std::move(session);
}

}  // namespace lp::h2
