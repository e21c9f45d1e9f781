// HLS with fragmented MP4 (RFC 8216 3.3): an orchestrator returns each VP9 or AV1 rendition
// segment as a whole fragmented MP4 (ftyp, moov, moof/mdat pairs) whose times start at zero.
// A player wants one init section (EXT-X-MAP: ftyp + moov) and media segments (moof/mdat)
// whose decode times continue from segment to segment. This splits one into the other and
// moves every track's decode times (tfdt) to where the segment starts in the stream.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "error.h"

namespace lp {

struct Fmp4Segment {
  std::vector<uint8_t> init;   // ftyp + moov (mvex without a duration; AV1's av1C filled in)
  std::vector<uint8_t> media;  // the moof/mdat pairs, tfdt moved by the segment's start
  std::string codecs;          // RFC 6381 for CODECS, e.g. "vp09.00.31.08,mp4a.40.2"
  std::string init_key;        // equal for init sections a player can use interchangeably
};

// True when `data` starts with an ftyp box (an MP4), rather than an MPEG-TS sync byte.
bool looks_like_mp4(std::span<const uint8_t> data);

// Splits a fragmented MP4 and moves its fragments to `start` (nanoseconds of stream time).
// A malformed file, or one laid out in a way this does not handle (absolute data offsets, no
// tfdt), is a BadSegment error saying what was wrong.
Result<Fmp4Segment> split_fmp4(std::span<const uint8_t> mp4, GstClockTime start);

}  // namespace lp
