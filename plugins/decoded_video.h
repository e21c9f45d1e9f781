// What lpladder watches on its decoded video on the way to the renditions (the video tee's
// sink pad): the timeline, and the frames and pixels decoded, which go-livepeer's transcoder
// reports with every result (its "decoded pixels").
#pragma once

#include <gst/gst.h>

#include <mutex>

namespace lp {

// Decoded frames further apart than this are a broken timeline (a corrupt PTS or PCR), not a
// pause: renditions fill gaps at their frame rate, so an 18-hour jump would have them encode
// two million frames before the deadline stops them.
inline constexpr GstClockTime kMaxFrameGap = 10 * GST_SECOND;

// The element message lpladder posts when its decoded video ends, with the fields
// "decoded-frames" and "decoded-pixels" (guint64).
inline constexpr const char* kLadderStatsMessage = "lpladder-stats";

struct DecodedCounts {
  guint64 frames = 0;
  guint64 pixels = 0;  // sum of width x height over the frames
};

class DecodedVideoMonitor {
 public:
  // A new run: forgets the timeline and the counts.
  void reset();

  // The body of a pad probe for buffers and downstream events on the decoded video, in its
  // streaming thread. A frame more than kMaxFrameGap from the previous one fails the segment
  // (an error posted on `owner`, the frame dropped, and every later one). CAPS gives the
  // frame size, so no buffer needs a caps query. EOS posts kLadderStatsMessage on `owner`
  // before the EOS goes on to the renditions, so it is on the bus before the pipeline's EOS.
  GstPadProbeReturn on_data(GstElement* owner, GstPadProbeInfo* info);

  DecodedCounts counts();

 private:
  GstPadProbeReturn on_buffer(GstElement* owner, GstBuffer* buffer);

  // Guards everything below: the tee's streaming thread writes; state changes (reset) and
  // property reads (counts) come from other threads.
  std::mutex lock_;
  GstClockTime last_pts_ = GST_CLOCK_TIME_NONE;
  bool broken_ = false;
  guint64 frame_pixels_ = 0;  // width x height of the current caps
  DecodedCounts counts_;
};

}  // namespace lp
