// The self-test's first step: can this GPU's NVDEC decode H.264 at all? Checked on its own so
// that a GPU which cannot decode is reported as such, not as a failed ladder.
#pragma once

#include <glib.h>

#include <chrono>
#include <optional>

#include "error.h"

namespace lp {

// Decodes `segment` (H.264 in MPEG-TS) with `device`'s NVDEC decoder into a fakesink.
// Success when frames came out; otherwise why not: no decoder registered for that device
// (naming the devices that have one), a decoder error, no frame, or the timeout.
Result<void> check_nv_decode(int device, GBytes* segment, std::chrono::milliseconds timeout);

}  // namespace lp
