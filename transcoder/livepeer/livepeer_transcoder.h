// An lpgst transcoder working for a go-livepeer orchestrator (lpnode -transcoder -orchAddr
// O:8935 -orchSecret S, protocol livepeer): registers with gRPC
// net.Transcoder/RegisterTranscoder over TLS on the orchestrator's one port, runs every
// NotifySegment that stream brings (LivepeerSegmentJob, one thread each) and posts the
// results back. "invalid secret" and "zero capacity" are fatal, as in go-livepeer; anything
// else reconnects with exponential backoff and jitter, forever.
#pragma once

#include <gio/gio.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "job_placement.h"
#include "livepeer/livepeer_segment_job.h"
#include "lp_rpc.pb.h"

namespace lp::livepeer {

struct LivepeerTranscoderConfig {
  std::string orch_addr;  // host:port or https://host:port
  std::string cert_pin;   // the orchestrator certificate's SHA-256; "" = any
  std::string secret;
  int capacity = 1;
  net::Capabilities capabilities;
  std::shared_ptr<JobPlacement> placement;  // GPU transcoders; null = every segment on the CPU
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{60000};  // go-livepeer's maximum interval
  // No frame from the orchestrator for this long: send a PING; for twice as long: gone.
  std::chrono::milliseconds liveness{15000};
};

// What /status and /metrics show.
struct LivepeerTranscoderState {
  bool registered = false;
  int64_t registrations = 0;  // successful registrations so far (reconnects included)
  int64_t segments_done = 0;
  int64_t segments_failed = 0;  // answered with livepeer/transcoding-error
  int64_t posts_failed = 0;     // results the orchestrator did not take
  size_t running = 0;
  std::string last_error;
};

class LivepeerTranscoder {
 public:
  // `fatal` runs on the default main context, once, when the orchestrator refuses us for good.
  LivepeerTranscoder(LivepeerTranscoderConfig config, std::function<void(const std::string&)> fatal);
  ~LivepeerTranscoder();  // cancels the registration and every job, and joins their threads
  LivepeerTranscoder(const LivepeerTranscoder&) = delete;
  LivepeerTranscoder& operator=(const LivepeerTranscoder&) = delete;

  // Errors: an --orch-addr that names no host and port.
  Result<void> start();
  // Ends the registration (the orchestrator sends no more), lets running segments finish and
  // post, then calls `done` on the default main context (at the latest after `limit`).
  void drain(std::chrono::seconds limit, std::function<void()> done);
  LivepeerTranscoderState state() const;

 private:
  struct Job {
    std::thread thread;
    std::atomic<bool> cancelled{false};
    std::atomic<bool> finished{false};
    GCancellable* cancellable = nullptr;  // owned
  };

  void run();            // the registration thread
  void register_once();  // one connection: register, serve the stream until it ends
  void handle(net::NotifySegment&& notify);
  void start_job(net::NotifySegment&& notify);
  void reap_jobs(bool all);  // joins finished jobs (all: every job, cancelled first)
  void fail_fatally(const std::string& why);
  bool wait_backoff();  // false when stopping

  LivepeerTranscoderConfig config_;
  std::function<void(const std::string&)> fatal_;
  SegmentJobEnvironment env_;  // immutable after start()
  GMainContext* context_;      // where fatal_ and drain's `done` run
  GCancellable* cancellable_;  // owned; cancelled to stop the registration thread
  std::thread registration_;   // owned: joined by the destructor
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::chrono::milliseconds backoff_{0};  // registration thread only

  mutable std::mutex lock_;                       // guards jobs_ and state_
  std::map<int64_t, std::unique_ptr<Job>> jobs_;  // by task id
  LivepeerTranscoderState state_;
};

}  // namespace lp::livepeer
