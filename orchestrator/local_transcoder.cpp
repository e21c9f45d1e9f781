#include "local_transcoder.h"

#include <glib.h>

#include "job_pipeline.h"
#include "main_context.h"
#include "sha256.h"

namespace lp {

LocalTranscoder::LocalTranscoder(int capacity, wire::Capabilities caps, std::string pipeline_template,
                                 TranscodeOptions options)
    : Worker("local", "in-process", capacity, std::move(caps), true),
      template_(std::move(pipeline_template)),
      options_(std::move(options)),
      context_(g_main_context_default()) {}

LocalTranscoder::~LocalTranscoder() {
  for (auto& [id, flag] : running_) *flag = true;  // threads_ joins them next, promptly
}

std::string LocalTranscoder::start(const JobRequest& job) {
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  running_[job.job_id] = cancelled;
  // Never a URL anyone fetches: the source comes from memory.
  auto description = build_job_pipeline(template_, "http://in-process/jobs/" + job.job_id, job.profiles, options_);
  std::weak_ptr<LocalTranscoder> self = weak_from_this();
  if (!description) {
    Error e = description.error();
    invoke_on(context_, [self, id = job.job_id, e] {
      if (auto me = self.lock()) me->finished(id, e);
    });
    return "";
  }
  g_message("job %s (stream %s seq %" G_GINT64_FORMAT ", local): %s", job.job_id.c_str(), job.stream_id.c_str(),
            job.seq, description->c_str());
  threads_.start([self, context = context_, job, cancelled, pipeline = *description] {
    RunJobOptions run;
    run.timeout = job.timeout;
    run.cancelled = cancelled.get();
    run.source_bytes = job.source.get();
    auto renditions = run_job_pipeline(pipeline, job.profiles.size(), run);
    JobOutcome outcome = Error{ErrorCode::Internal, ""};
    if (!renditions) {
      outcome = renditions.error();
    } else {
      std::vector<RenditionOutput> out;
      for (auto& r : *renditions) {
        RenditionOutput o;
        o.name = r.name;
        o.sha256 = sha256_hex(r.bytes.get());
        o.frames = static_cast<int64_t>(r.frames);
        o.pixels = static_cast<int64_t>(r.pixels);
        o.width = r.width;
        o.height = r.height;
        o.media_type = rendition_media_type(r);
        o.bytes = share_bytes(r.bytes.release());
        out.push_back(std::move(o));
      }
      outcome = std::move(out);
    }
    invoke_on(context, [self, id = job.job_id, outcome = std::move(outcome)]() mutable {
      if (auto me = self.lock()) me->finished(id, std::move(outcome));
    });
  });
  return *description;
}

void LocalTranscoder::finished(const std::string& job_id, JobOutcome outcome) {
  auto it = running_.find(job_id);
  if (it == running_.end()) return;  // cancelled: nobody wants it
  running_.erase(it);
  report(job_id, std::move(outcome));
}

void LocalTranscoder::cancel(const std::string& job_id) {
  auto it = running_.find(job_id);
  if (it == running_.end()) return;
  *it->second = true;
  running_.erase(it);
}

}  // namespace lp
