// A go-livepeer transcoder stand-in for orchestrator tests, written from go-livepeer's
// server/ot_rpc.go (runTranscoder, transcodeAndSend, sendTranscodeResult) and net/lp_rpc.proto:
// RegisterTranscoder over gRPC on the orchestrator's TLS port (HTTP/2, any certificate), the
// NotifySegments that come down the stream handed to the test, the source fetched with a
// plain GET, and results posted to /transcodeResults with go-livepeer's headers and
// multipart layout, or with whatever a test wants to get wrong.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http2/grpc_messages.h"
#include "lp_rpc.pb.h"

namespace lp::test {

struct PeerAnswer {
  int status = 0;  // 0: no answer
  std::string body;
};

// One rendition part of a result: its bytes and the Pixels it states.
struct ResultPart {
  std::string bytes;
  int64_t pixels = 0;
  std::string content_type = "video/mp2t";
};

class LivepeerTranscoderPeer {
 public:
  // Dials host:port and calls RegisterTranscoder on its own thread, which keeps the stream
  // read until the peer is destroyed (cancelled and joined then). `capabilities` null: sent
  // without any, as go-livepeer's older transcoders do.
  static std::unique_ptr<LivepeerTranscoderPeer> start(const std::string& host, uint16_t port,
                                                       const std::string& secret, int64_t capacity,
                                                       const net::Capabilities* capabilities);
  ~LivepeerTranscoderPeer();
  LivepeerTranscoderPeer(const LivepeerTranscoderPeer&) = delete;
  LivepeerTranscoderPeer& operator=(const LivepeerTranscoderPeer&) = delete;

  // The call's status once it ended (a refusal: "invalid secret", ...); nullopt while open
  // after `wait`.
  std::optional<grpc::Status> ended(std::chrono::milliseconds wait);
  // The next NotifySegment, or nullopt after `timeout`.
  std::optional<net::NotifySegment> next(std::chrono::milliseconds timeout);

  // GET `url` (a source URL) over a new HTTP/2 connection.
  PeerAnswer fetch(const std::string& url) const;
  // POST /transcodeResults with go-livepeer's headers for `task` and these parts (multipart/
  // mixed, one part per rendition with Content-Type, Content-Length and Pixels).
  PeerAnswer send_results(int64_t task, const std::vector<ResultPart>& parts, int64_t decoded_pixels = 0) const;
  // POST /transcodeResults as livepeer/transcoding-error with `text`.
  PeerAnswer send_error(int64_t task, const std::string& text) const;
  // Any request to /transcodeResults: these headers (Authorization, Credentials, TaskId,
  // Pixels, Content-Type as given; none added) and body.
  PeerAnswer post_raw(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) const;

  // go-livepeer's multipart body for `parts` with `boundary`.
  static std::string multipart(const std::vector<ResultPart>& parts, const std::string& boundary);
  const std::string& secret() const { return secret_; }

 private:
  LivepeerTranscoderPeer() = default;
  void run(std::string request);

  std::string host_;
  uint16_t port_ = 0;
  std::string secret_;
  std::thread thread_;
  mutable std::mutex lock_;  // protects everything below
  std::condition_variable changed_;
  std::deque<net::NotifySegment> notifies_;
  std::optional<grpc::Status> status_;
  bool stop_ = false;
};

}  // namespace lp::test
