// One live stream of the gateway: bytes in (FLV from RTMP, or MPEG-TS over HTTP), cut into
// keyframe-aligned segments as they come, each sent to the current orchestrator and, when it
// fails, to the next one in the list (which then stays current: a gone orchestrator is not
// retried on every segment). The HLS output has a sliding window and carries the source
// rendition too. Thread-safe: push()/end() from any thread.
#pragma once

#include <glib.h>
#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hls_writer.h"
#include "orchestrator_client.h"
#include "profile.h"
#include "segmenter.h"

namespace lp {

struct LiveStreamConfig {
  std::string name;  // the stream key, file-safe: its HLS lives in <hls_dir>/<name>/
  std::string hls_dir;
  std::vector<std::string> orchestrators;
  std::vector<Profile> profiles;
  ClientOptions client;
  double segment_seconds = 2;
  size_t window = 6;  // segments per live playlist
  std::string demuxer = "flvdemux";
  std::optional<bool> has_audio;  // see LiveInput
  // Input bytes waiting for the segmenter (not yet demuxed). More than this and push()
  // refuses: the segmenter cannot keep up (or is stuck), so the stream is dropped rather
  // than let grow.
  size_t max_buffer_bytes = 16u << 20;
};

struct LiveStreamStats {
  int64_t segments = 0;  // cut so far
  int64_t transcoded = 0;
  int64_t lost = 0;          // no orchestrator could do them
  std::string orchestrator;  // the current one
  bool ended = false;        // input over
  bool finished = false;     // everything written, ENDLIST included
  bool overflowed = false;   // input refused: more than max_buffer_bytes waiting
};

class LiveStream {
 public:
  static std::unique_ptr<LiveStream> start(LiveStreamConfig config);
  ~LiveStream();  // stops at once (ends the input, cancels what is in flight, the orchestrator
                  // call included) and joins: quick, so it may run on the main loop
  LiveStream(const LiveStream&) = delete;
  LiveStream& operator=(const LiveStream&) = delete;

  // `bytes` borrowed. False when the input is refused because more than max_buffer_bytes
  // would be waiting for the segmenter: the stream takes no more input (end() it).
  bool push(GBytes* bytes);
  void end();  // no more input: what is in flight finishes, then ENDLIST
  LiveStreamStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  explicit LiveStream(LiveStreamConfig config);
  void cut();
  void send();
  void transcode_one(const SourceSegment& segment, std::vector<std::unique_ptr<OrchestratorClient>>& clients);
  void publish();

  LiveStreamConfig config_;
  std::string dir_;
  HlsWriter writer_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  GstElement* appsrc_ = nullptr;  // owned ref once the segmenter is up
  std::vector<GBytes*> early_;    // pushed before it was (owned refs)
  size_t early_bytes_ = 0;
  bool input_ended_ = false;
  std::deque<SourceSegment> queue_;
  bool cutting_done_ = false;
  size_t current_ = 0;  // index of the orchestrator in use
  LiveStreamStats stats_;
  std::atomic<bool> cancel_{false};
  GCancellable* cancellable_;  // owned; cancelled with cancel_ (the sender's HTTP calls)
  std::thread cutter_;
  std::thread sender_;
};

}  // namespace lp
