#include "rendition_shape_probe.h"

#include <gst/app/gstappsrc.h>

#include "main_context.h"

namespace lp::livepeer {

std::unique_ptr<RenditionProbe> RenditionProbe::start(SharedBytes bytes, Done done, std::chrono::milliseconds timeout) {
  std::unique_ptr<RenditionProbe> probe(new RenditionProbe());
  probe->done_ = std::move(done);
  GstElement* pipeline = gst_pipeline_new("rendition-probe");
  probe->pipeline_.reset(pipeline);
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  GstElement* parse = gst_element_factory_make("parsebin", nullptr);
  if (!src || !parse) {
    if (src) gst_object_unref(src);
    if (parse) gst_object_unref(parse);
    RenditionProbe* raw = probe.get();
    probe->timer_ = add_timeout_once(std::chrono::milliseconds(0), [raw] {
      raw->timer_ = 0;
      raw->finish(Error{ErrorCode::Unsupported, "GStreamer's appsrc or parsebin is missing"});
    });
    return probe;
  }
  gst_bin_add_many(GST_BIN(pipeline), src, parse, nullptr);
  gst_element_link(src, parse);
  g_object_set(src, "format", GST_FORMAT_BYTES, nullptr);
  g_signal_connect(parse, "pad-added", G_CALLBACK(on_pad_added), probe.get());
  GstBus* bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline));
  probe->bus_watch_ = gst_bus_add_watch(bus, on_message, probe.get());
  gst_object_unref(bus);
  RenditionProbe* raw = probe.get();
  probe->timer_ = add_timeout_once(timeout, [raw] {
    raw->timer_ = 0;
    raw->finish(Error{ErrorCode::Timeout, "the rendition did not parse in time"});
  });
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  // One buffer sharing the rendition's memory, then the end.
  gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_new_wrapped_bytes(bytes.get()));
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  return probe;
}

RenditionProbe::~RenditionProbe() {
  remove_source(timer_);
  if (bus_watch_) g_source_remove(bus_watch_);
  pipeline_.reset();  // joins the streaming threads before the counters go
}

// Streaming thread: every parsed stream ends in a fakesink; video streams are counted.
void RenditionProbe::on_pad_added(GstElement* parsebin, GstPad* pad, gpointer self) {
  GstElement* bin = GST_ELEMENT(gst_element_get_parent(parsebin));
  if (!bin) return;
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  // No preroll: every stream comes from the one demuxer thread, so a sink waiting for its
  // first buffer would hold back the others.
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  gst_bin_add(GST_BIN(bin), sink);
  gst_object_unref(bin);
  GstPad* sink_pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_link(pad, sink_pad);
  gst_object_unref(sink_pad);
  gst_element_sync_state_with_parent(sink);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const bool video = caps && gst_caps_get_size(caps) > 0 &&
                     g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  if (caps) gst_caps_unref(caps);
  if (!video) return;
  auto* me = static_cast<RenditionProbe*>(self);
  if (me->has_video_.exchange(true)) return;  // the first video stream is the rendition
  gst_pad_add_probe(pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    count_frame, self, nullptr);
}

GstPadProbeReturn RenditionProbe::count_frame(GstPad*, GstPadProbeInfo* info, gpointer self) {
  auto* me = static_cast<RenditionProbe*>(self);
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
    me->frames_.fetch_add(1);
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    const GstStructure* s = gst_caps_get_structure(caps, 0);
    int w = 0, h = 0;
    if (gst_structure_get_int(s, "width", &w) && gst_structure_get_int(s, "height", &h)) {
      me->width_ = w;
      me->height_ = h;
    }
  }
  return GST_PAD_PROBE_OK;
}

gboolean RenditionProbe::on_message(GstBus*, GstMessage* message, gpointer self) {
  auto* me = static_cast<RenditionProbe*>(self);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_EOS:
      me->bus_watch_ = 0;
      if (!me->has_video_ || me->width_ <= 0 || me->height_ <= 0) {
        me->finish(Error{ErrorCode::BadSegment, "the rendition holds no video of known size"});
      } else {
        me->finish(RenditionShape{me->width_, me->height_, me->frames_});
      }
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_ERROR: {
      GError* error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      const std::string text = error ? error->message : "unknown error";
      if (error) g_error_free(error);
      me->bus_watch_ = 0;
      me->finish(Error{ErrorCode::BadSegment, "the rendition does not parse: " + text});
      return G_SOURCE_REMOVE;
    }
    default: return G_SOURCE_CONTINUE;
  }
}

void RenditionProbe::finish(Result<RenditionShape> outcome) {
  if (!done_) return;
  remove_source(timer_);
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(outcome));  // may destroy this
}

}  // namespace lp::livepeer
