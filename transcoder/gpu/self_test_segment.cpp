#include "self_test_segment.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <chrono>
#include <string>

#include "pipeline_runner.h"
#include "play_to_eos.h"
#include "transcode.h"

namespace lp {

namespace {

// Moving content (the horizontal scroll) so the encoders do real work; one IDR at the start,
// as the transcoder's segments have; no B-frames, which every decoder takes.
constexpr const char* kDescription =
    "videotestsrc is-live=false num-buffers=30 pattern=smpte horizontal-speed=4 "
    "! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 "
    "! x264enc speed-preset=ultrafast key-int-max=30 bframes=0 bitrate=3000 "
    "! h264parse ! mpegtsmux ! appsink name=sink sync=false";

GstFlowReturn append_sample(GstAppSink* sink, gpointer out) {
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample) : nullptr;
  GstMapInfo map;
  if (!buffer || !gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_FLOW_ERROR;
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(map.data), map.size);
  gst_buffer_unmap(buffer, &map);
  return GST_FLOW_OK;
}

Result<BytesPtr> make_segment() {
  std::string bytes;  // outlives the pipeline, whose streaming thread appends to it
  g_autoptr(GError) parse_error = nullptr;
  GstElement* parsed = gst_parse_launch(kDescription, &parse_error);
  PipelinePtr pipeline(parsed ? GST_ELEMENT(gst_object_ref_sink(parsed)) : nullptr);
  if (!pipeline || parse_error) {
    return Error{ErrorCode::Unsupported, std::string("cannot build the test segment's generator: ") +
                                             (parse_error ? parse_error->message : "unknown error")};
  }
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = append_sample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &bytes, nullptr);

  if (auto error = play_to_eos(pipeline.get(), std::chrono::seconds(60)); !error.ok()) {
    return Error{error.error().code, "cannot make the test segment: " + error.error().message};
  }
  pipeline.reset();  // stops the streaming thread before `bytes` is read
  if (bytes.empty()) return Error{ErrorCode::Internal, "the test segment came out empty"};
  return BytesPtr(g_bytes_new(bytes.data(), bytes.size()));
}

}  // namespace

Result<GBytes*> self_test_segment() {
  static const Result<BytesPtr> segment = make_segment();  // C++ makes this once, thread-safely
  if (!segment) return segment.error();
  return segment->get();
}

}  // namespace lp
