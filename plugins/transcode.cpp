#include "transcode.h"

#include <gst/gst.h>

#include "lp_register.h"
#include "pipeline_runner.h"

namespace lp {

Result<std::vector<Rendition>> transcode_segment(GBytes* segment, const std::vector<Profile>& profiles,
                                                 const TranscodeOptions& options) {
  media_register();
  if (profiles.empty()) return Error{ErrorCode::InvalidProfile, "no profiles given"};
  if (!segment || g_bytes_get_size(segment) == 0) return Error{ErrorCode::BadSegment, "segment is empty"};

  std::string json = "[";
  for (const auto& p : profiles) json += (json.size() > 1 ? "," : "") + profile_to_json(p);
  json += "]";

  PipelinePtr pipeline(gst_pipeline_new("transcode"));
  GstElement* src = gst_element_factory_make("lpsegmentsrc", "segment");
  GstElement* ladder = gst_element_factory_make("lpladder", "ladder");
  if (!src || !ladder) {
    if (src) gst_object_unref(gst_object_ref_sink(src));
    if (ladder) gst_object_unref(gst_object_ref_sink(ladder));
    return Error{ErrorCode::Internal, "lpgst elements are not registered"};
  }
  g_object_set(src, "bytes", segment, nullptr);
  g_object_set(ladder, "profiles", json.c_str(), "encoder", options.encoder.c_str(), "cuda-device-id",
               options.cuda_device < 0 ? -1 : options.cuda_device, nullptr);
  gst_util_set_object_arg(G_OBJECT(ladder), "speed-preset", options.speed_preset.c_str());
  gst_util_set_object_arg(G_OBJECT(ladder), "container", options.container.c_str());
  gst_bin_add_many(GST_BIN(pipeline.get()), src, ladder, nullptr);
  if (!gst_element_link(src, ladder)) return Error{ErrorCode::Internal, "cannot link source"};

  std::vector<std::string> names;
  for (const auto& p : profiles) names.push_back(p.name);
  RunLimits limits;
  limits.timeout = options.timeout;
  limits.stats = options.stats;
  limits.cancelled = options.cancelled;
  return run_ladder_pipeline(std::move(pipeline), ladder, names, limits);
}

const char* rendition_media_type(const Rendition& rendition) {
  if (rendition.container == "mp4") return "video/mp4";
  if (rendition.container == "webm") return "video/webm";
  return "video/mp2t";
}

}  // namespace lp
