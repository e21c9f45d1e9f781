// A client of one orchestrator's public API (what lpctl transcode and the gateway use): fetch
// and check the signed /v1/info, POST segments with their metadata headers, take the
// renditions inline (multipart/mixed) and verify the result before returning it.
// Blocking; one instance per thread (it owns a libsoup session).
#pragma once

#include <libsoup/soup.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "error.h"
#include "eth_key.h"
#include "profile.h"
#include "rendition_probe.h"
#include "transcode.h"
#include "wire/info.h"
#include "wire/result.h"

namespace lp {

struct ClientOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // Refuse an orchestrator whose /v1/info is unsigned (and so its results).
  bool require_signature = true;
  // Pin the orchestrator's address: an info signed by anyone else is refused.
  std::optional<eth::Address> expected_signer;
  bool decode_check = true;  // count frames and pixels of every rendition by decoding them
  // Sign each segment's metadata with this key (Lp-Signature / Lp-Signer); not owned.
  const eth::PrivateKey* client_key = nullptr;
  // Cancelling it (from any thread) ends a request in flight at once, as Timeout
  // ("cancelled"); not owned, must outlive the client.
  GCancellable* cancellable = nullptr;
};

struct SegmentToSend {
  std::string stream_id;
  int64_t seq = 0;
  int64_t duration_ms = 2000;
  std::vector<Profile> profiles;
  GBytes* body = nullptr;  // not owned
};

struct TranscodedSegment {
  wire::TranscodeResult result;
  std::vector<BytesPtr> renditions;    // in profile order
  std::vector<RenditionCount> counts;  // what decoding found (empty without decode_check)
};

class OrchestratorClient {
 public:
  // `address`: host:port of the orchestrator's public API.
  explicit OrchestratorClient(std::string address, ClientOptions options = {});
  ~OrchestratorClient();
  OrchestratorClient(const OrchestratorClient&) = delete;
  OrchestratorClient& operator=(const OrchestratorClient&) = delete;

  const std::string& address() const { return address_; }

  // GET /v1/info, its signature checked; remembered (token, signer) for transcode().
  Result<wire::Info> info();

  // POST /v1/segment and verify the answer (fetching /v1/info first, or again when its token
  // is about to expire). Errors keep the orchestrator's code (busy, bad_segment, ...);
  // Unreachable when it does not answer, VerificationFailed when the result does not check out.
  Result<TranscodedSegment> transcode(const SegmentToSend& segment);

 private:
  struct Answer {
    guint status = 0;
    std::string content_type;
    BytesPtr body;
  };
  Result<Answer> send(SoupMessage* msg);
  Error error_of(const Answer& answer, const std::string& what) const;

  std::string address_;
  ClientOptions options_;
  SoupSession* session_;  // owned
  std::optional<wire::Info> info_;
  std::optional<eth::Address> signer_;
};

}  // namespace lp
