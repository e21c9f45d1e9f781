// Cuts an input (any container GStreamer demuxes, or MPEG-TS on stdin) into keyframe-aligned
// MPEG-TS segments without re-encoding the video: parsebin, then splitmuxsink cutting at the
// first keyframe after each target duration, so a long-GOP source gives longer segments.
// Timestamps run on across segments. Audio that MPEG-TS carries (AAC, MP3, AC-3) is copied;
// other audio is encoded to AAC.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "error.h"

namespace lp {

struct SourceSegment {
  int64_t seq = 0;            // 0, 1, 2, ...
  std::string path;           // the segment file (in the work directory)
  GstClockTime start = 0;     // running time of its first frame
  GstClockTime duration = 0;  // up to the next segment's start (the last: to the end)
};

struct SegmenterOptions {
  std::string input;           // a path, or "-" for MPEG-TS on standard input
  std::string work_dir;        // where segment files go (must exist)
  double segment_seconds = 2;  // target; segments end at the first keyframe after it
  const std::atomic<bool>* cancelled = nullptr;
};

struct SegmenterSummary {
  int64_t segments = 0;
  GstClockTime duration = 0;
  bool has_audio = false;
  std::string video_codec;  // caps name, e.g. "video/x-h264"
};

// Runs to the end of the input, calling `on_segment` (from this thread) as each segment is
// complete. Errors name the problem: not a media file, no video track, a video codec MPEG-TS
// cannot carry, a truncated or corrupt input.
Result<SegmenterSummary> segment_input(const SegmenterOptions& options,
                                       const std::function<void(const SourceSegment&)>& on_segment);

}  // namespace lp
