// Where segments get transcoded: a remote transcoder on its control channel, or the
// orchestrator itself in combined mode. The dispatcher only sees this interface.
#pragma once

#include <glib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "owned.h"
#include "profile.h"
#include "transcode.h"
#include "wire/capabilities.h"

namespace lp {

// Segments are shared between a job, its attempts and the source download handler.
using SharedBytes = std::shared_ptr<GBytes>;
inline SharedBytes share_bytes(GBytes* owned) { return SharedBytes(owned, FreeWith<g_bytes_unref>{}); }

// One segment to transcode, as the dispatcher hands it to a worker.
struct JobRequest {
  std::string job_id;  // unique per attempt: a late answer to an old attempt is ignored
  std::string stream_id;
  int64_t seq = 0;
  std::vector<Profile> profiles;
  SharedBytes source;
  std::chrono::milliseconds timeout{8000};
  // A go-livepeer gateway's segment: its SegData (protobuf), which go-livepeer transcoders
  // are sent; "" for segments from lpgst's v1 API.
  std::string livepeer_segment{};
  int64_t duration_ms{2000};  // the segment's duration (go-livepeer's SegData.duration)
};

struct RenditionOutput {
  std::string name;
  SharedBytes bytes;
  std::string sha256;
  int64_t frames = 0;
  int64_t pixels = 0;
  int width = 0;
  int height = 0;
  std::string media_type = "video/mp2t";  // of `bytes`: video/mp2t, video/mp4 or video/webm
};

// The media type a rendition of `profile` comes in, given the --container option ("auto"
// follows the codec as lprendition does: MPEG-TS for H.264/HEVC, fragmented MP4 for VP9/AV1,
// WebM for VP8).
inline std::string rendition_media_type_for(const Profile& profile, const std::string& container) {
  if (container == "mp4") return "video/mp4";
  if (container == "webm") return "video/webm";
  if (container == "mpegts") return "video/mp2t";
  switch (profile.codec) {
    case VideoCodec::H264:
    case VideoCodec::HEVC: return "video/mp2t";
    case VideoCodec::VP9:
    case VideoCodec::AV1: return "video/mp4";
    case VideoCodec::VP8: return "video/webm";
  }
  return "video/mp2t";
}

inline const char* file_extension_for(const std::string& media_type) {
  return media_type == "video/mp4" ? "mp4" : media_type == "video/webm" ? "webm" : "ts";
}

using JobOutcome = Result<std::vector<RenditionOutput>>;

class Worker {
 public:
  // `done` is how a worker reports a job, always on the main context and at most once per job.
  using Done = std::function<void(const std::string& job_id, JobOutcome outcome)>;

  Worker(std::string id, std::string address, int capacity, wire::Capabilities caps, bool local)
      : id_(std::move(id)), address_(std::move(address)), capacity_(capacity), caps_(std::move(caps)), local_(local) {}
  virtual ~Worker() = default;

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  const std::string& id() const { return id_; }
  const std::string& address() const { return address_; }
  int capacity() const { return capacity_; }
  const wire::Capabilities& capabilities() const { return caps_; }
  // A GPU transcoder's devices as its latest heartbeat described them (sessions, load).
  void set_hardware(std::vector<wire::HardwareDevice> hardware) { caps_.hardware = std::move(hardware); }
  bool local() const { return local_; }
  // The protocol it is reached by, as /status and /metrics name it.
  virtual const char* protocol() const { return local_ ? "local" : "lpgst"; }
  // What it does in go-livepeer's capability bits, when it announced them (go-livepeer
  // transcoders); empty for lpgst's own.
  virtual std::vector<int> livepeer_capabilities() const { return {}; }
  // Why it cannot take a segment that requires these go-livepeer capabilities (the names it
  // lacks), or nullopt. Workers that announce none are matched by capabilities() alone.
  virtual std::optional<std::string> lacks(const std::vector<int>& /*required*/) const { return std::nullopt; }
  // A draining worker finishes its jobs but takes no new ones.
  bool draining() const { return draining_; }
  void set_draining() { draining_ = true; }

  // Starts a job and returns the pipeline description it runs (for logs and /status); the
  // outcome comes through `done` (set by the dispatcher), never from inside start() itself:
  // the dispatcher is mid-update then.
  virtual std::string start(const JobRequest& job) = 0;
  // Stops a job whose outcome is no longer wanted; no `done` call follows.
  virtual void cancel(const std::string& job_id) = 0;

  void set_done(Done done) { done_ = std::move(done); }

 protected:
  void report(const std::string& job_id, JobOutcome outcome) {
    if (done_) done_(job_id, std::move(outcome));
  }

 private:
  std::string id_;
  std::string address_;
  int capacity_;
  wire::Capabilities caps_;
  bool local_;
  bool draining_ = false;
  Done done_;
};

}  // namespace lp
