#include "rendition_probe.h"

#include <gst/gst.h>
#include <gst/video/video.h>

#include <memory>
#include <mutex>

#include "pipeline_runner.h"
#include "play_to_eos.h"

namespace lp {
namespace {

struct Counter {
  std::mutex mutex;
  RenditionCount count;
};

GstPadProbeReturn on_frame(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  if (!(GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER)) return GST_PAD_PROBE_OK;
  auto* counter = static_cast<Counter*>(data);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  GstVideoInfo vi;
  if (!caps || !gst_video_info_from_caps(&vi, caps)) return GST_PAD_PROBE_OK;
  std::lock_guard lock(counter->mutex);
  ++counter->count.frames;
  counter->count.pixels += int64_t{GST_VIDEO_INFO_WIDTH(&vi)} * GST_VIDEO_INFO_HEIGHT(&vi);
  counter->count.width = GST_VIDEO_INFO_WIDTH(&vi);
  counter->count.height = GST_VIDEO_INFO_HEIGHT(&vi);
  return GST_PAD_PROBE_OK;
}

// decodebin's video pad goes to a fakesink that counts; anything else is dropped.
void on_pad_added(GstElement*, GstPad* pad, gpointer data) {
  auto* sink = static_cast<GstElement*>(data);
  g_autoptr(GstCaps) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* s = caps && gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : nullptr;
  if (!s || !g_str_has_prefix(gst_structure_get_name(s), "video/")) return;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad(sink, "sink");
  if (!gst_pad_is_linked(sinkpad)) gst_pad_link(pad, sinkpad);
}

}  // namespace

Result<RenditionCount> count_rendition(GBytes* rendition) {
  if (!rendition || g_bytes_get_size(rendition) == 0) return Error{ErrorCode::BadSegment, "rendition is empty"};
  PipelinePtr pipeline(gst_pipeline_new("count"));
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  GstElement* decode = gst_element_factory_make("decodebin", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  if (!src || !decode || !sink) return Error{ErrorCode::Internal, "appsrc, decodebin or fakesink is not installed"};
  gst_bin_add_many(GST_BIN(pipeline.get()), src, decode, sink, nullptr);
  g_object_set(sink, "sync", FALSE, nullptr);
  g_object_set(src, "emit-signals", FALSE, "format", GST_FORMAT_BYTES, nullptr);
  if (!gst_element_link(src, decode)) return Error{ErrorCode::Internal, "cannot link appsrc to decodebin"};
  g_signal_connect(decode, "pad-added", G_CALLBACK(on_pad_added), sink);
  auto counter = std::make_unique<Counter>();
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, counter.get(), nullptr);
  GstFlowReturn flow = GST_FLOW_OK;
  GstBuffer* buffer = gst_buffer_new_wrapped_bytes(rendition);
  g_signal_emit_by_name(src, "push-buffer", buffer, &flow);  // the signal refs it; ours goes
  gst_buffer_unref(buffer);
  g_signal_emit_by_name(src, "end-of-stream", &flow);

  PlayOptions play;
  play.timeout = std::chrono::seconds(60);
  play.on_error = [](GstMessage* msg) {
    g_autoptr(GError) err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    return Error{ErrorCode::BadSegment, std::string("rendition does not decode: ") + err->message};
  };
  Result<void> error = play_to_eos(pipeline.get(), play);
  if (!error.ok() && error.error().code == ErrorCode::Timeout)
    error.error().message = "decoding the rendition took over 60 s";
  pipeline.reset();  // stops the streaming threads before the counter goes
  if (!error.ok()) return error.error();
  if (counter->count.frames == 0) return Error{ErrorCode::BadSegment, "rendition has no video frames"};
  return counter->count;
}

}  // namespace lp
