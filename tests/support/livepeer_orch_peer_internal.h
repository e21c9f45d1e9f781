// Internals of LivepeerOrchPeer shared by its .cpp files: the peer's state (Impl) and one
// accepted connection (H2Conn). Not for tests to include.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <nghttp2/nghttp2.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "http/tls_identity.h"
#include "livepeer_orch_peer.h"

namespace lp::test::orch_peer {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;
struct SessionDel {
  void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
};
struct ContextUnref {
  void operator()(GMainContext* c) const { g_main_context_unref(c); }
};
struct LoopUnref {
  void operator()(GMainLoop* l) const { g_main_loop_unref(l); }
};

// Wakes a connection thread out of poll() when another thread queued something for it.
class EventFd {
 public:
  EventFd() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~EventFd() {
    if (fd_ >= 0) close(fd_);
  }
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;
  int fd() const { return fd_; }
  void signal() const {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
  }
  void drain() const {
    uint64_t v = 0;
    [[maybe_unused]] const ssize_t n = read(fd_, &v, sizeof v);
  }

 private:
  int fd_;
};

struct HttpAnswer {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = "404 page not found\n";
};

class H2Conn;

}  // namespace lp::test::orch_peer

namespace lp::test {

using orch_peer::ContextUnref;
using orch_peer::GPtr;
using orch_peer::H2Conn;
using orch_peer::HttpAnswer;
using orch_peer::LoopUnref;

struct LivepeerOrchPeer::Impl {
  struct OpenStream {
    std::weak_ptr<H2Conn> conn;
    const H2Conn* key;  // identity of conn, for removal once it is gone
    int32_t stream_id;
  };
  struct ConnThread {
    std::thread thread;
    std::shared_ptr<H2Conn> conn;
  };

  explicit Impl(std::string s) : secret(std::move(s)) {}
  bool listen(int port, std::string& error);
  void accept_loop();
  void soup_main();
  void adopt_http1(GPtr<GIOStream> stream, GPtr<GSocketAddress> local, GPtr<GSocketAddress> remote);
  HttpAnswer answer_http(const PeerHttpRequest& request);
  // A RegisterTranscoder request: nullopt when accepted (the stream stays open), else the
  // gRPC status to end it with.
  std::optional<std::pair<int, std::string>> register_transcoder(const std::string& body, const std::string& remote,
                                                                 const std::shared_ptr<H2Conn>& conn,
                                                                 int32_t stream_id);
  void registration_closed(const H2Conn* conn, int32_t stream_id);  // stream_id -1: all of conn's
  void stop();

  const std::string secret;
  std::shared_ptr<lp::TlsIdentity> identity;
  int port = 0;
  GPtr<GSocketListener> listener{g_socket_listener_new()};
  GPtr<GCancellable> cancel{g_cancellable_new()};  // cancelled by stop(): accept, handshakes, writes
  std::thread accept_thread;
  std::unique_ptr<GMainContext, ContextUnref> soup_context{g_main_context_new()};
  std::unique_ptr<GMainLoop, LoopUnref> soup_loop{g_main_loop_new(soup_context.get(), FALSE)};
  std::thread soup_thread;
  GPtr<SoupServer> soup_server;  // made, used and dropped on soup_thread only

  mutable std::mutex mu;
  std::condition_variable cv;                   // notified on every change to what mu guards
  bool stopped = false;                         // guarded by mu
  bool trailers_only = false;                   // guarded by mu
  std::vector<PeerRegistration> registrations;  // guarded by mu
  std::vector<OpenStream> open;                 // guarded by mu; newest last
  int refused = 0;                              // guarded by mu
  int unauthorized = 0;                         // guarded by mu
  std::map<std::string, std::string> served;    // guarded by mu
  std::map<std::string, int> gets;              // guarded by mu
  std::vector<PeerResult> results;              // guarded by mu
  std::vector<ConnThread> conns;                // guarded by mu
};

}  // namespace lp::test

namespace lp::test::orch_peer {

// One accepted connection on its own thread: the TLS handshake, then HTTP/2 here, or the
// stream handed to the SoupServer for http/1.1.
class H2Conn : public std::enable_shared_from_this<H2Conn> {
 public:
  H2Conn(LivepeerOrchPeer::Impl& peer, GPtr<GSocketConnection> socket) : peer_(peer), socket_(std::move(socket)) {}
  void run();
  bool done() const { return done_; }

  // From any thread. push: false once the connection is ending.
  bool push(int32_t stream_id, const std::string& bytes) {
    std::lock_guard lock(mu_);
    if (done_ || close_requested_) return false;
    outbox_[stream_id] += bytes;
    wake_.signal();
    return true;
  }
  void end_stream(int32_t stream_id, int code, const std::string& message) {
    std::lock_guard lock(mu_);
    ends_[stream_id] = {code, message};
    wake_.signal();
  }
  void close_gracefully() {
    std::lock_guard lock(mu_);
    close_requested_ = true;
    wake_.signal();
  }
  void wake() const { wake_.signal(); }

 private:
  struct Stream {
    std::map<std::string, std::string> headers;  // request, pseudo-headers included
    std::string body;                            // request
    bool grpc = false;
    bool dispatched = false;
    bool registration = false;                            // an accepted RegisterTranscoder: the response stays open
    bool response_started = false;                        // response HEADERS submitted
    std::string out;                                      // response bytes not yet handed to nghttp2
    std::optional<std::pair<int, std::string>> grpc_end;  // trailers, once `out` is sent
  };

  void serve_h2();
  bool apply_commands();
  bool flush();
  void on_request_data(int32_t id, bool end_stream);
  void answer_grpc(int32_t id, Stream& stream);
  void answer_http(int32_t id, Stream& stream);
  void start_response(int32_t id, Stream& stream, const std::vector<nghttp2_nv>& nva);

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* user);
  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* user);
  static ssize_t read_response(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                               nghttp2_data_source*, void* user);

  LivepeerOrchPeer::Impl& peer_;
  GPtr<GSocketConnection> socket_;
  GPtr<GIOStream> tls_;
  std::string remote_;
  EventFd wake_;
  std::unique_ptr<nghttp2_session, SessionDel> session_;  // this connection's thread only
  std::map<int32_t, Stream> streams_;                     // this connection's thread only
  std::mutex mu_;
  std::map<int32_t, std::string> outbox_;                // guarded by mu_
  std::map<int32_t, std::pair<int, std::string>> ends_;  // guarded by mu_
  bool close_requested_ = false;                         // guarded by mu_
  std::atomic<bool> done_{false};
};

}  // namespace lp::test::orch_peer
