// A transcoder job as a gst-launch-style description: built by the orchestrator from a
// template and the job's profiles, checked by the transcoder against an element allowlist,
// then run on the media core. The same text reproduces the job by hand:
//   gst-launch-1.0 <description> ladder.src_0 ! filesink location=0.ts ...
#pragma once

#include <glib.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "profile.h"
#include "transcode.h"

namespace lp {

// The default template: the job's source straight into the ladder.
inline constexpr const char* kDefaultPipelineTemplate = "{source} ! {ladder}";

// Checks an operator's --pipeline-template at start-up: it must contain {source} and
// {ladder} once each, parse, and name only allowed elements. The error names the element.
Result<void> check_pipeline_template(std::string_view tmpl);

// Expands a template for one job: {source} becomes `lpsegmentsrc uri=<source_url>` and
// {ladder} becomes `lpladder name=ladder profiles=<quoted JSON> ...options`.
Result<std::string> build_job_pipeline(std::string_view tmpl, std::string_view source_url,
                                       const std::vector<Profile>& profiles, const TranscodeOptions& options);

// The transcoder's check before it runs a job: the description parses, every element is on
// the allowlist, there is exactly one lpsegmentsrc whose uri is `source_url` (and nothing
// else as its source) and one lpladder named "ladder". Errors are BadRequest naming why.
Result<void> check_job_pipeline(std::string_view description, std::string_view source_url);

// The description with the secret token of every job URL replaced by "<token>"
// (/v1/jobs/<job>/<token>/...): job URLs are the only credential for a job's media, so logs
// and /status show them without it.
std::string redact_job_tokens(std::string_view description);

struct RunJobOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // Polled while running; true stops the job with ErrorCode::Timeout ("cancelled").
  const std::atomic<bool>* cancelled = nullptr;
  // When set, the lpsegmentsrc reads these bytes instead of its uri (combined mode: the
  // orchestrator already holds the segment, so there is no network hop).
  GBytes* source_bytes = nullptr;
  // The GPU that decodes and scales (lpladder's cuda-device-id), -1 = as the description says.
  int cuda_device = -1;
  // When set, receives the ladder's decoded-video counts of a job that succeeds (go-livepeer
  // reports the decoded pixels with every result).
  LadderStats* stats = nullptr;
};

// Runs a checked description and collects ladder.src_0 .. src_{n-1}, as transcode_segment does.
Result<std::vector<Rendition>> run_job_pipeline(std::string_view description, size_t n_renditions,
                                                const RunJobOptions& options);

}  // namespace lp
