#include "transcode.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/pbutils/missing-plugins.h>

#include <cstring>

#include "lp_register.h"

namespace lp {
namespace {

struct PipelineDeleter {
  void operator()(GstElement* p) const {
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
  }
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineDeleter>;

struct ByteArrayFree {
  void operator()(GByteArray* a) const { g_byte_array_unref(a); }
};

struct Collected {
  std::unique_ptr<GByteArray, ByteArrayFree> data{g_byte_array_new()};
};

GstFlowReturn on_sample(GstAppSink* sink, gpointer user_data) {
  auto* out = static_cast<Collected*>(user_data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    g_byte_array_append(out->data.get(), map.data, static_cast<guint>(map.size));
    gst_buffer_unmap(buffer, &map);
  }
  return GST_FLOW_OK;
}

// "decoder for video/x-unknown, codec-id=(string)V_FOO" from a missing-plugin message.
std::string missing_plugin_text(GstMessage* msg) {
  const GstStructure* s = gst_message_get_structure(msg);
  const char* type = gst_structure_get_string(s, "type");
  std::string text = std::string(type ? type : "element") + " for ";
  const GValue* detail = gst_structure_get_value(s, "detail");
  if (detail && GST_VALUE_HOLDS_CAPS(detail)) {
    g_autofree char* caps = gst_caps_to_string(gst_value_get_caps(detail));
    text += caps;
  } else if (const char* name = detail ? g_value_get_string(detail) : nullptr) {
    text += name;
  }
  return text;
}

// Maps a GStreamer error onto our codes: settings problems are the caller's profiles,
// missing plugins are ours, the rest is the segment's fault.
Error error_from_message(GstMessage* msg, const std::string& missing) {
  g_autoptr(GError) err = nullptr;
  g_autofree char* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": " + err->message;
  ErrorCode code = ErrorCode::BadSegment;
  if (err->domain == GST_LIBRARY_ERROR && err->code == GST_LIBRARY_ERROR_SETTINGS) {
    code = ErrorCode::InvalidProfile;
  } else if (err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN) {
    code = ErrorCode::Unsupported;
  } else if (err->domain == GST_STREAM_ERROR && err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND) {
    code = ErrorCode::Unsupported;
  }
  // "missing a plug-in" says nothing of what is missing: the missing-plugin message did.
  if (code == ErrorCode::Unsupported && !missing.empty()) text += " (no " + missing + ")";
  return Error{code, text};
}

}  // namespace

Result<std::vector<Rendition>> transcode_segment(GBytes* segment, const std::vector<Profile>& profiles,
                                                 const TranscodeOptions& options) {
  media_register();
  if (profiles.empty()) return Error{ErrorCode::InvalidProfile, "no profiles given"};
  if (!segment || g_bytes_get_size(segment) == 0) return Error{ErrorCode::BadSegment, "segment is empty"};

  std::string json = "[";
  for (const auto& p : profiles) json += (json.size() > 1 ? "," : "") + profile_to_json(p);
  json += "]";

  // Declared before the pipeline so the appsinks' storage outlives it on every return path.
  std::vector<Collected> collected(profiles.size());
  PipelinePtr pipeline(gst_pipeline_new("transcode"));
  GstElement* src = gst_element_factory_make("lpsegmentsrc", "segment");
  GstElement* ladder = gst_element_factory_make("lpladder", "ladder");
  if (!src || !ladder) {
    if (src) gst_object_unref(gst_object_ref_sink(src));
    if (ladder) gst_object_unref(gst_object_ref_sink(ladder));
    return Error{ErrorCode::Internal, "lpgst elements are not registered"};
  }
  g_object_set(src, "bytes", segment, nullptr);
  g_object_set(ladder, "profiles", json.c_str(), "encoder", options.encoder.c_str(), nullptr);
  gst_util_set_object_arg(G_OBJECT(ladder), "speed-preset", options.speed_preset.c_str());
  gst_util_set_object_arg(G_OBJECT(ladder), "container", options.container.c_str());
  gst_bin_add_many(GST_BIN(pipeline.get()), src, ladder, nullptr);
  if (!gst_element_link(src, ladder)) return Error{ErrorCode::Internal, "cannot link source"};

  for (size_t i = 0; i < profiles.size(); ++i) {
    GstElement* sink = gst_element_factory_make("appsink", nullptr);
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks = {};
    callbacks.new_sample = on_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &collected[i], nullptr);
    gst_bin_add(GST_BIN(pipeline.get()), sink);
    g_autofree char* pad = g_strdup_printf("src_%zu", i);
    if (!gst_element_link_pads(ladder, pad, sink, "sink"))
      return Error{ErrorCode::Internal, std::string("cannot link ladder pad ") + pad};
  }

  std::vector<Rendition> out(profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i) out[i].name = profiles[i].name;

  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline.get());
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_autoptr(GstMessage) msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (msg) return error_from_message(msg, "");
    return Error{ErrorCode::Internal, "pipeline did not start"};
  }
  auto deadline = g_get_monotonic_time() + std::chrono::duration_cast<std::chrono::microseconds>(
                                               options.timeout).count();
  auto types = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT);
  std::string missing;  // what a missing-plugin message said is needed
  for (;;) {
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0) return Error{ErrorCode::Timeout, "transcode did not finish in time"};
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(bus, left * GST_USECOND, types);
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) return error_from_message(msg, missing);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) break;
    if (gst_is_missing_plugin_message(msg)) {
      missing = missing_plugin_text(msg);
      continue;
    }
    const GstStructure* s = gst_message_get_structure(msg);
    if (!gst_structure_has_name(s, "lprendition-stats")) continue;
    unsigned index = 0;
    if (sscanf(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "rendition_%u", &index) != 1 ||
        index >= out.size())
      continue;
    gst_structure_get_int(s, "width", &out[index].width);
    gst_structure_get_int(s, "height", &out[index].height);
    guint64 v = 0;
    if (gst_structure_get_uint64(s, "frames", &v)) out[index].frames = v;
    if (gst_structure_get_uint64(s, "pixels", &v)) out[index].pixels = v;
  }
  pipeline.reset();  // stops streaming before the buffers are taken
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].frames == 0 || collected[i].data->len == 0)
      return Error{ErrorCode::BadSegment, "rendition " + out[i].name + " is empty"};
    out[i].bytes.reset(g_byte_array_free_to_bytes(collected[i].data.release()));
  }
  return out;
}

}  // namespace lp
