// lprendition's MPEG-TS clock: what it adds to mpegtsmux's output (ts_restamp.h) and the
// sub-tick nudges on the muxer's input that make each output timestamp the source's own.
//
// mpegtsmux writes trunc(running time × 90 kHz) + 3600 s. Frames reach it a nanosecond or
// so short of their tick (tsdemux and videorate truncate too), so most would come out one
// tick early. align() moves each PTS and DTS by under a tick, to the time that truncates to
// the rounded tick: the output is then round((stream time + timestamp-offset) × 90 kHz).
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <mutex>
#include <optional>

namespace lp {

class TsClock {
 public:
  void reset();

  // A buffer entering the muxer on `pad` (its streaming thread). The first video buffer
  // fixes the clock from `video_pad`'s segment and `offset` (lprendition's timestamp-offset,
  // set by then: lpladder sets it before decoding); buffers before it pass unchanged.
  // Returns the buffer, made writable if it changed.
  GstBuffer* align(GstPad* pad, GstBuffer* buffer, GstPad* video_pad, int64_t offset);

  // 90 kHz ticks to add to every PTS, DTS and PCR the muxer writes (fixes the clock if no
  // video buffer did).
  int64_t shift(GstPad* video_pad, int64_t offset);

 private:
  // Stream time + offset − running time on `video_pad`, fixed on the first call.
  int64_t to_source(GstPad* video_pad, int64_t offset);

  std::mutex lock_;
  std::optional<int64_t> to_source_;
};

}  // namespace lp
