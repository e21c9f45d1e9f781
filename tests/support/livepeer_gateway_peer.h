// A go-livepeer gateway (broadcaster) stand-in for orchestrator tests, written from go-livepeer's
// server/rpc.go (GetOrchestratorInfo) and server/segment_rpc.go (genSegCreds, SubmitSegment):
// discovery over gRPC, then segments posted to <transcoder>/segment over HTTP/2 with the
// Livepeer-Segment and Livepeer-Payment headers, and the protobuf TranscodeResult read back.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eth_key.h"
#include "http2/h2_connection.h"
#include "lp_rpc.pb.h"

namespace lp::test {

struct GatewayAnswer {
  int status = 0;                              // 0: no answer
  std::string text;                            // the body of a refusal
  std::optional<net::TranscodeResult> result;  // a 200's body
};

class LivepeerGatewayPeer {
 public:
  // Connects to an orchestrator's port (TLS, any certificate, as go-livepeer does).
  static std::unique_ptr<LivepeerGatewayPeer> connect(const std::string& host, uint16_t port);

  // GetOrchestrator, signed by `key` when given (an onchain gateway) or not (offchain).
  std::optional<net::OrchestratorInfo> discover(const eth::PrivateKey* key = nullptr, std::string* error = nullptr);

  // The SegData genSegCreds makes for `body`: manifest id, seq, keccak-256 hash, duration,
  // the session's auth token, and the profiles in fullProfiles3; signed by `key` when given.
  static net::SegData segment_data(const net::OrchestratorInfo& info, const std::string& manifest, int64_t seq,
                                   const std::string& body, const std::vector<net::VideoProfile>& profiles,
                                   const eth::PrivateKey* key = nullptr);

  // EndTranscodingSession with the session's token (broadcaster's StopSession); true on OK.
  bool end_session(const net::AuthToken& token);

  // POST /segment: `segment` base64'd into Livepeer-Segment, `payment` into Livepeer-Payment.
  GatewayAnswer post(const net::SegData& segment, const std::string& body, const net::Payment& payment = {},
                     const std::string& content_type = "video/MP2T",
                     std::chrono::seconds timeout = std::chrono::seconds(60));
  // Raw headers, for refusals a well-behaved gateway never sends.
  GatewayAnswer post_raw(const std::string& segment_header, const std::string& payment_header, const std::string& body,
                         const std::string& content_type = "video/MP2T");
  // Any request on this connection (pseudo-headers first; :scheme and :authority are added).
  GatewayAnswer exchange(const h2::Headers& headers, std::string body, std::chrono::seconds timeout);
  // GET of a rendition URL's path on this connection: status and bytes.
  std::pair<int, std::string> get(const std::string& url);

  static std::string base64(const std::string& bytes);
  // go-livepeer's ffmpeg.P240p30fps16x9 and P144p30fps16x9 as VideoProfiles.
  static net::VideoProfile profile(const std::string& name, int width, int height, int bitrate, int fps = 30);

 private:
  explicit LivepeerGatewayPeer(std::unique_ptr<h2::Connection> c) : conn_(std::move(c)) {}
  std::unique_ptr<h2::Connection> conn_;
};

}  // namespace lp::test
