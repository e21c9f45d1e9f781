// Starting a libsoup server on "host:port" and reading back where it listens: shared by the
// orchestrator's two servers and the gateway's.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "error.h"
#include "http/http_limits.h"
#include "owned.h"

namespace lp {

inline void disconnect_and_unref(SoupServer* server) {
  soup_server_disconnect(server);
  g_object_unref(server);
}
using ServerPtr = Owned<SoupServer, disconnect_and_unref>;

// Takes a TLS connection whose ALPN chose "h2" (the stream and the client's address); the
// listener keeps counting it as one of its connections until the stream is finalized.
using H2Acceptor = std::function<void(GIOStream* stream, GSocketAddress* remote)>;

struct ListenOptions {
  HttpLimits limits;
  GTlsCertificate* tls = nullptr;  // not owned; null = plain HTTP
  // With TLS: offer "h2" next to "http/1.1" (ALPN) and hand h2 connections to this.
  H2Acceptor h2;
};

// `addr` is "host:port", "[v6]:port" or ":port" (all interfaces); port 0 picks a free one.
// `what` names the flag in errors ("--http-addr"). Connections are accepted by a
// ConnectionGuard (connection_guard.h), which enforces `options.limits` and speaks TLS when
// given a certificate.
Result<ServerPtr> listen_http(const std::string& addr, const char* what, const ListenOptions& options = {});

// The socket under a request (for peeking at a paused client); null if it is gone.
GSocket* request_socket(SoupServerMessage* msg);

// Serves `stream` (a connection made by other code than the listener: the HTTP/2 bridge's
// socketpair end, `socket` under it) as one of the listener's own connections: the same caps,
// header and body timeouts and body limits, counted against `remote`'s address. False (and
// the stream closed) when a cap refuses it, or `server` has no listener.
bool serve_connection(SoupServer* server, GIOStream* stream, GSocket* socket, GSocketAddress* remote);

// Marks `msg` as an answer whose headers go out now and whose body comes when the work is
// done (go-livepeer's early 200): the wait is not timed as a client that stopped reading.
void answer_comes_later(SoupServerMessage* msg);

// Connections the server holds open now.
int open_connections(SoupServer* server);

// libsoup reads any request body into memory before a handler sees it. This adds an early
// handler that answers 413 to every request with a body (a Content-Length above 0, or
// chunked) on each of `paths` and on paths with no handler at all. (libsoup consults the early
// handler of the same path as the handler, so every body-less endpoint must be listed.)
// Endpoints that take bodies have their own early handler, which checks and bounds them.
void refuse_unexpected_bodies(SoupServer* server, std::initializer_list<const char*> paths);

// "127.0.0.1:8935" / "[::1]:8935" of the first listener; "" if none.
std::string bound_address(SoupServer* server);

}  // namespace lp
