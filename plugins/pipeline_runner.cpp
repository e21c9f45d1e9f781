#include "pipeline_runner.h"

#include <gst/app/gstappsink.h>
#include <gst/base/gstbasesrc.h>
#include <gst/pbutils/missing-plugins.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "decoded_video.h"
#include "owned.h"
#include "play_to_eos.h"

namespace lp {
namespace {

// The bus is read in slices this long so the cancel flag is seen promptly.

struct Collected {
  Owned<GByteArray, g_byte_array_unref> data{g_byte_array_new()};
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

// Whether `src` is one of nvcodec's elements (nvh264dec, nvcudah264enc, cudaconvertscale, ...).
bool from_gpu_element(GstObject* src) {
  if (!GST_IS_ELEMENT(src)) return false;
  GstElementFactory* factory = gst_element_get_factory(GST_ELEMENT(src));
  if (!factory) return false;
  const std::string name = GST_OBJECT_NAME(factory);
  return name.rfind("nv", 0) == 0 || name.rfind("cuda", 0) == 0;
}

// Maps a GStreamer error onto our codes: settings problems are the caller's profiles,
// missing plugins are ours, a GPU element's failure is the GPU's (internal: worth another
// transcoder, and a re-test of that GPU), the rest is the segment's fault.
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
  } else if (err->domain == GST_RESOURCE_ERROR && err->code == GST_RESOURCE_ERROR_NOT_FOUND) {
    code = ErrorCode::NotFound;  // a missing file or URL, not bad media
  } else if (err->domain == GST_RESOURCE_ERROR && err->code != GST_RESOURCE_ERROR_SETTINGS &&
             GST_IS_BASE_SRC(GST_MESSAGE_SRC(msg))) {
    code = ErrorCode::Unreachable;  // the source could not be fetched: worth trying again elsewhere
  } else if (from_gpu_element(GST_MESSAGE_SRC(msg))) {
    code = ErrorCode::Internal;
    text = "GPU element " + text;
  }
  // "missing a plug-in" says nothing of what is missing: the missing-plugin message did.
  if (code == ErrorCode::Unsupported && !missing.empty()) text += " (no " + missing + ")";
  return Error{code, text};
}

// Copies an lprendition-stats message from ladder child rendition_N into out[N].
void take_stats(GstMessage* msg, std::vector<Rendition>& out) {
  const GstStructure* s = gst_message_get_structure(msg);
  if (!s || !gst_structure_has_name(s, "lprendition-stats")) return;
  unsigned index = 0;
  if (sscanf(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "rendition_%u", &index) != 1 || index >= out.size()) return;
  gst_structure_get_int(s, "width", &out[index].width);
  gst_structure_get_int(s, "height", &out[index].height);
  guint64 v = 0;
  if (gst_structure_get_uint64(s, "frames", &v)) out[index].frames = v;
  if (gst_structure_get_uint64(s, "pixels", &v)) out[index].pixels = v;
  if (const char* codec = gst_structure_get_string(s, "codec")) out[index].codec = codec;
  if (const char* container = gst_structure_get_string(s, "container")) out[index].container = container;
}

// Copies the ladder's own lpladder-stats message (not another lpladder's, should a template
// hold one) into `stats`.
void take_ladder_stats(GstMessage* msg, GstElement* ladder, LadderStats& stats) {
  const GstStructure* s = gst_message_get_structure(msg);
  if (!s || GST_MESSAGE_SRC(msg) != GST_OBJECT(ladder) || !gst_structure_has_name(s, kLadderStatsMessage)) return;
  guint64 v = 0;
  if (gst_structure_get_uint64(s, "decoded-frames", &v)) stats.decoded_frames = v;
  if (gst_structure_get_uint64(s, "decoded-pixels", &v)) stats.decoded_pixels = v;
}

// Reads the bus until EOS (play_to_eos): nullopt then, else why the run stopped. The
// renditions' and the ladder's stats come as element messages on the way.
Result<void> wait_for_eos(GstElement* pipeline, GstElement* ladder, const RunLimits& limits,
                          std::vector<Rendition>& out, LadderStats& stats) {
  std::string missing;  // what a missing-plugin message said is needed
  PlayOptions play;
  play.timeout = limits.timeout;
  play.cancelled = limits.cancelled;
  play.on_element = [&](GstMessage* msg) {
    if (gst_is_missing_plugin_message(msg)) {
      missing = missing_plugin_text(msg);
    } else {
      take_stats(msg, out);
      take_ladder_stats(msg, ladder, stats);
    }
  };
  play.on_error = [&missing](GstMessage* msg) { return error_from_message(msg, missing); };
  auto error = play_to_eos(pipeline, play);
  if (!error.ok() && error.error().code == ErrorCode::Timeout && error.error().message != "cancelled")
    error.error().message = "transcode did not finish in time";
  return error;
}

}  // namespace

Result<std::vector<Rendition>> run_ladder_pipeline(PipelinePtr pipeline, GstElement* ladder,
                                                   const std::vector<std::string>& names, const RunLimits& limits) {
  // Declared before `running` so the appsinks' storage outlives the pipeline on every path.
  std::vector<Collected> collected(names.size());
  PipelinePtr running = std::move(pipeline);
  for (size_t i = 0; i < names.size(); ++i) {
    GstElement* sink = gst_element_factory_make("appsink", nullptr);
    if (!sink) return Error{ErrorCode::Internal, "appsink is not installed (gst-plugins-base)"};
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks = {};
    callbacks.new_sample = on_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &collected[i], nullptr);
    gst_bin_add(GST_BIN(running.get()), sink);
    g_autofree char* pad = g_strdup_printf("src_%zu", i);
    if (!gst_element_link_pads(ladder, pad, sink, "sink"))
      return Error{ErrorCode::Internal, std::string("cannot link ladder pad ") + pad};
  }

  std::vector<Rendition> out(names.size());
  for (size_t i = 0; i < names.size(); ++i) out[i].name = names[i];
  LadderStats stats;
  if (auto error = wait_for_eos(running.get(), ladder, limits, out, stats); !error.ok()) return error.error();
  running.reset();  // stops streaming before the buffers are taken
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].frames == 0 || collected[i].data->len == 0)
      return Error{ErrorCode::BadSegment, "rendition " + out[i].name + " is empty"};
    out[i].bytes.reset(g_byte_array_free_to_bytes(collected[i].data.release()));
  }
  if (limits.stats) *limits.stats = stats;
  return out;
}

}  // namespace lp
