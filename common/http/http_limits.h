// The limits every HTTP listener enforces (--http-* flags on lpnode; docs/security.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace lp {

struct HttpLimits {
  // A new connection must deliver a whole request head (TLS handshake included) in this time.
  std::chrono::milliseconds header_timeout{10000};
  // A kept-alive connection must start and finish its next request head in this time.
  std::chrono::milliseconds idle_timeout{30000};
  // A body being received, or an answer being written, must make progress within this time.
  std::chrono::milliseconds stall_timeout{10000};
  // ...and bodies must average at least this many bytes per second over each stall_timeout.
  size_t min_body_rate = 4096;
  int max_connections = 1024;
  int max_connections_per_address = 64;
  int max_bodies = 64;  // request bodies being received at once; more get 503 before any is read
  // Bodies under this path prefix are not counted against max_bodies: their handler's early
  // check already bounds them (the orchestrator's rendition uploads: live jobs only).
  std::string uncounted_body_prefix;
  // The operator API: refuse Host headers that are not an IP literal or "localhost" (a page
  // on another origin reaching it through DNS rebinding names its own host).
  bool ip_hosts_only = false;
};

}  // namespace lp
