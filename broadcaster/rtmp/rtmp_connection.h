// One accepted TCP connection of the RTMP server: the handshake (C0/C1/C2 <-> S0/S1/S2),
// then a Session; non-blocking reads and writes through GSocket sources on the default main
// context, and the timeouts that stop stuck or silent peers from holding a slot.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "owned.h"
#include "rtmp_server.h"
#include "rtmp_session.h"

namespace lp::rtmp {

using SocketPtr = Owned<GSocket, g_object_unref>;

// Destroying (not just unreferencing) guarantees the callback never runs again.
inline void destroy_source(GSource* s) {
  g_source_destroy(s);
  g_source_unref(s);
}
using SourcePtr = Owned<GSource, destroy_source>;

class Connection {
 public:
  // Takes an accepted socket. `on_closed` runs once, from close(): the owner deletes the
  // connection later, never from inside that call.
  Connection(SocketPtr socket, std::string peer, SessionHost& host, const RtmpServerOptions& options,
             std::function<void(Connection&)> on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Idempotent: logs `why`, ends a publish in progress (on_end gets `why`), closes the socket.
  void close(const std::string& why);
  bool closed() const { return phase_ == Phase::Closed; }
  // Closes the connection if one of its timeouts has passed; `now_us` is g_get_monotonic_time().
  void check_timeouts(gint64 now_us);
  bool publishes(const std::string& stream_key) const;

 private:
  enum class Phase { C0C1, C2, Session, Draining, Closed };

  static gboolean on_readable(GSocket*, GIOCondition, gpointer self);
  static gboolean on_writable(GSocket*, GIOCondition, gpointer self);
  SourcePtr watch(GIOCondition condition, GSocketSourceFunc callback);
  void read();
  void consume(std::string_view bytes);
  void handshake(std::string_view& bytes);
  void queue(std::string_view bytes);
  void flush();
  void close_after_flush(const std::string& why);
  void shutdown_write();

  SocketPtr socket_;
  std::string peer_;
  SessionHost& host_;
  const RtmpServerOptions& options_;
  std::function<void(Connection&)> on_closed_;
  Phase phase_ = Phase::C0C1;
  std::string handshake_;  // C0+C1, then C2, while incomplete
  std::unique_ptr<Session> session_;
  std::vector<char> read_buffer_;
  std::string out_;  // queued for the peer from out_pos_
  size_t out_pos_ = 0;
  bool shutdown_after_flush_ = false;
  std::string drain_why_;
  gint64 accepted_at_ = 0;
  gint64 last_read_at_ = 0;
  gint64 not_publishing_since_ = 0;
  gint64 drain_deadline_ = 0;
  SourcePtr read_source_;
  SourcePtr write_source_;
};

}  // namespace lp::rtmp
