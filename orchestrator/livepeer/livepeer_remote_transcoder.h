// A go-livepeer transcoder registered with this orchestrator (net.Transcoder/RegisterTranscoder),
// as the dispatcher sees it: each job goes down the registration's gRPC stream as a
// NotifySegment naming a task id and the source's URL (per job, with a random token, so it
// cannot be guessed from the session and sequence number as go-livepeer's can); the
// renditions come back on POST /transcodeResults (livepeer_transcoder_server.h), which hands
// them to finish_task(). The stream ending removes the worker and re-dispatches its jobs.
// Main context only.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "http2/grpc_server.h"
#include "job_media.h"
#include "worker.h"

namespace lp::livepeer {

struct TaskInfo {
  std::string job_id;
  std::vector<Profile> profiles;  // the renditions expected, in order
};

class RemoteTranscoder : public Worker {
 public:
  // `source_base` ("https://host:port") prefixes the source URLs; `next_task_id` hands out
  // task ids unique in this orchestrator.
  RemoteTranscoder(std::string id, std::string address, int capacity, std::vector<int> capabilities,
                   std::string version, grpc::ServerCall call, std::string source_base, JobMedia& media,
                   std::function<int64_t()> next_task_id);
  ~RemoteTranscoder() override;

  std::string start(const JobRequest& job) override;
  void cancel(const std::string& job_id) override;
  const char* protocol() const override { return "livepeer"; }
  std::vector<int> livepeer_capabilities() const override { return bits_; }
  std::optional<std::string> lacks(const std::vector<int>& required) const override;

  const std::string& version() const { return version_; }
  // The task's job, or null when the task is not (or no longer) this transcoder's.
  const TaskInfo* task(int64_t task_id) const;
  // The checked outcome of a task: reported to the dispatcher, the task forgotten.
  void finish_task(int64_t task_id, JobOutcome outcome);
  // Tells the transcoder that a gateway session is over (go-livepeer's teardown message), if
  // it was sent any of the session's segments.
  void end_session(const std::string& session_id);
  // Ends the registration (the transcoder reconnects, as go-livepeer's do after an error).
  void close(int code, const std::string& why);

 private:
  void fail_later(const std::string& job_id, Error e);

  std::vector<int> bits_;  // its go-livepeer capabilities, sorted
  std::string version_;
  grpc::ServerCall call_;
  std::string source_base_;
  JobMedia& media_;
  std::function<int64_t()> next_task_id_;
  std::map<int64_t, TaskInfo> tasks_;                           // in flight here, by task id
  std::set<std::string> sessions_;                              // gateway sessions it was sent segments of
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for fail_later's callback
};

}  // namespace lp::livepeer
