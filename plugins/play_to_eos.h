// Plays a pipeline to its end, bounded in time: the one bus loop that every "run this to EOS"
// in lpgst shares (the transcode pipelines, the GPU self-test and NVDEC check, the client's
// rendition decode, lpctl sample).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>

#include "error.h"

namespace lp {

struct PlayOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // Polled at least every 100 ms: true stops the run with ErrorCode::Timeout ("cancelled").
  const std::atomic<bool>* cancelled = nullptr;
  // Every ELEMENT message (missing-plugin ones included), on the calling thread, in order.
  std::function<void(GstMessage* message)> on_element;
  // What an ERROR message means. Default: "element: message", Unsupported for a missing
  // plugin, Internal otherwise.
  std::function<Error(GstMessage* message)> on_error;
};

// Sets `pipeline` PLAYING and reads its bus until EOS (success), the first error, the timeout
// ("no end of stream within N ms") or the cancel flag. Leaves the state to the caller
// (PipelinePtr stops it).
Result<void> play_to_eos(GstElement* pipeline, const PlayOptions& options);
// The same with only a timeout.
Result<void> play_to_eos(GstElement* pipeline, std::chrono::milliseconds timeout);

// The default ERROR message mapping (see PlayOptions::on_error).
Error error_from_bus(GstMessage* message);

}  // namespace lp
