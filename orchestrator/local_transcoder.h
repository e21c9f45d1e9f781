// Combined mode (--orchestrator --transcoder): the orchestrator transcodes in-process, one
// thread per job (owned: joined when they end, and at destruction), reading the segment from memory (no network hop).
// It runs the same pipeline description a remote transcoder would get, so templates apply here too.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "owned_threads.h"
#include "transcode.h"
#include "worker.h"

namespace lp {

class LocalTranscoder : public Worker, public std::enable_shared_from_this<LocalTranscoder> {
 public:
  LocalTranscoder(int capacity, wire::Capabilities caps, std::string pipeline_template, TranscodeOptions options);
  ~LocalTranscoder() override;

  std::string start(const JobRequest& job) override;
  void cancel(const std::string& job_id) override;

 private:
  void finished(const std::string& job_id, JobOutcome outcome);

  std::string template_;
  TranscodeOptions options_;
  GMainContext* context_;  // not owned: the global default context, where `done` is called
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> running_;  // job -> cancelled flag (main thread)
  // The jobs' threads; last, so they are joined (after the destructor set every cancel flag)
  // before anything else goes.
  OwnedThreads threads_;
};

}  // namespace lp
