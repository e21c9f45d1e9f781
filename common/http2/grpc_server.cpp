#include "http2/grpc_server.h"

#include <vector>

namespace lp::grpc {
namespace {

h2::Headers response_headers() { return {{":status", "200"}, {"content-type", "application/grpc"}}; }

h2::Headers status_trailers(int code, const std::string& message) {
  h2::Headers t{{"grpc-status", std::to_string(code)}};
  if (!message.empty()) t.emplace_back("grpc-message", percent_encode(message));
  return t;
}

// Reads the one request message, then runs the method.
class CallHandler final : public h2::StreamHandler {
 public:
  CallHandler(const MethodHandler* method, ServerCall call) : method_(method), call_(std::move(call)) {}

  bool on_data(std::string_view bytes) override {
    if (call_.over()) return false;
    // One request message: a second one is refused at once rather than kept.
    bool extra = false;
    auto e = reader_.feed(bytes, [this, &extra](std::string&& m) {
      if (messages_.empty()) {
        messages_.push_back(std::move(m));
      } else {
        extra = true;
      }
    });
    if (extra && e.ok()) {
      call_.finish(kInternal, "more than one request message");
      return true;
    }
    if (!e.ok()) {
      // Answered (trailers-only); the rest of the body is read and dropped: resetting the
      // stream now could overtake the answer.
      call_.finish(kResourceExhausted, e.error().message);
    }
    return true;
  }

  void on_end() override {
    if (call_.over()) return;
    if (reader_.pending() > 0 || messages_.size() != 1) {
      call_.finish(kInternal, messages_.size() > 1 ? "more than one request message" : "no request message");
      return;
    }
    (*method_)(std::move(messages_.front()), call_);
  }

  void on_close(uint32_t) override { call_.cancelled(); }

 private:
  const MethodHandler* method_;  // the table outlives the sessions it serves
  ServerCall call_;
  MessageReader reader_{ServiceTable::kMaxRequest};
  std::vector<std::string> messages_;
};

// Answers every call with one status, trailers-only, reading nothing.
class RefusedCall final : public h2::StreamHandler {
 public:
  bool on_data(std::string_view) override { return true; }
  void on_end() override {}
};

}  // namespace

void ServerCall::send(std::string_view message) const {
  if (!alive()) return;
  if (!*headers_sent_) {
    *headers_sent_ = true;
    responder_.headers(response_headers());
  }
  responder_.data(frame(message));
}

void ServerCall::finish(int code, const std::string& message) const {
  if (!alive()) return;
  *closed_ = true;
  if (!*headers_sent_) {
    // Trailers-only: one header block with the status (what grpc-go sends for an early error).
    *headers_sent_ = true;
    h2::Headers all = response_headers();
    for (auto& t : status_trailers(code, message)) all.push_back(std::move(t));
    responder_.headers(all, true);
    return;
  }
  responder_.end(status_trailers(code, message));
}

void ServerCall::cancelled() const {
  if (*closed_) return;
  *closed_ = true;
  if (auto cancel = std::move(*on_cancel_)) cancel();
}

void ServerCall::on_cancel(std::function<void()> callback) const { *on_cancel_ = std::move(callback); }

bool ServiceTable::is_grpc(const h2::Headers& request) {
  return h2::header_value(request, ":method") == "POST" &&
         h2::header_value(request, "content-type").starts_with("application/grpc");
}

std::unique_ptr<h2::StreamHandler> ServiceTable::handle(const h2::Headers& request, const h2::Responder& responder,
                                                        const std::string& peer) const {
  ServerCall call(responder, std::make_shared<bool>(false));
  *call.request_ = request;
  *call.peer_ = peer;
  auto it = methods_.find(h2::header_value(request, ":path"));
  if (it == methods_.end()) {
    call.finish(kUnimplemented, "unknown method " + h2::header_value(request, ":path"));
    return std::make_unique<RefusedCall>();
  }
  const std::string encoding = h2::header_value(request, "grpc-encoding");
  if (!encoding.empty() && encoding != "identity") {
    call.finish(kUnimplemented, "grpc-encoding " + encoding + " is not supported");
    return std::make_unique<RefusedCall>();
  }
  return std::make_unique<CallHandler>(&it->second, std::move(call));
}

}  // namespace lp::grpc
