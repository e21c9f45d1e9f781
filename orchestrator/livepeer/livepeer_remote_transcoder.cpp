#include "livepeer_remote_transcoder.h"

#include <algorithm>

#include "livepeer/livepeer_capabilities.h"
#include "livepeer/livepeer_profiles.h"
#include "lp_rpc.pb.h"
#include "main_context.h"

namespace lp::livepeer {

RemoteTranscoder::RemoteTranscoder(std::string id, std::string address, int capacity, std::vector<int> capabilities,
                                   std::string version, grpc::ServerCall call, std::string source_base, JobMedia& media,
                                   std::function<int64_t()> next_task_id)
    : Worker(std::move(id), std::move(address), capacity, wire_capabilities_from(capabilities), false),
      bits_(std::move(capabilities)),
      version_(std::move(version)),
      call_(std::move(call)),
      source_base_(std::move(source_base)),
      media_(media),
      next_task_id_(std::move(next_task_id)) {
  std::sort(bits_.begin(), bits_.end());
}

RemoteTranscoder::~RemoteTranscoder() {
  *alive_ = false;
  for (const auto& [task, info] : tasks_) media_.remove(info.job_id);
  call_.finish(grpc::kUnavailable, "orchestrator stopping");
}

std::optional<std::string> RemoteTranscoder::lacks(const std::vector<int>& required) const {
  std::string missing;
  for (int bit : required)
    if (!std::binary_search(bits_.begin(), bits_.end(), bit))
      missing += (missing.empty() ? "" : ", ") + capability_name(bit);
  if (missing.empty()) return std::nullopt;
  return missing;
}

void RemoteTranscoder::fail_later(const std::string& job_id, Error e) {
  add_timeout_once(std::chrono::milliseconds(0), [this, alive = alive_, job_id, e] {
    if (*alive) report(job_id, e);
  });
}

std::string RemoteTranscoder::start(const JobRequest& job) {
  net::SegData segment;
  if (!job.livepeer_segment.empty()) {
    if (!segment.ParseFromString(job.livepeer_segment)) {
      fail_later(job.job_id, Error{ErrorCode::Internal, "the segment's SegData does not parse"});
      return "";
    }
  } else {
    // A segment from lpgst's v1 API: go-livepeer's SegData for it. The stream id stands in
    // for the session id, which transcoders use to keep a stream's sessions together.
    segment.set_manifestid(job.stream_id);
    segment.set_seq(job.seq);
    segment.set_duration(static_cast<int32_t>(std::clamp<int64_t>(job.duration_ms, 0, 300000)));
    segment.mutable_auth_token()->set_session_id(job.stream_id);
    for (const Profile& p : job.profiles) {
      auto converted = profile_to_net(p);
      if (!converted) {
        fail_later(job.job_id, converted.error());
        return "";
      }
      *segment.add_fullprofiles3() = std::move(*converted);
    }
  }
  const int64_t task_id = next_task_id_();
  const std::string url = source_base_ + media_.add(job.job_id, job.source, 0) + "/source";
  net::NotifySegment notify;
  notify.set_url(url);
  notify.set_taskid(task_id);
  *notify.mutable_segdata() = std::move(segment);
  notify.set_profiles("invalid");  // as go-livepeer: transcoders older than SegData fail at once
  notify.set_orchid("offchain");
  tasks_[task_id] = TaskInfo{job.job_id, job.profiles};
  // Gateway sessions end (70 s idle, EndTranscodingSession) and are told; v1 streams are not.
  if (!job.livepeer_segment.empty()) sessions_.insert(notify.segdata().auth_token().session_id());
  call_.send(notify.SerializeAsString());
  g_message("job %s (stream %s seq %" G_GINT64_FORMAT ") -> go-livepeer transcoder %s as task %" G_GINT64_FORMAT,
            job.job_id.c_str(), job.stream_id.c_str(), job.seq, id().c_str(), task_id);
  return "go-livepeer task " + std::to_string(task_id);
}

void RemoteTranscoder::cancel(const std::string& job_id) {
  // go-livepeer has no cancel message: the transcoder finishes and its result is ignored.
  for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
    if (it->second.job_id != job_id) continue;
    media_.remove(job_id);
    tasks_.erase(it);
    return;
  }
}

const TaskInfo* RemoteTranscoder::task(int64_t task_id) const {
  auto it = tasks_.find(task_id);
  return it == tasks_.end() ? nullptr : &it->second;
}

void RemoteTranscoder::finish_task(int64_t task_id, JobOutcome outcome) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  const std::string job_id = it->second.job_id;
  tasks_.erase(it);
  media_.remove(job_id);
  report(job_id, std::move(outcome));
}

void RemoteTranscoder::end_session(const std::string& session_id) {
  if (sessions_.erase(session_id) == 0) return;
  net::NotifySegment teardown;  // no url: the session is over
  teardown.mutable_segdata()->mutable_auth_token()->set_session_id(session_id);
  call_.send(teardown.SerializeAsString());
}

void RemoteTranscoder::close(int code, const std::string& why) { call_.finish(code, why); }

}  // namespace lp::livepeer
