// What a listener does to every connection before and around libsoup: the caps on connections
// (in all, per client address) and on request bodies being received at once, the header, idle,
// stall and minimum-rate timeouts, refusing a request whose body it will not take without
// reading that body, and TLS. libsoup's own listener leaks every keep-alive connection that
// its client closes (libsoup 3.2: they stay in CLOSE_WAIT), so connections are accepted here
// and handed to the server with soup_server_accept_iostream.
#pragma once

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/http_limits.h"

namespace lp {

// Object data a handler sets on a message whose headers go out now and whose body comes later
// (answer_comes_later in http_listen.h).
extern const char* const kAnswerLater;

class ConnectionGuard {
 public:
  // `tls`: the server certificate (TLS on every connection), or null for plain HTTP. `h2`,
  // with TLS: connections whose ALPN picks "h2" go there instead of to the server.
  ConnectionGuard(SoupServer* server, HttpLimits limits, GTlsCertificate* tls,
                  std::function<void(GIOStream*, GSocketAddress*)> h2 = {});
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // From GSocketService::incoming: wraps the connection in TLS when asked and hands it to the
  // server, or closes it at once when a cap is reached.
  void accept(GSocketConnection* connection);

  // The socket under a message (libsoup has none for connections it did not accept itself).
  static GSocket* socket_of(SoupServerMessage* msg);
  // Serves a connection made by other code (the HTTP/2 bridge's socketpair end, `socket`
  // under `stream`) as one of this listener's: same caps, timeouts and body limits, counted
  // against `remote`'s address. False (and closed) when a cap refuses it.
  bool accept_stream(GIOStream* stream, GSocket* socket, GSocketAddress* remote);

  int connections() const { return static_cast<int>(conns_.size()); }
  bool tls() const { return tls_ != nullptr; }

 private:
  enum class Phase { Head, Body, Handling, Writing, Upgraded, Refused };
  struct Conn;

  static void on_request_started(SoupServer*, SoupServerMessage* msg, gpointer self);
  static void on_stream_gone(gpointer data, GObject* stream);
  void got_headers(SoupServerMessage* msg, Conn& c);
  void finished(SoupServerMessage* msg, Conn& c);
  void refuse_unread(SoupServerMessage* msg, Conn& c);
  gboolean drain(GSocketAddress* key);
  void finish_refusal(Conn& c);
  void tick();
  void close(Conn& c, const char* why);
  void end_body(Conn& c);
  bool uncounted(SoupServerMessage* msg) const;
  void log_refusals();
  void serve(GIOStream* stream, GSocketAddress* remote);
  bool room_for(const std::string& ip);  // counts a refusal when there is none
  Conn& adopt(GIOStream* stream, GSocket* socket, GSocketAddress* remote, const std::string& ip);
  static void handshake_done(GObject* source, GAsyncResult* result, gpointer self);

  SoupServer* server_;  // not owned: the guard lives in the server's object data
  HttpLimits limits_;
  GTlsCertificate* tls_;  // owned reference, or null
  std::function<void(GIOStream*, GSocketAddress*)> h2_;
  GCancellable* handshakes_;  // owned: cancels handshakes still running when the guard goes
  guint ticker_ = 0;
  // All below: main thread only (every signal and timer here runs on the default context).
  std::unordered_map<GSocketAddress*, std::unique_ptr<Conn>> conns_;  // keyed by libsoup's remote address
  std::map<std::string, int> per_address_;
  int bodies_ = 0;                    // requests whose body is being received
  uint64_t refused_connections_ = 0;  // since the last log line
  gint64 last_refusal_log_us_ = 0;
};

}  // namespace lp
