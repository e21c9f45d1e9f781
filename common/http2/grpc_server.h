// gRPC calls served on an HTTP/2 port (gRPC's PROTOCOL-HTTP2 spec): the request is one
// length-prefixed message; the answer is response headers, zero or more messages, then
// grpc-status trailers. Unary and server-streaming calls (what go-livepeer's net.Orchestrator
// and net.Transcoder services use) have that one shape, so one handler type serves both.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "http2/grpc_messages.h"
#include "http2/h2_server_session.h"

namespace lp::grpc {

// One call's answer side; copyable, main context only. After finish() (or once the client has
// gone, see alive()) every call does nothing.
class ServerCall {
 public:
  explicit ServerCall(h2::Responder responder, std::shared_ptr<bool> closed)
      : responder_(std::move(responder)), closed_(std::move(closed)) {}
  // Sends one message (the response headers go out before the first).
  void send(std::string_view message) const;
  // Ends the call: OK, or an error code with its message (sent percent-encoded).
  void finish(int code = kOk, const std::string& message = "") const;
  // Unary shorthand: the message, then OK.
  void reply(std::string_view message) const {
    send(message);
    finish();
  }
  bool alive() const { return !*closed_ && responder_.alive(); }
  // Runs once when the client cancels or the connection goes (not after finish()).
  void on_cancel(std::function<void()> callback) const;
  // Body bytes queued and not yet sent (a streaming handler's back-pressure).
  size_t queued() const { return responder_.queued(); }
  const h2::Headers& request_headers() const { return *request_; }
  // The client's "ip:port" ("?" when unknown), for logs and throttling.
  const std::string& peer() const { return *peer_; }
  // finish()ed, or cancelled.
  bool over() const { return *closed_; }
  // The client went away: runs on_cancel's callback once.
  void cancelled() const;

 private:
  friend class ServiceTable;
  h2::Responder responder_;
  std::shared_ptr<bool> closed_;  // finished or cancelled
  std::shared_ptr<bool> headers_sent_ = std::make_shared<bool>(false);
  std::shared_ptr<std::function<void()>> on_cancel_ = std::make_shared<std::function<void()>>();
  std::shared_ptr<h2::Headers> request_ = std::make_shared<h2::Headers>();
  std::shared_ptr<std::string> peer_ = std::make_shared<std::string>("?");
};

// The method's handler: the request message (protobuf bytes) and the call to answer, now or
// later.
using MethodHandler = std::function<void(std::string request, const ServerCall& call)>;

class ServiceTable {
 public:
  // `path` is "/package.Service/Method".
  void add(const std::string& path, MethodHandler handler) { methods_[path] = std::move(handler); }
  // The stream handler for one gRPC request; unknown methods get UNIMPLEMENTED.
  std::unique_ptr<h2::StreamHandler> handle(const h2::Headers& request, const h2::Responder& responder,
                                            const std::string& peer = "?") const;
  // True when a request's headers mark it as gRPC (HTTP/2 POST, content-type application/grpc*).
  static bool is_grpc(const h2::Headers& request);
  // The largest request message accepted.
  static constexpr size_t kMaxRequest = 4 << 20;  // grpc-go's default receive limit

 private:
  std::map<std::string, MethodHandler> methods_;
};

}  // namespace lp::grpc
