// Starting a libsoup server on "host:port" and reading back where it listens: shared by the
// orchestrator's two servers and the gateway's.
#pragma once

#include <libsoup/soup.h>

#include <memory>
#include <string>

#include "error.h"

namespace lp {

struct ServerUnref {
  void operator()(SoupServer* s) const {
    soup_server_disconnect(s);
    g_object_unref(s);
  }
};
using ServerPtr = std::unique_ptr<SoupServer, ServerUnref>;

// `addr` is "host:port", "[v6]:port" or ":port" (all interfaces); port 0 picks a free one.
// `what` names the flag in errors ("--http-addr").
Result<ServerPtr> listen_http(const std::string& addr, const char* what);

// "127.0.0.1:8935" / "[::1]:8935" of the first listener; "" if none.
std::string bound_address(SoupServer* server);

}  // namespace lp
