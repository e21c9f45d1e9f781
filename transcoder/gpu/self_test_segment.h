// The segment every GPU self-test (and re-test) transcodes: 1 s of 1280x720 30 fps H.264 in
// MPEG-TS, generated in memory with GStreamer, so the test needs no file and no network.
#pragma once

#include <glib.h>

#include "error.h"

namespace lp {

// Made on the first call (videotestsrc ! x264enc ! mpegtsmux ! appsink, about a second on
// one core) and kept for the life of the process: the bytes are borrowed, never freed.
// Thread-safe. Needs gst_init.
Result<GBytes*> self_test_segment();

}  // namespace lp
