// One NotifySegment from a go-livepeer orchestrator, end to end on the calling thread, as a
// go-livepeer transcoder does it (server/ot_rpc.go): check the segment's capabilities, GET
// the source, transcode every profile, then POST /transcodeResults to the orchestrator over
// HTTP/2 (multipart/mixed, one part per profile in order, or livepeer/transcoding-error).
#pragma once

#include <gio/gio.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "error.h"
#include "lp_rpc.pb.h"

namespace lp::livepeer {

struct SegmentJobEnvironment {
  std::string orch_host;  // where results go: https://orch_host:orch_port/transcodeResults
  uint16_t orch_port = 0;
  std::string cert_pin;    // the orchestrator certificate's SHA-256; "" = any (go-livepeer's way)
  std::string secret;      // sent as Credentials
  net::Capabilities ours;  // what this transcoder announced
  int cuda_device = -1;    // the GPU that decodes and scales; -1 = the CPU
  std::chrono::milliseconds fetch_timeout{10000};
  size_t max_source_bytes = size_t{64} << 20;
  std::chrono::milliseconds upload_timeout{30000};
};

struct SegmentJobReport {
  bool transcoded = false;                     // renditions were made (and posted, see posted_status)
  std::string error;                           // why not, as sent in livepeer/transcoding-error
  ErrorCode error_code = ErrorCode::Internal;  // its kind (a GPU fault or the segment's)
  int posted_status = 0;                       // the orchestrator's answer to the POST; 0 = none
  std::string post_error;                      // why the POST itself failed
  int64_t decoded_pixels = 0;
  size_t renditions = 0;
};

// `cancelled` stops the transcode within ~100 ms and `cancellable` the fetch and POST; a
// cancelled job posts nothing.
SegmentJobReport run_segment_job(const net::NotifySegment& notify, const SegmentJobEnvironment& env,
                                 GCancellable* cancellable, const std::atomic<bool>* cancelled);

// POSTs `message` as the task's livepeer/transcoding-error: the orchestrator's HTTP status.
Result<int> post_transcoding_error(const SegmentJobEnvironment& env, int64_t task_id, const std::string& message,
                                   GCancellable* cancellable);

// The multipart/mixed body go-livepeer's transcoder sends (Go's mime/multipart layout).
struct ResultPart {
  std::string content_type;
  int64_t pixels = 0;
  const void* data = nullptr;
  size_t size = 0;
};
std::string multipart_body(const std::string& boundary, const std::vector<ResultPart>& parts);

}  // namespace lp::livepeer
