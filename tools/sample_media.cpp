#include "sample_media.h"

#include <gst/gst.h>

#include <chrono>

#include "play_to_eos.h"

namespace lp {

Result<void> make_sample(const std::string& path, int width, int height, int seconds) {
  g_autofree char* desc = g_strdup_printf(
      "videotestsrc num-buffers=%d pattern=ball motion=sweep background-color=0xff203040 ! "
      "video/x-raw,format=I420,width=%d,height=%d,framerate=30/1 ! "
      "x264enc speed-preset=veryfast bitrate=8000 key-int-max=60 ! h264parse ! queue ! "
      "mpegtsmux name=mux ! filesink location=\"%s\" "
      "audiotestsrc num-buffers=%d samplesperbuffer=1024 wave=sine ! "
      "audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! queue ! mux.",
      seconds * 30, width, height, path.c_str(), seconds * 48000 / 1024);
  g_autoptr(GError) perr = nullptr;
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc, &perr);
  if (!pipeline) return Error{ErrorCode::Internal, perr->message};
  auto done = play_to_eos(pipeline, std::chrono::minutes(10));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return done;
}

}  // namespace lp
