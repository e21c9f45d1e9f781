// Serves an HTTP/2 request with the HTTP/1.1 handlers of a SoupServer: libsoup's server has no
// public HTTP/2 support (3.2), and the orchestrator's port must answer every HTTP endpoint over
// both versions (go-livepeer's gateways post segments over HTTP/2, curl and libsoup clients
// pick h2 when it is offered). Each bridged request gets its own socketpair: one end goes to
// soup_server_accept_iostream like an accepted connection, the other carries the request as
// HTTP/1.1 and brings the answer back, body bytes streamed both ways with back-pressure, so
// the handlers' early checks, caps and streaming answers work exactly as over HTTP/1.1.
#pragma once

#include <libsoup/soup.h>

#include <memory>
#include <string>

#include "http2/h2_server_session.h"

namespace lp::h2 {

// `server` must outlive the handler; `peer` is the client's address, passed to the handlers as
// the request's remote address (null leaves it unknown).
std::unique_ptr<StreamHandler> bridge_to_soup(SoupServer* server, GSocketAddress* peer, const Headers& request,
                                              const Responder& responder);

}  // namespace lp::h2
