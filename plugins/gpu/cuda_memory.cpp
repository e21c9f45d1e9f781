#include "cuda_memory.h"

namespace lp {
namespace {

// GST_CUDA_CONTEXT_TYPE: the context type nvcodec's elements share their CUDA context by.
constexpr const char* kCudaContextType = "gst.cuda.context";

}  // namespace

bool caps_in_cuda_memory(const GstCaps* caps) {
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return false;
  GstCapsFeatures* features = gst_caps_get_features(caps, 0);
  return features && gst_caps_features_contains(features, kCudaMemoryFeature);
}

void set_cuda_memory(GstCaps* caps) {
  for (guint i = 0; i < gst_caps_get_size(caps); ++i)
    gst_caps_set_features(caps, i, gst_caps_features_new(kCudaMemoryFeature, nullptr));
}

std::optional<int> upstream_cuda_device(GstPad* sink_pad) {
  g_autoptr(GstQuery) query = gst_query_new_context(kCudaContextType);
  if (!gst_pad_peer_query(sink_pad, query)) return std::nullopt;
  GstContext* context = nullptr;
  gst_query_parse_context(query, &context);
  if (!context) return std::nullopt;
  // nvcodec stores the device next to the context object ("cuda-device-id", uint).
  guint device = 0;
  if (!gst_structure_get_uint(gst_context_get_structure(context), "cuda-device-id", &device)) return std::nullopt;
  return static_cast<int>(device);
}

}  // namespace lp
