#include "ts_clock.h"

#include "ts_restamp.h"

namespace lp {
namespace {

// Moves `*ts` (on `segment`) by under a tick, to the running time that the muxer truncates
// to round(running time + to_source) − round(to_source) ticks.
void align_time(const GstSegment* segment, int64_t to_source, GstClockTime* ts) {
  if (!GST_CLOCK_TIME_IS_VALID(*ts)) return;
  guint64 abs_running = 0;
  int sign = gst_segment_to_running_time_full(segment, GST_FORMAT_TIME, *ts, &abs_running);
  if (sign == 0) return;
  int64_t running = static_cast<int64_t>(abs_running) * sign;
  int64_t ticks = ns_to_ts_ticks(running + to_source) - ns_to_ts_ticks(to_source);
  int64_t moved = static_cast<int64_t>(*ts) + (mux_time_for_ticks(ticks) - running);
  if (moved >= 0) *ts = static_cast<GstClockTime>(moved);
}

}  // namespace

void TsClock::reset() {
  std::lock_guard guard(lock_);
  to_source_.reset();
}

int64_t TsClock::to_source(GstPad* video_pad, int64_t offset) {
  std::lock_guard guard(lock_);
  if (!to_source_) {
    int64_t stream_minus_running = 0;
    if (GstEvent* event = gst_pad_get_sticky_event(video_pad, GST_EVENT_SEGMENT, 0)) {
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event, &segment);
      stream_minus_running = static_cast<int64_t>(segment->time) - static_cast<int64_t>(segment->base);
      gst_event_unref(event);
    }
    to_source_ = stream_minus_running + offset;
  }
  return *to_source_;
}

int64_t TsClock::shift(GstPad* video_pad, int64_t offset) {
  return ns_to_ts_ticks(to_source(video_pad, offset)) - kMpegtsmuxClockBase;
}

GstBuffer* TsClock::align(GstPad* pad, GstBuffer* buffer, GstPad* video_pad, int64_t offset) {
  std::optional<int64_t> to;
  if (pad == video_pad) {
    to = to_source(video_pad, offset);
  } else {
    std::lock_guard guard(lock_);
    to = to_source_;
  }
  GstEvent* event = to ? gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0) : nullptr;
  if (!event) return buffer;
  const GstSegment* segment = nullptr;
  gst_event_parse_segment(event, &segment);
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  GstClockTime dts = GST_BUFFER_DTS(buffer);
  if (segment->format == GST_FORMAT_TIME && segment->rate == 1.0) {
    align_time(segment, *to, &pts);
    align_time(segment, *to, &dts);
  }
  gst_event_unref(event);
  if (pts == GST_BUFFER_PTS(buffer) && dts == GST_BUFFER_DTS(buffer)) return buffer;
  buffer = gst_buffer_make_writable(buffer);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DTS(buffer) = dts;
  return buffer;
}

}  // namespace lp
