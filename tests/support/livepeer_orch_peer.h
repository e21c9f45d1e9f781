// Test support: a stand-in for a go-livepeer orchestrator, as lpgst's transcoder sees it when it
// registers with one (go-livepeer server/ot_rpc.go, server/rpc.go; the summary is
// shared/livepeer/WIRE.md section 2a). One TLS port (self-signed certificate, ALPN h2 and
// http/1.1) serves the gRPC RegisterTranscoder stream over HTTP/2, GETs of source segments, and
// POST /transcodeResults parsed as go-livepeer's lphttp.TranscodeResults does, over HTTP/2 or
// HTTP/1.1. Everything the transcoder sends is recorded for the test to check.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lp_rpc.pb.h"

namespace lp::test {

struct PeerRegistration {
  int64_t capacity = 0;
  net::Capabilities capabilities;  // as sent (empty when the request had none)
  bool has_capabilities = false;   // go-livepeer assumes DefaultCapabilities() when false
  std::string remote_address;      // "127.0.0.1:PORT" of the transcoder's connection
};

struct PeerResultPart {
  std::string content_type;  // the part's Content-Type header, as sent
  int64_t pixels = -1;       // the part's Pixels header; -1 when it has none (a pHash part)
  std::string bytes;
  std::map<std::string, std::string> headers;  // names lower-cased, first value of each
};

// One request to /transcodeResults, whatever go-livepeer made of it.
struct PeerResult {
  int64_t task_id = -1;      // the TaskId header; -1 when it does not parse
  int64_t pixels = -1;       // the request's Pixels header; -1 when it does not parse
  std::string content_type;  // the Content-Type header, as sent
  std::string media_type;    // as Go's mime.ParseMediaType gives it (lower-cased, no parameters)
  // livepeer/transcoding-error: the body. multipart/mixed: the read error (500) if one.
  std::string error;
  std::vector<PeerResultPart> parts;           // every multipart part, pHash parts included, in order
  std::map<std::string, std::string> headers;  // names lower-cased, first value of each
  int status_sent = 0;
  std::string response_body;
  std::string http_version;  // "h2" or "http/1.1"
  // go-livepeer would have handed this to the orchestrator core (RemoteTranscoderResult): an
  // error result, or a multipart result (with error when reading it failed). False for refused
  // requests and for other media types (answered 200 "OK" and dropped: the task times out).
  bool delivered = false;
};

class LivepeerOrchPeer {
 public:
  // Listens on 127.0.0.1:port (0 = any free port). nullptr (and a line on stderr) on failure.
  static std::unique_ptr<LivepeerOrchPeer> start(std::string secret, int port = 0);
  ~LivepeerOrchPeer();  // stop()
  LivepeerOrchPeer(const LivepeerOrchPeer&) = delete;
  LivepeerOrchPeer& operator=(const LivepeerOrchPeer&) = delete;

  // Closes the port and every connection and joins every thread; the port can then be reused
  // by a new peer. Records stay readable.
  void stop();

  int port() const;
  std::string address() const;                     // "127.0.0.1:PORT"
  std::string url(const std::string& path) const;  // "https://127.0.0.1:PORT" + path

  // The newest successful registration, once there is one (waits up to `timeout`).
  std::optional<PeerRegistration> wait_registered(std::chrono::milliseconds timeout);
  std::vector<PeerRegistration> registered() const;  // every successful one, oldest first
  int registrations() const;                         // successful registrations so far
  int refused_registrations() const;                 // answered "invalid secret" / "zero capacity"
  int open_registrations() const;                    // registration streams still open
  // Waits until open_registrations() == n; false on timeout.
  bool wait_open_registrations(int n, std::chrono::milliseconds timeout);

  // Sends `message` on the newest open registration stream; false if none is open.
  bool notify(const net::NotifySegment& message);
  // Ends every open registration stream with grpc-status `code` (default UNAVAILABLE) and
  // closes the connections that carried them.
  void drop_transcoders(int code = 14, const std::string& message = "orchestrator going away");
  // go-livepeer (grpc-go's ServeHTTP transport) answers a refused registration with response
  // headers, then trailers. true: one trailers-only HEADERS frame instead, as other gRPC
  // servers do; a client must take both.
  void set_trailers_only_errors(bool on);

  // GET (or HEAD) of `path` answers 200 with `bytes` (Content-Type video/mp2t); others 404.
  void serve(const std::string& path, std::string bytes);
  int gets(const std::string& path) const;  // GETs of `path` answered so far (200 or 404)

  // The newest /transcodeResults request with this TaskId (any status), once there is one.
  std::optional<PeerResult> wait_result(int64_t task_id, std::chrono::milliseconds timeout);
  std::vector<PeerResult> results() const;  // every /transcodeResults request, oldest first
  int unauthorized() const;                 // 401 answers so far

  struct Impl;  // defined in livepeer_orch_peer.cpp

 private:
  explicit LivepeerOrchPeer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- go-livepeer's HTTP semantics, as pure functions (also used by the self-test) ----

struct PeerHttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> headers;  // names lower-cased, first value of each
  std::string body;
  std::string http_version;  // "h2" or "http/1.1"
};

// go-livepeer's lphttp.TranscodeResults on `request`, with `secret` as the orchestrator's
// secret: the record, with status_sent and response_body set.
PeerResult handle_transcode_results(const PeerHttpRequest& request, const std::string& secret);

// Go's mime.ParseMediaType: (lower-cased media type, parameters), or nullopt where Go errs.
std::optional<std::pair<std::string, std::map<std::string, std::string>>> parse_media_type(const std::string& value);

// Go's strconv.ParseInt(s, 10, 64).
std::optional<int64_t> parse_go_int64(const std::string& s);

}  // namespace lp::test
