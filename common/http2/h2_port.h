// The HTTP/2 side of a TLS port that speaks both versions, as go-livepeer's 8935 does: each
// connection whose ALPN chose "h2" becomes a ServerSession; gRPC requests go to the service
// table, every other request to the SoupServer's handlers through the HTTP/1.1 bridge.
#pragma once

#include <libsoup/soup.h>

#include <map>
#include <memory>

#include "http/http_listen.h"
#include "http2/grpc_server.h"
#include "http2/h2_server_session.h"

namespace lp::h2 {

class Port {
 public:
  explicit Port(ServerLimits limits = {});
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  // Where non-gRPC requests go (the server the acceptor was given to, once listen_http has
  // made it); it must outlive the port. Until then h2 connections are refused.
  void serve_http_with(SoupServer* server) { server_ = server; }
  grpc::ServiceTable& services() { return services_; }
  // For ListenOptions::h2.
  H2Acceptor acceptor();
  size_t sessions() const { return sessions_.size(); }

 private:
  void accept(GIOStream* stream, GSocketAddress* remote);

  SoupServer* server_ = nullptr;  // not owned
  ServerLimits limits_;
  grpc::ServiceTable services_;
  // Main context only. Keyed by the session itself; a session removes itself when it closes.
  std::map<ServerSession*, std::shared_ptr<ServerSession>> sessions_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lp::h2
