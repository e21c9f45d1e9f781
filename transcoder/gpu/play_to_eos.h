// Plays a small self-test pipeline to the end, bounded in time: the one bus loop that the
// test segment's generator and the NVDEC check share.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <optional>

#include "error.h"

namespace lp {

// Sets `pipeline` PLAYING and waits for EOS. The first error ("element: message") or a
// Timeout otherwise. Leaves the state to the caller (PipelinePtr stops it).
std::optional<Error> play_to_eos(GstElement* pipeline, std::chrono::milliseconds timeout);

}  // namespace lp
