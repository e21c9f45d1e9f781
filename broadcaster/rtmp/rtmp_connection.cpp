#include "rtmp_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "owned.h"
#include "rtmp_bytes.h"

namespace lp::rtmp {
namespace {

constexpr uint8_t kRtmpVersion = 3;
constexpr size_t kHandshakeSize = 1536;  // C1, C2, S1, S2
constexpr size_t kReadSize = 32 * 1024;
// After a refusal: how long the peer gets to read it and hang up before we do.
constexpr gint64 kDrainUs = 2 * G_USEC_PER_SEC;
constexpr size_t kCompactAfter = 64 * 1024;

using ErrorPtr = Owned<GError, g_error_free>;

std::string seconds(std::chrono::milliseconds ms) {
  char text[32];
  g_snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

// S0 + S1 + S2 for a C1 (spec 5.2). S1's version field is zero, which tells clients that
// try the Flash digest scheme to fall back to this plain one; S2 echoes C1.
std::string server_handshake(std::string_view c1, uint32_t uptime_ms) {
  std::string out;
  out.reserve(1 + 2 * kHandshakeSize);
  put_u8(out, kRtmpVersion);
  put_be32(out, uptime_ms);
  put_be32(out, 0);
  for (size_t i = 0; i < (kHandshakeSize - 8) / 4; ++i) put_be32(out, g_random_int());
  out.append(c1.substr(0, 4));  // the peer's time
  put_be32(out, uptime_ms);     // when we read it
  out.append(c1.substr(8));     // the peer's random bytes
  return out;
}

}  // namespace

Connection::Connection(SocketPtr socket, std::string peer, SessionHost& host, const RtmpServerOptions& options,
                       std::function<void(Connection&)> on_closed)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      host_(host),
      options_(options),
      on_closed_(std::move(on_closed)),
      read_buffer_(kReadSize) {
  g_socket_set_blocking(socket_.get(), FALSE);
  // Replies are small and the publisher waits for each: do not let Nagle hold them back.
  g_socket_set_option(socket_.get(), IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
  accepted_at_ = last_read_at_ = not_publishing_since_ = g_get_monotonic_time();
  read_source_ = watch(static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR), on_readable);
}

Connection::~Connection() {
  read_source_.reset();
  write_source_.reset();
}

SourcePtr Connection::watch(GIOCondition condition, GSocketSourceFunc callback) {
  GSource* source = g_socket_create_source(socket_.get(), condition, nullptr);
  g_source_set_callback(source, G_SOURCE_FUNC(callback), this, nullptr);
  g_source_attach(source, nullptr);  // the global default context, whichever thread runs it
  return SourcePtr(source);
}

gboolean Connection::on_readable(GSocket*, GIOCondition, gpointer self) {
  static_cast<Connection*>(self)->read();
  return G_SOURCE_CONTINUE;  // close() destroys the source when reading is over
}

gboolean Connection::on_writable(GSocket*, GIOCondition, gpointer self) {
  static_cast<Connection*>(self)->flush();
  return G_SOURCE_CONTINUE;  // flush() destroys the source once the queue is empty
}

void Connection::close(const std::string& why) {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closed;
  g_message("rtmp %s: closed: %s", peer_.c_str(), why.c_str());
  read_source_.reset();
  write_source_.reset();
  g_socket_close(socket_.get(), nullptr);
  if (session_) session_->stop(why);
  on_closed_(*this);
}

bool Connection::publishes(const std::string& stream_key) const {
  return !closed() && session_ && session_->publishing() && session_->stream_key() == stream_key;
}

void Connection::check_timeouts(gint64 now_us) {
  auto past = [&](gint64 since, std::chrono::milliseconds limit) { return now_us - since > limit.count() * 1000; };
  switch (phase_) {
    case Phase::C0C1:
    case Phase::C2:
      if (past(accepted_at_, options_.handshake_timeout)) {
        return close("no handshake within " + seconds(options_.handshake_timeout));
      }
      break;
    case Phase::Session:
      // Connected but not publishing (yet, or any more) holds a slot for nothing.
      if (session_->publishing()) {
        not_publishing_since_ = now_us;
      } else if (past(not_publishing_since_, options_.publish_timeout)) {
        return close("not publishing for " + seconds(options_.publish_timeout));
      }
      break;
    case Phase::Draining:
      if (now_us > drain_deadline_) return close(drain_why_);
      break;
    case Phase::Closed: return;
  }
  if (past(last_read_at_, options_.idle_timeout)) close("nothing received for " + seconds(options_.idle_timeout));
}

void Connection::read() {
  GError* raw_error = nullptr;
  const gssize n = g_socket_receive(socket_.get(), read_buffer_.data(), read_buffer_.size(), nullptr, &raw_error);
  ErrorPtr error(raw_error);
  if (n < 0) {
    if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return;
    return close(std::string("read error: ") + error->message);
  }
  if (n == 0) return close(phase_ == Phase::Draining ? drain_why_ : "closed by the peer");
  last_read_at_ = g_get_monotonic_time();
  if (phase_ == Phase::Draining) return;  // the peer has had our last word; its bytes no longer matter
  consume(std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
}

void Connection::consume(std::string_view bytes) {
  if (phase_ == Phase::C0C1 || phase_ == Phase::C2) handshake(bytes);
  if (phase_ != Phase::Session || bytes.empty()) return;
  auto closing = session_->feed(bytes);
  queue(session_->take_output());    // before closing: a refusal's onStatus must go out
  if (closed() || !closing) return;  // a handler may have disconnected us meanwhile
  session_->stop(closing->why);
  if (closed()) return;
  if (closing->flush_first) return close_after_flush(closing->why);
  close(closing->why);
}

void Connection::handshake(std::string_view& bytes) {
  if (phase_ == Phase::C0C1) {
    if (handshake_.empty() && !bytes.empty() && byte_at(bytes, 0) != kRtmpVersion) {
      // Garbage, HTTP, or RTMPE (version 6): nothing we speak.
      return close("not RTMP: version byte " + std::to_string(byte_at(bytes, 0)) + " (only plain RTMP 3 is served)");
    }
    const size_t take = std::min(1 + kHandshakeSize - handshake_.size(), bytes.size());
    handshake_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (handshake_.size() < 1 + kHandshakeSize) return;
    const auto uptime_ms = static_cast<uint32_t>((g_get_monotonic_time() - accepted_at_) / 1000);
    std::string reply = server_handshake(std::string_view(handshake_).substr(1), uptime_ms);
    handshake_.clear();
    phase_ = Phase::C2;
    queue(reply);  // may close the connection (a write error)
  }
  if (phase_ == Phase::C2 && !closed()) {
    // C2 should echo S1; clients that tried the digest scheme send other bytes, so it is not checked.
    const size_t take = std::min(kHandshakeSize - handshake_.size(), bytes.size());
    handshake_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (handshake_.size() < kHandshakeSize) return;
    handshake_ = std::string();
    phase_ = Phase::Session;
    session_ = std::make_unique<Session>(host_, options_, peer_, 1 + 2 * kHandshakeSize);
  }
}

void Connection::queue(std::string_view bytes) {
  if (closed() || bytes.empty()) return;
  out_.append(bytes);
  flush();
}

void Connection::flush() {
  if (closed()) return;
  while (out_pos_ < out_.size()) {
    GError* raw_error = nullptr;
    const gssize n = g_socket_send(socket_.get(), out_.data() + out_pos_, out_.size() - out_pos_, nullptr, &raw_error);
    ErrorPtr error(raw_error);
    if (n < 0) {
      if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) break;
      return close(std::string("write error: ") + error->message);
    }
    out_pos_ += static_cast<size_t>(n);
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    write_source_.reset();
    if (shutdown_after_flush_) shutdown_write();
    return;
  }
  if (out_.size() - out_pos_ > options_.max_output_bytes) {
    return close("the peer does not read (" + std::to_string(out_.size() - out_pos_) + " bytes queued)");
  }
  if (out_pos_ > kCompactAfter) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  if (!write_source_) write_source_ = watch(G_IO_OUT, on_writable);
}

// Our last words (a refusal) go out, then we half-close and wait for the peer to hang up, so
// that it reads them: closing at once with its bytes unread would reset the connection under them.
void Connection::close_after_flush(const std::string& why) {
  phase_ = Phase::Draining;
  drain_why_ = why;
  drain_deadline_ = g_get_monotonic_time() + kDrainUs;
  if (out_pos_ == out_.size()) {
    shutdown_write();
  } else {
    shutdown_after_flush_ = true;
  }
}

void Connection::shutdown_write() {
  shutdown_after_flush_ = false;
  g_socket_shutdown(socket_.get(), FALSE, TRUE, nullptr);
}

}  // namespace lp::rtmp
