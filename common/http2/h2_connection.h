// One HTTP/2 client connection over TLS (ALPN "h2"), driven by the one thread that owns it.
// go-livepeer's orchestrator serves gRPC and its HTTP endpoints on one TLS port and its
// transcoders post results over HTTP/2: this is how lpgst talks to it. Like go-livepeer
// (InsecureSkipVerify) any certificate is accepted unless a SHA-256 pin is given.
//
// Synchronous: submit() queues a request, pump() sends what is queued and processes what
// arrives, running the stream callbacks on the calling thread. A cancellable passed to
// connect()/pump() interrupts a wait from any thread (that is how owners stop it).
#pragma once

#include <gio/gio.h>
#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.h"
#include "owned.h"

namespace lp::h2 {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of `name` (lower case) in `headers`, "" when absent.
std::string header_value(const Headers& headers, std::string_view name);

struct StreamEvents {
  // A header block: the response headers, then (trailers = true) the trailers if any.
  std::function<void(const Headers& headers, bool trailers)> on_headers;
  std::function<void(std::string_view data)> on_data;
  // The stream is over: 0 when it ended normally, else the RST_STREAM/GOAWAY error code.
  std::function<void(uint32_t error_code)> on_close;
};

struct ConnectOptions {
  std::string host;
  uint16_t port = 0;
  std::string cert_pin;                     // the certificate's SHA-256 (64 hex digits); "" = any
  std::chrono::milliseconds timeout{5000};  // TCP connect plus TLS handshake
};

class Connection {
 public:
  // Errors: Unreachable (refused, TLS failure, a peer that does not offer h2), Timeout.
  static Result<std::unique_ptr<Connection>> connect(const ConnectOptions& options, GCancellable* cancellable);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues a request: `headers` start with the pseudo-headers (:method, :path; :scheme and
  // :authority are added). The body is sent whole, then the stream is half-closed (unless
  // `end_stream` is false: then it stays open, as a client that stalls would leave it).
  Result<int32_t> submit(const Headers& headers, std::string body, StreamEvents events, bool end_stream = true);
  // Queues an HTTP/2 PING (liveness of a long-lived stream).
  void ping();

  // Sends everything queued, then waits up to `wait` for the peer and processes what came.
  // Success: the connection is still usable (nothing arriving in time is not an error).
  Result<void> pump(std::chrono::milliseconds wait, GCancellable* cancellable);
  // pump() until stream `id` closes or `deadline` passes (Timeout).
  Result<void> finish(int32_t id, std::chrono::steady_clock::time_point deadline, GCancellable* cancellable);

  // Streams still open.
  size_t open_streams() const { return streams_.size(); }
  // When the peer last sent a frame (steady clock).
  std::chrono::steady_clock::time_point last_heard() const { return last_heard_; }
  const std::string& authority() const { return authority_; }

 private:
  struct Stream {
    StreamEvents events;
    Headers headers;  // the header block being received
    bool got_headers = false;
    std::string body;  // request body still to send
    size_t sent = 0;
    bool end_stream = true;
  };

  Connection() = default;
  Result<void> flush(GCancellable* cancellable);
  static int on_header(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t, const uint8_t*, size_t, uint8_t,
                       void*);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame*, void*);
  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int on_stream_close(nghttp2_session*, int32_t, uint32_t, void*);
  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*, nghttp2_data_source*, void*);

  // All of these belong to the thread that drives the connection.
  GSocketConnection* tcp_ = nullptr;  // owned
  GIOStream* tls_ = nullptr;          // owned; the GTlsClientConnection over tcp_
  Owned<nghttp2_session, nghttp2_session_del> session_;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;
  std::string authority_;
  std::chrono::steady_clock::time_point last_heard_;
  std::optional<Error> failure_;  // set by a callback; reported by pump()
};

}  // namespace lp::h2
