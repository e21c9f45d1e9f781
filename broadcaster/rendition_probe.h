// Decodes a rendition and counts what is really in it: the client's check of the frame and
// pixel counts an orchestrator claims (and bills by).
#pragma once

#include <glib.h>

#include <cstdint>

#include "error.h"

namespace lp {

struct RenditionCount {
  int64_t frames = 0;
  int64_t pixels = 0;  // sum of width x height over decoded frames
  int width = 0;       // of the last frame
  int height = 0;
};

// Needs gst_init. BadSegment when the bytes do not decode.
Result<RenditionCount> count_rendition(GBytes* rendition);

}  // namespace lp
