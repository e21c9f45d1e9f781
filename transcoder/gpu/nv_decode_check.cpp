#include "nv_decode_check.h"

#include <gst/gst.h>

#include <atomic>
#include <string>

#include "lp_register.h"
#include "nv_elements.h"
#include "pipeline_runner.h"
#include "play_to_eos.h"

namespace lp {

namespace {

Error no_decoder(int device, const std::vector<NvFactory>& factories) {
  std::string there;
  for (const NvDevice& d : nv_devices(factories))
    if (d.h264_decode) there += (there.empty() ? "" : ", ") + std::to_string(d.id);
  const std::string what = "no NVDEC H.264 decoder for GPU " + std::to_string(device);
  if (there.empty()) {
    return Error{ErrorCode::NotFound, what +
                                          ": GStreamer's nvcodec plugin registered none (no driver, or a "
                                          "registry cache written before the driver was installed — see docs/gpu.md)"};
  }
  return Error{ErrorCode::NotFound, what + " (GPUs with one: " + there + ")"};
}

GstPadProbeReturn count_frame(GstPad*, GstPadProbeInfo*, gpointer frames) {
  static_cast<std::atomic<int>*>(frames)->fetch_add(1);
  return GST_PAD_PROBE_OK;
}

}  // namespace

Result<void> check_nv_decode(int device, GBytes* segment, std::chrono::milliseconds timeout) {
  const std::vector<NvFactory> factories = installed_nv_factories();
  const auto decoder = device >= 0 ? pick_nv_factory(factories, NvElementKind::H264Decoder, device) : std::nullopt;
  if (!decoder) return no_decoder(device, factories);

  media_register();            // lpsegmentsrc
  std::atomic<int> frames{0};  // outlives the pipeline, whose streaming thread counts into it
  const std::string description = "lpsegmentsrc name=src ! tsdemux ! h264parse ! " + *decoder + " ! fakesink name=sink";
  g_autoptr(GError) parse_error = nullptr;
  GstElement* parsed = gst_parse_launch(description.c_str(), &parse_error);
  PipelinePtr pipeline(parsed ? GST_ELEMENT(gst_object_ref_sink(parsed)) : nullptr);
  if (!pipeline || parse_error) {
    return Error{ErrorCode::Unsupported, "cannot build the decode check (" + description +
                                             "): " + (parse_error ? parse_error->message : "unknown error")};
  }

  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline.get()), "src");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
  g_object_set(src, "bytes", segment, nullptr);
  g_autoptr(GstPad) sink_pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, &frames, nullptr);

  if (auto error = play_to_eos(pipeline.get(), timeout); !error.ok()) return error;
  if (frames.load() == 0) return Error{ErrorCode::BadSegment, *decoder + " output no frame"};
  return {};
}

}  // namespace lp
