// Runs a pipeline built around an lpladder to EOS and collects its renditions: the part of
// transcode_segment that the transcoder's job pipelines (transcoder/job_pipeline.h) share.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "error.h"
#include "owned.h"
#include "transcode.h"

namespace lp {

// Stops the pipeline before the last unref, so no streaming thread outlives it.
inline void stop_and_unref(GstElement* pipeline) {
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}
using PipelinePtr = Owned<GstElement, stop_and_unref>;

struct RunLimits {
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // Polled at least every 100 ms; true stops the run with ErrorCode::Timeout ("cancelled").
  const std::atomic<bool>* cancelled = nullptr;
  // When set, receives the ladder's lpladder-stats figures once the run has succeeded
  // (left untouched when it fails).
  LadderStats* stats = nullptr;
};

// Links ladder.src_0 .. src_{names.size()-1} to appsinks added to `pipeline`, plays it to
// EOS and returns the renditions in pad order, named by `names`, with the width, height,
// frames and pixels of their lprendition-stats messages. `ladder` is a child of `pipeline`.
// A run whose ladder posted no lpladder-stats (its video never ended) reports zero counts.
// GStreamer errors map onto BadSegment (the media), InvalidProfile (settings), Unsupported
// (a missing plugin, named) and Timeout.
Result<std::vector<Rendition>> run_ladder_pipeline(PipelinePtr pipeline, GstElement* ladder,
                                                   const std::vector<std::string>& names, const RunLimits& limits);

}  // namespace lp
