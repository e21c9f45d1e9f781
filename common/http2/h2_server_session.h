// One HTTP/2 server connection (RFC 9113) over a stream the listener accepted, usually a TLS
// connection whose ALPN chose "h2". go-livepeer's gateways and transcoders talk HTTP/2 to an
// orchestrator's port: gRPC for discovery and registration, plain HTTP/2 for segments and
// results. nghttp2 does the framing; this class moves bytes between it and the stream on the
// GLib main context, without blocking, and hands each request to a StreamHandler.
//
// Threading: everything here runs on the main context (the thread that runs the default
// GMainContext): the read and write sources, the handlers' callbacks, and Responder calls.
#pragma once

#include <gio/gio.h>
#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http2/h2_connection.h"
#include "owned.h"

namespace lp::h2 {

class ServerSession;

// How a handler answers its stream. Cheap to copy; every call after the stream or the
// connection has gone does nothing (alive() says so).
class Responder {
 public:
  Responder() = default;
  Responder(std::weak_ptr<ServerSession> session, int32_t stream) : session_(std::move(session)), stream_(stream) {}
  // The response header block (":status" first); `end` = no body follows.
  void headers(const Headers& headers, bool end = false) const;
  // Body bytes, queued behind earlier ones; sent as flow control allows.
  void data(std::string bytes) const;
  // Ends the body; `trailers` (gRPC's grpc-status) are sent after it when not empty.
  void end(const Headers& trailers = {}) const;
  // A whole answer at once.
  void respond(int status, const Headers& headers, std::string body) const;
  // RST_STREAM with `error_code` (NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, ...).
  void reset(uint32_t error_code) const;
  // Body bytes queued and not yet handed to the connection (for back-pressure).
  size_t queued() const;
  bool alive() const;
  // Called once when everything queued has been written (and on close), for producers that
  // wait for room; replaces the previous one.
  void on_drained(std::function<void()> callback) const;
  // For handlers that pace the request body: `bytes` of it have been dealt with, so the
  // peer may send that much more (WINDOW_UPDATE).
  void consume(size_t bytes) const;

 private:
  std::weak_ptr<ServerSession> session_;
  int32_t stream_ = 0;
};

// One request's life. Created when its headers have arrived.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // A piece of the request body. Returning false refuses the rest: the stream is reset.
  virtual bool on_data(std::string_view bytes) = 0;
  // The request is complete (END_STREAM).
  virtual void on_end() = 0;
  // True: the handler calls Responder::consume() as it gets rid of body bytes, so a peer
  // cannot send more than the stream window ahead of it. False: bytes count as consumed once
  // on_data returns (the handler bounds what it keeps).
  virtual bool paces_body() const { return false; }
  // The stream closed (answered, reset by the peer, or the connection ended). The handler is
  // destroyed right after this.
  virtual void on_close(uint32_t /*error_code*/) {}
};

// Picks the handler for a request from its header block (pseudo-headers included). Never
// returns null: a handler that answers 404 is still a handler.
using Router = std::function<std::unique_ptr<StreamHandler>(const Headers& request, const Responder& responder)>;

struct ServerLimits {
  uint32_t max_concurrent_streams = 100;  // SETTINGS_MAX_CONCURRENT_STREAMS, as go's server
  size_t max_header_bytes = 64 << 10;     // one request's header block
  // The connection is closed when no stream has been open this long (go's IdleTimeout).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  // The client must send its preface and SETTINGS within this.
  std::chrono::milliseconds preface_timeout{std::chrono::seconds(10)};
  // A request that handlers do not pace (gRPC) must be complete within this, and a peer that
  // stops reading what we send is closed after this without progress.
  std::chrono::milliseconds stall_timeout{std::chrono::seconds(30)};
  // While streams are open (a go-livepeer transcoder's registration, a gateway waiting for
  // its answer), a peer silent this long gets a PING, and one silent twice as long is closed:
  // a machine that vanished without closing its connection does not stay registered.
  std::chrono::milliseconds keepalive{std::chrono::seconds(15)};
};

class ServerSession : public std::enable_shared_from_this<ServerSession> {
 public:
  // `stream`: the accepted connection (pollable input and output). `on_closed` runs once on
  // the main context when the connection is over, after which the owner drops its reference.
  static std::shared_ptr<ServerSession> start(GIOStream* stream, std::string peer, Router router, ServerLimits limits,
                                              std::function<void()> on_closed);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Sends GOAWAY and closes once open streams are done (drain), or at once with `now`.
  void shut_down(bool now);
  size_t open_streams() const { return streams_.size(); }
  bool closed() const { return closed_; }
  const std::string& peer() const { return peer_; }

 private:
  friend class Responder;
  struct Stream {
    Headers request;
    size_t header_bytes = 0;
    std::unique_ptr<StreamHandler> handler;
    std::deque<std::string> out;  // body bytes to send
    size_t out_offset = 0;        // into out.front()
    size_t out_bytes = 0;
    size_t unconsumed = 0;   // paced body bytes the handler has not consume()d yet
    bool submitted = false;  // response headers submitted with a data provider
    bool ended = false;      // end() called
    bool deferred = false;   // the data provider returned DEFERRED
    Headers trailers;
    std::function<void()> on_drained;
    gint64 opened_us = g_get_monotonic_time();
    bool request_done = false;  // END_STREAM received
  };

  ServerSession(GIOStream* stream, std::string peer, Router router, ServerLimits limits,
                std::function<void()> on_closed);
  bool init();
  void arm_read();
  void arm_write();
  static gboolean on_readable(GObject*, gpointer self);
  static gboolean on_writable(GObject*, gpointer self);
  void read_some();
  void flush();
  void close(const char* why);
  void check_done();
  void touch_idle();
  void watch();
  void bury(std::unique_ptr<Stream> stream);
  Stream* find(int32_t id);
  void resume(int32_t id, Stream& s);

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame*, void*);
  static int on_header(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t, const uint8_t*, size_t, uint8_t,
                       void*);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame*, void*);
  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int on_stream_close(nghttp2_session*, int32_t, uint32_t, void*);
  static int on_frame_send(nghttp2_session*, const nghttp2_frame*, void*);
  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*, nghttp2_data_source*, void*);

  // All below: main context only.
  GIOStream* stream_;  // owned reference
  std::string peer_;
  Router router_;
  ServerLimits limits_;
  std::function<void()> on_closed_;
  Owned<nghttp2_session, nghttp2_session_del> session_;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;
  // Closed streams whose handlers may still be on the stack (a handler's own Responder call
  // can close its stream): destroyed from an idle callback.
  std::vector<std::unique_ptr<Stream>> closed_streams_;
  guint reaper_ = 0;
  std::string pending_out_;  // bytes nghttp2 produced that the stream has not taken yet
  GSource* read_source_ = nullptr;
  GSource* write_source_ = nullptr;
  guint idle_timer_ = 0;
  guint watchdog_ = 0;                                 // every second while open: stalled requests and writes
  gint64 write_progress_us_ = g_get_monotonic_time();  // last time pending_out_ shrank or was empty
  guint preface_timer_ = 0;
  gint64 last_heard_us_ = g_get_monotonic_time();  // the peer's latest bytes
  bool ping_sent_ = false;                         // since last_heard_us_
  bool closed_ = false;
  bool in_callback_ = false;  // nghttp2 is running: flush after it returns
};

}  // namespace lp::h2
