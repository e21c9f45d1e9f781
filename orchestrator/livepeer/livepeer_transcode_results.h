// A go-livepeer transcoder's POST /transcodeResults (server/ot_rpc.go TranscodeResults), read
// in go-livepeer's order with its statuses: Authorization "Livepeer-Transcoder-1.0" and the
// Credentials secret (401 "Unauthorized"), the Content-Type (415), TaskId (400 "Invalid
// Task ID"); a livepeer/transcoding-error body is the task's error (200 at once); otherwise
// the Pixels header (400 "Invalid Pixels") and a multipart/mixed body, one part per rendition
// with its own Pixels header (a part that does not read: 500). Then lpgst's checks, which
// go-livepeer makes after answering: as many renditions as profiles (MismatchedSegments),
// each of at least 25 bytes (ZeroSegments).
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livepeer_segment_creds.h"
#include "worker.h"
#include "error.h"

namespace lp::livepeer {

inline constexpr const char* kTranscoderAuthType = "Livepeer-Transcoder-1.0";
inline constexpr const char* kTranscodingErrorType = "livepeer/transcoding-error";
// go-livepeer's smallest rendition it takes as one (core/orchestrator.go).
inline constexpr size_t kMinRenditionBytes = 25;

struct ResultsHead {
  int64_t task_id = 0;
  bool error_body = false;  // livepeer/transcoding-error: the body is the error text
  bool multipart = false;   // multipart/mixed (anything else carries nothing, as go-livepeer)
};

// The header checks, before the body is read. `secret` is the orchestrator's -orchSecret,
// compared in constant time.
std::variant<ResultsHead, Refusal> check_results_head(SoupMessageHeaders* headers, const std::string& secret);

struct UploadedRendition {
  SharedBytes bytes;
  int64_t pixels = 0;      // as the transcoder states it
  std::string media_type;  // the part's Content-Type
};

struct ResultsBody {
  std::vector<UploadedRendition> renditions;
  int64_t decoded_pixels = 0;  // the request's Pixels header
};

// A multipart/mixed body's renditions. Perceptual-hash parts (application/octet-stream
// without Pixels) are skipped; lpgst does not ask for them.
std::variant<ResultsBody, Refusal> read_results_body(SoupMessageHeaders* headers, GBytes* body);

// lpgst's checks of the renditions against the task's profiles (BadRequest says which failed).
Result<void> check_renditions(const ResultsBody& body, size_t expected_renditions);

}  // namespace lp::livepeer
