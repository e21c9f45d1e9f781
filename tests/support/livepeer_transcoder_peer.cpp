#include "livepeer_transcoder_peer.h"

#include <gio/gio.h>

#include "http2/h2_connection.h"
#include "livepeer_gateway_peer.h"

namespace lp::test {
namespace {

using Clock = std::chrono::steady_clock;

// go-livepeer's protoVerLPT, the Authorization of every result.
constexpr const char* kAuthType = "Livepeer-Transcoder-1.0";

// One request on a connection of its own (go-livepeer's transcoder uses a fresh HTTP/2 client).
PeerAnswer exchange(const std::string& host, uint16_t port, const h2::Headers& headers, std::string body) {
  auto conn = LivepeerGatewayPeer::connect(host, port);
  if (!conn) return {};
  GatewayAnswer a = conn->exchange(headers, std::move(body), std::chrono::seconds(30));
  return PeerAnswer{a.status, a.text};
}

}  // namespace

std::unique_ptr<LivepeerTranscoderPeer> LivepeerTranscoderPeer::start(const std::string& host, uint16_t port,
                                                                      const std::string& secret, int64_t capacity,
                                                                      const net::Capabilities* capabilities) {
  std::unique_ptr<LivepeerTranscoderPeer> peer(new LivepeerTranscoderPeer());
  peer->host_ = host;
  peer->port_ = port;
  peer->secret_ = secret;
  net::RegisterRequest request;
  request.set_secret(secret);
  request.set_capacity(capacity);
  if (capabilities) *request.mutable_capabilities() = *capabilities;
  peer->thread_ =
      std::thread([p = peer.get(), bytes = request.SerializeAsString()]() mutable { p->run(std::move(bytes)); });
  return peer;
}

LivepeerTranscoderPeer::~LivepeerTranscoderPeer() {
  {
    std::lock_guard guard(lock_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

// The registration's thread: one connection, one call, read until it ends or the peer stops
// (the connection is dropped then, which the orchestrator sees as the transcoder gone).
void LivepeerTranscoderPeer::run(std::string request) {
  auto finish = [this](grpc::Status status) {
    std::lock_guard guard(lock_);
    if (!status_) status_ = std::move(status);
    changed_.notify_all();
  };
  h2::ConnectOptions options;
  options.host = host_;
  options.port = port_;
  auto conn = h2::Connection::connect(options, nullptr);
  if (!conn) return finish({grpc::kUnavailable, conn.error().message});
  grpc::MessageReader reader;
  std::optional<grpc::Status> status;
  bool closed = false;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& headers, bool) {
    if (auto s = grpc::status_from(headers)) status = s;
  };
  events.on_data = [&](std::string_view data) {
    auto e = reader.feed(data, [&](std::string&& bytes) {
      net::NotifySegment notify;
      if (!notify.ParseFromString(bytes)) {
        status = grpc::Status{grpc::kInternal, "a NotifySegment that does not parse"};
        return;
      }
      std::lock_guard guard(lock_);
      notifies_.push_back(std::move(notify));
      changed_.notify_all();
    });
    if (!e.ok()) status = grpc::Status{grpc::kInternal, e.error().message};
  };
  events.on_close = [&](uint32_t) { closed = true; };
  auto id = (*conn)->submit(grpc::request_headers("/net.Transcoder/RegisterTranscoder"), grpc::frame(request),
                            std::move(events));
  if (!id) return finish({grpc::kInternal, id.error().message});
  while (true) {
    {
      std::lock_guard guard(lock_);
      if (stop_) return;
    }
    auto failure = (*conn)->pump(std::chrono::milliseconds(100), nullptr);
    if (status || closed || !failure.ok()) {
      return finish(status
                        ? *status
                        : grpc::Status{grpc::kUnavailable, !failure.ok() ? failure.error().message : "stream closed"});
    }
  }
}

std::optional<grpc::Status> LivepeerTranscoderPeer::ended(std::chrono::milliseconds wait) {
  std::unique_lock guard(lock_);
  changed_.wait_for(guard, wait, [this] { return status_.has_value(); });
  return status_;
}

std::optional<net::NotifySegment> LivepeerTranscoderPeer::next(std::chrono::milliseconds timeout) {
  std::unique_lock guard(lock_);
  if (!changed_.wait_for(guard, timeout, [this] { return !notifies_.empty(); })) return std::nullopt;
  net::NotifySegment n = std::move(notifies_.front());
  notifies_.pop_front();
  return n;
}

PeerAnswer LivepeerTranscoderPeer::fetch(const std::string& url) const {
  g_autoptr(GUri) uri = g_uri_parse(url.c_str(), G_URI_FLAGS_NONE, nullptr);
  if (!uri) return {};
  std::string path = g_uri_get_path(uri);
  return exchange(host_, port_, {{":method", "GET"}, {":path", path}}, "");
}

std::string LivepeerTranscoderPeer::multipart(const std::vector<ResultPart>& parts, const std::string& boundary) {
  // mime/multipart's Writer: "--boundary\r\n", the part's headers, a blank line, the bytes;
  // the parts separated by "\r\n"; "\r\n--boundary--\r\n" at the end.
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "--" : "\r\n--") + boundary + "\r\n";
    out += "Content-Length: " + std::to_string(parts[i].bytes.size()) + "\r\n";
    out += "Content-Type: " + parts[i].content_type + "\r\n";
    out += "Pixels: " + std::to_string(parts[i].pixels) + "\r\n\r\n";
    out += parts[i].bytes;
  }
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

PeerAnswer LivepeerTranscoderPeer::post_raw(const std::vector<std::pair<std::string, std::string>>& headers,
                                            const std::string& body) const {
  h2::Headers h{{":method", "POST"}, {":path", "/transcodeResults"}, {"content-length", std::to_string(body.size())}};
  for (const auto& [name, value] : headers) {
    g_autofree char* lower = g_ascii_strdown(name.c_str(), -1);
    h.emplace_back(lower, value);
  }
  return exchange(host_, port_, h, body);
}

PeerAnswer LivepeerTranscoderPeer::send_results(int64_t task, const std::vector<ResultPart>& parts,
                                                int64_t decoded_pixels) const {
  const std::string boundary = "2f1e9a0c7b5d3e8f";
  return post_raw({{"Authorization", kAuthType},
                   {"Credentials", secret_},
                   {"Content-Type", "multipart/mixed; boundary=" + boundary},
                   {"TaskId", std::to_string(task)},
                   {"Pixels", std::to_string(decoded_pixels)}},
                  multipart(parts, boundary));
}

PeerAnswer LivepeerTranscoderPeer::send_error(int64_t task, const std::string& text) const {
  return post_raw({{"Authorization", kAuthType},
                   {"Credentials", secret_},
                   {"Content-Type", "livepeer/transcoding-error"},
                   {"TaskId", std::to_string(task)},
                   {"Pixels", "0"}},
                  text);
}

}  // namespace lp::test
