#include "decoded_video.h"

#include <algorithm>

namespace lp {

void DecodedVideoMonitor::reset() {
  std::lock_guard guard(lock_);
  last_pts_ = GST_CLOCK_TIME_NONE;
  broken_ = false;
  frame_pixels_ = 0;
  counts_ = {};
}

DecodedCounts DecodedVideoMonitor::counts() {
  std::lock_guard guard(lock_);
  return counts_;
}

GstPadProbeReturn DecodedVideoMonitor::on_data(GstElement* owner, GstPadProbeInfo* info) {
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    return buffer ? on_buffer(owner, buffer) : GST_PAD_PROBE_OK;
  }
  if (!(info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)) return GST_PAD_PROBE_OK;
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    int width = 0, height = 0;
    const GstStructure* s = caps && !gst_caps_is_empty(caps) ? gst_caps_get_structure(caps, 0) : nullptr;
    if (s) {
      gst_structure_get_int(s, "width", &width);
      gst_structure_get_int(s, "height", &height);
    }
    std::lock_guard guard(lock_);
    frame_pixels_ = static_cast<guint64>(std::max(width, 0)) * static_cast<guint64>(std::max(height, 0));
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
    const DecodedCounts c = counts();
    GstStructure* s = gst_structure_new(kLadderStatsMessage, "decoded-frames", G_TYPE_UINT64, c.frames,
                                        "decoded-pixels", G_TYPE_UINT64, c.pixels, nullptr);
    gst_element_post_message(owner, gst_message_new_element(GST_OBJECT(owner), s));
  }
  return GST_PAD_PROBE_OK;
}

// Decoders push frames one buffer at a time, never as lists: buffers are all there is to count.
GstPadProbeReturn DecodedVideoMonitor::on_buffer(GstElement* owner, GstBuffer* buffer) {
  const GstClockTime pts = GST_BUFFER_PTS(buffer);
  GstClockTime previous;
  {
    std::lock_guard guard(lock_);
    if (broken_) return GST_PAD_PROBE_DROP;
    previous = last_pts_;
    broken_ = GST_CLOCK_TIME_IS_VALID(pts) && GST_CLOCK_TIME_IS_VALID(previous) &&
              (pts > previous ? pts - previous : previous - pts) > kMaxFrameGap;
    if (!broken_) {
      if (GST_CLOCK_TIME_IS_VALID(pts)) last_pts_ = pts;
      counts_.frames++;
      counts_.pixels += frame_pixels_;
      return GST_PAD_PROBE_OK;
    }
  }
  GST_ELEMENT_ERROR(
      owner, STREAM, DECODE,
      ("corrupt timestamps in the segment: decoded video jumps from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT,
       GST_TIME_ARGS(previous), GST_TIME_ARGS(pts)),
      ("consecutive frames more than %" GST_TIME_FORMAT " apart", GST_TIME_ARGS(kMaxFrameGap)));
  return GST_PAD_PROBE_DROP;
}

}  // namespace lp
