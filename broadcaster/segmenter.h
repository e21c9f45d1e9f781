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
#include <optional>
#include <string>

#include "error.h"

namespace lp {

struct SourceSegment {
  int64_t seq = 0;            // 0, 1, 2, ...
  std::string path;           // the segment file (in the work directory)
  GstClockTime start = 0;     // running time of its first frame
  GstClockTime duration = 0;  // up to the next segment's start (the last: to the end)
};

// A live input the caller feeds: "appsrc ! <demuxer>" (flvdemux for RTMP, tsdemux for MPEG-TS
// over HTTP). The caller pushes the bytes into the appsrc it is handed and ends the stream with
// gst_app_src_end_of_stream().
struct LiveInput {
  std::string demuxer;                            // "flvdemux", "tsdemux"
  std::optional<bool> has_audio;                  // known up front (FLV), or nullopt when the demuxer
                                                  // announces every stream before data (tsdemux)
  std::function<void(GstElement* appsrc)> ready;  // from the segmenter's thread, once playing
  // The appsrc's max-bytes: what one live stream may have waiting. The appsrc neither blocks
  // nor drops; the caller checks its current-level-bytes before pushing.
  size_t max_bytes = 64u << 20;
};

struct SegmenterOptions {
  std::string input;           // a path, or "-" for MPEG-TS on standard input
  std::string work_dir;        // where segment files go (must exist)
  double segment_seconds = 2;  // target; segments end at the first keyframe after it
  const std::atomic<bool>* cancelled = nullptr;
  std::optional<LiveInput> live;  // instead of `input`
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
