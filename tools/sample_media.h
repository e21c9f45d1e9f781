// lpctl's generated test media: moving content, H.264 + AAC in MPEG-TS (`lpctl sample`, and
// `lpctl bench` when no --in is given).
#pragma once

#include <string>

#include "error.h"

namespace lp {

// Writes `seconds` of 30 fps width x height video (x264, GOP 2 s) with a sine tone to `path`.
Result<void> make_sample(const std::string& path, int width, int height, int seconds);

}  // namespace lp
