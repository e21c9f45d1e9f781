// Runs one job of a remote transcoder on its own thread: check the pipeline against the
// allowlist, GET the source from the job's URL (here rather than inside the pipeline, so a
// cancel or the deadline interrupts a stalled fetch), run the pipeline on those bytes, PUT
// each rendition to the job's upload URL, and report the job_result or job_failure message.
#pragma once

#include <gio/gio.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "owned_threads.h"
#include "transcode.h"
#include "wire/transcoder_channel.h"

namespace lp {

class JobWorker {
 public:
  // `report` runs on `context` with the message to send (job_result or job_failure), once,
  // unless the job was cancelled first.
  using Report = std::function<void(const std::string& message)>;

  // Runs on the job's own thread when its pipeline and uploads are over, cancelled or not,
  // with its error (success when it succeeded or was cancelled): frees what the job held (its GPU).
  using Ended = std::function<void(const Result<void>& failure)>;

  // The job runs on a thread of `threads`, whose owner joins it (after cancelling the job).
  // `cuda_device`: the GPU the job's ladder decodes and scales on, -1 = the CPU.
  // `cert_pin`: the orchestrator certificate's SHA-256 the job URLs must present ("" = any).
  static std::shared_ptr<JobWorker> start(wire::Job job, OwnedThreads& threads, GMainContext* context, Report report,
                                          int cuda_device = -1, Ended ended = nullptr, std::string cert_pin = "");

  // Stops the job (its pipeline within ~100 ms); no report follows.
  void cancel();
  const std::string& id() const { return job_.job_id; }

  JobWorker(wire::Job job, int cuda_device, std::string cert_pin = "");
  ~JobWorker();
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

 private:
  void run(GMainContext* context, Report report, Ended ended);
  // The job_result message, or an error for job_failure.
  Result<std::string> execute();

  wire::Job job_;
  std::string cert_pin_;
  int cuda_device_;
  std::atomic<bool> cancelled_{false};
  GCancellable* cancellable_;  // owned; cancels the fetch and uploads
};

}  // namespace lp
