#include "http2/h1_bridge.h"

#include "http/http_listen.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace lp::h2 {
namespace {

constexpr size_t kMaxAnswerHead = 64 << 10;
constexpr size_t kAnswerBacklog = 1 << 20;  // answer bytes queued on the h2 stream before we stop reading
constexpr size_t kReadChunk = 32768;

// Headers HTTP/2 forbids or that describe the HTTP/1.1 connection, not the message.
bool hop_by_hop(const std::string& name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" || name == "transfer-encoding" ||
         name == "upgrade" || name == "te" || name == "expect";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(g_ascii_tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

class SoupBridge final : public StreamHandler {
 public:
  SoupBridge(const Headers& request, Responder responder) : responder_(std::move(responder)) {
    method_ = header_value(request, ":method");
    path_ = header_value(request, ":path");
    authority_ = header_value(request, ":authority");
    for (const auto& [n, v] : request) {
      if (n.starts_with(":") || hop_by_hop(n) || n == "host") continue;
      if (n == "content-length") has_length_ = true;
      headers_.emplace_back(n, v);
    }
  }

  ~SoupBridge() override { shut(); }

  bool start(SoupServer* server, GSocketAddress* peer) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0) return false;
    g_autoptr(GError) error = nullptr;
    g_autoptr(GSocket) server_end = g_socket_new_from_fd(fds[0], &error);
    if (!server_end) {
      ::close(fds[0]);
      ::close(fds[1]);
      return false;
    }
    socket_ = g_socket_new_from_fd(fds[1], &error);
    if (!socket_) {
      ::close(fds[1]);
      return false;
    }
    // GSocket blocks unless told otherwise (SOCK_NONBLOCK on the fd is not enough): a full
    // socketpair would then block the main loop, where libsoup drains it.
    g_socket_set_blocking(socket_, FALSE);
    g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection(server_end);
    // A copy of the address: the connection guard keys its connections by the object.
    g_autoptr(GSocketAddress) remote = peer ? copy_address(peer) : nullptr;
    if (!remote) remote = g_inet_socket_address_new_from_string("0.0.0.0", 0);
    // The listener's guard serves it like an accepted connection (caps, timeouts, body
    // limits), and checks for a vanished client poll the socketpair's server end, which
    // reads end-of-file once this bridge closes its end.
    if (!serve_connection(server, G_IO_STREAM(connection), server_end, remote)) {
      g_message("HTTP/2: %s %s refused: connection caps reached", method_.c_str(), path_.c_str());
      return false;
    }
    arm_read();
    return true;
  }

  bool paces_body() const override { return true; }

  bool on_data(std::string_view bytes) override {
    if (done_) {  // answered already: the rest of the body is read and dropped
      responder_.consume(bytes.size());
      return true;
    }
    if (!socket_) return false;
    if (!head_sent_) send_head(/*body_follows=*/true);
    if (chunked_) {
      char size[20];
      g_snprintf(size, sizeof size, "%zx\r\n", bytes.size());
      out_ += size;
      out_.append(bytes);
      out_ += "\r\n";
    } else {
      out_.append(bytes);
    }
    unconsumed_ += bytes.size();
    write_some();
    return true;
  }

  void on_end() override {
    if (!socket_) return;
    if (!head_sent_) send_head(/*body_follows=*/false);
    if (chunked_) out_ += "0\r\n\r\n";
    write_some();
  }

  void on_close(uint32_t) override { shut(); }

 private:
  static GSocketAddress* copy_address(GSocketAddress* address) {
    if (!G_IS_INET_SOCKET_ADDRESS(address)) return nullptr;
    auto* inet = G_INET_SOCKET_ADDRESS(address);
    return g_inet_socket_address_new(g_inet_socket_address_get_address(inet), g_inet_socket_address_get_port(inet));
  }

  void send_head(bool body_follows) {
    head_sent_ = true;
    chunked_ = body_follows && !has_length_;
    std::string head = method_ + " " + path_ + " HTTP/1.1\r\nHost: " + authority_ + "\r\n";
    for (const auto& [n, v] : headers_) head += n + ": " + v + "\r\n";
    if (chunked_) head += "Transfer-Encoding: chunked\r\n";
    head += "Connection: close\r\n\r\n";
    out_.insert(0, head);
  }

  void write_some() {
    while (socket_ && !out_.empty()) {
      g_autoptr(GError) error = nullptr;
      const gssize n = g_socket_send(socket_, out_.data(), out_.size(), nullptr, &error);
      if (n < 0) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
          arm_write();
          return;
        }
        // The handler closed its side (it answered without reading the body): let the
        // answer, if any, come through the read side; the rest of the body is dropped.
        out_.clear();
        break;
      }
      out_.erase(0, static_cast<size_t>(n));
    }
    // Everything the h2 peer sent is now with the handler: let it send more.
    if (out_.empty() && unconsumed_ > 0) {
      responder_.consume(unconsumed_);
      unconsumed_ = 0;
    }
  }

  void arm_write() {
    if (write_source_ || !socket_) return;
    write_source_ = g_socket_create_source(socket_, G_IO_OUT, nullptr);
    g_source_set_callback(write_source_, G_SOURCE_FUNC(+[](GSocket*, GIOCondition, gpointer self) -> gboolean {
                            auto* me = static_cast<SoupBridge*>(self);
                            g_source_unref(me->write_source_);
                            me->write_source_ = nullptr;
                            me->write_some();
                            return G_SOURCE_REMOVE;
                          }),
                          this, nullptr);
    g_source_attach(write_source_, g_main_context_get_thread_default());
  }

  void arm_read() {
    if (read_source_ || !socket_) return;
    read_source_ = g_socket_create_source(socket_, G_IO_IN, nullptr);
    g_source_set_callback(read_source_, G_SOURCE_FUNC(+[](GSocket*, GIOCondition, gpointer self) -> gboolean {
                            return static_cast<SoupBridge*>(self)->read_some();
                          }),
                          this, nullptr);
    g_source_attach(read_source_, g_main_context_get_thread_default());
  }

  gboolean read_some() {
    char buffer[kReadChunk];
    g_autoptr(GError) error = nullptr;
    const gssize n = g_socket_receive(socket_, buffer, sizeof buffer, nullptr, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return G_SOURCE_CONTINUE;
    if (n <= 0) {
      answer_ended();
      return stop_reading();
    }
    in_.append(buffer, static_cast<size_t>(n));
    if (!parse()) return stop_reading();
    // Back-pressure: a slow h2 peer stops us reading the handler's answer.
    if (responder_.queued() > kAnswerBacklog) {
      responder_.on_drained([this] { arm_read(); });
      return stop_reading();
    }
    return G_SOURCE_CONTINUE;
  }

  // The read source is being removed by returning G_SOURCE_REMOVE: drop our reference.
  gboolean stop_reading() {
    if (read_source_) {
      g_source_unref(read_source_);
      read_source_ = nullptr;
    }
    return G_SOURCE_REMOVE;
  }

  // Turns what arrived into h2 frames; false when the answer is complete or broken.
  bool parse() {
    if (!head_done_) {
      const size_t end = in_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (in_.size() > kMaxAnswerHead) return fail("answer head too large");
        return true;
      }
      if (!parse_head(std::string_view(in_).substr(0, end))) return fail("malformed answer");
      in_.erase(0, end + 4);
      if (status_ >= 100 && status_ < 200) {  // 100 Continue: the real answer follows
        head_done_ = false;
        return parse();
      }
      head_done_ = true;
      const bool no_body = method_ == "HEAD" || status_ == 204 || status_ == 304 || (length_ && *length_ == 0);
      answer_headers_.insert(answer_headers_.begin(), {":status", std::to_string(status_)});
      responder_.headers(answer_headers_, no_body);
      if (no_body) return finish();
    }
    if (answer_chunked_) return parse_chunks();
    if (length_) {
      const size_t take = std::min<size_t>(in_.size(), *length_ - sent_);
      if (take > 0) responder_.data(in_.substr(0, take));
      sent_ += take;
      in_.clear();
      if (sent_ == *length_) return finish();
      return true;
    }
    if (!in_.empty()) responder_.data(std::move(in_));
    in_.clear();
    return true;  // until EOF
  }

  bool parse_head(std::string_view head) {
    size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) return false;
    status_ = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    if (status_ < 100 || status_ > 599) return false;
    answer_headers_.clear();
    length_.reset();
    answer_chunked_ = false;
    while (line_end != std::string_view::npos) {
      head.remove_prefix(line_end + 2);
      line_end = head.find("\r\n");
      const std::string_view line = head.substr(0, line_end);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string value = trim(line.substr(colon + 1));
      if (name == "transfer-encoding") answer_chunked_ = lower(value).find("chunked") != std::string::npos;
      if (name == "content-length") length_ = std::strtoull(value.c_str(), nullptr, 10);
      if (hop_by_hop(name)) continue;
      answer_headers_.emplace_back(name, value);
    }
    if (answer_chunked_) length_.reset();
    return true;
  }

  bool parse_chunks() {
    for (;;) {
      if (chunk_left_ > 0) {
        const size_t take = std::min(chunk_left_, in_.size());
        if (take == 0) return true;
        responder_.data(in_.substr(0, take));
        in_.erase(0, take);
        chunk_left_ -= take;
        if (chunk_left_ > 0) return true;
        skip_crlf_ = true;
      }
      if (skip_crlf_) {
        if (in_.size() < 2) return true;
        in_.erase(0, 2);
        skip_crlf_ = false;
      }
      const size_t eol = in_.find("\r\n");
      if (eol == std::string::npos) return in_.size() < 1024 || fail("malformed chunk");
      const size_t size = std::strtoull(in_.substr(0, eol).c_str(), nullptr, 16);
      in_.erase(0, eol + 2);
      if (size == 0) return finish();  // trailers of an HTTP/1.1 answer are not forwarded
      chunk_left_ = size;
    }
  }

  bool finish() {
    done_ = true;
    responder_.end();
    shut();
    return false;
  }

  bool fail(const char* why) {
    g_message("HTTP/2: bridged %s %s: %s", method_.c_str(), path_.c_str(), why);
    responder_.reset(NGHTTP2_INTERNAL_ERROR);
    shut();
    return false;
  }

  void answer_ended() {
    if (done_) return;
    if (head_done_ && !answer_chunked_ && !length_) {
      finish();  // an answer delimited by the close
      return;
    }
    fail(head_done_ ? "answer cut short" : "no answer");
  }

  void shut() {
    // Body bytes taken but never written still count against the peer's windows.
    if (unconsumed_ > 0) {
      responder_.consume(unconsumed_);
      unconsumed_ = 0;
    }
    out_.clear();
    for (GSource** src : {&read_source_, &write_source_}) {
      if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = nullptr;
      }
    }
    if (socket_) {
      g_socket_close(socket_, nullptr);
      g_object_unref(socket_);
      socket_ = nullptr;
    }
  }

  Responder responder_;
  std::string method_, path_, authority_;
  Headers headers_;
  bool has_length_ = false;
  // All below: main context only.
  GSocket* socket_ = nullptr;  // owned: our end of the socketpair
  GSource* read_source_ = nullptr;
  GSource* write_source_ = nullptr;
  std::string out_;  // request bytes not yet written
  size_t unconsumed_ = 0;
  bool head_sent_ = false, chunked_ = false;
  std::string in_;  // answer bytes not yet parsed
  bool head_done_ = false, answer_chunked_ = false, skip_crlf_ = false, done_ = false;
  int status_ = 0;
  Headers answer_headers_;
  std::optional<uint64_t> length_;
  uint64_t sent_ = 0;
  size_t chunk_left_ = 0;
};

}  // namespace

std::unique_ptr<StreamHandler> bridge_to_soup(SoupServer* server, GSocketAddress* peer, const Headers& request,
                                              const Responder& responder) {
  auto bridge = std::make_unique<SoupBridge>(request, responder);
  if (!bridge->start(server, peer)) responder.respond(503, {{"content-type", "text/plain"}}, "cannot serve now\n");
  return bridge;
}

}  // namespace lp::h2
