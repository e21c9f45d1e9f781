#include "nv_decoder.h"

#include "cuda_memory.h"

namespace lp {
namespace {

// "nvh264dec (GPU 0), nvh264device1dec (GPU 1)", or "none".
std::string listed(const std::vector<NvFactory>& factories, NvElementKind kind) {
  std::string text;
  for (const NvFactory& f : factories) {
    if (f.kind != kind) continue;
    text += (text.empty() ? "" : ", ") + f.name + " (GPU " + std::to_string(f.device) + ")";
  }
  return text.empty() ? "none" : text;
}

std::string missing_decoder(const std::vector<NvFactory>& factories, NvElementKind kind, int device) {
  std::string text = "GPU " + std::to_string(device) + " has no " + nv_kind_description(kind) + ": looked for " +
                     nv_factory_name(kind, device) + " (the nvcodec element whose cuda-device-id is " +
                     std::to_string(device) + "); nvcodec has " + listed(factories, kind);
  if (factories.empty()) {
    text +=
        " (no NVIDIA driver or GPU, or a GStreamer registry cache written before the "
        "driver was installed)";
  }
  return text;
}

}  // namespace

std::optional<NvElementKind> nv_decoder_kind(const GstCaps* caps) {
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return std::nullopt;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  if (gst_structure_has_name(s, "video/x-h264")) return NvElementKind::H264Decoder;
  if (gst_structure_has_name(s, "video/x-h265")) return NvElementKind::H265Decoder;
  return std::nullopt;
}

Result<NvDecodeChain> make_nv_decode_chain(NvElementKind kind, int device) {
  const auto factories = installed_nv_factories();
  auto name = pick_nv_factory(factories, kind, device);
  if (!name) return Error{ErrorCode::Unsupported, missing_decoder(factories, kind, device)};
  NvDecodeChain chain;
  chain.decoder = gst_element_factory_make(name->c_str(), nullptr);
  chain.filter = gst_element_factory_make("capsfilter", nullptr);
  if (!chain.decoder || !chain.filter) {
    for (GstElement* e : {chain.decoder, chain.filter})
      if (e) gst_object_unref(gst_object_ref_sink(e));
    return Error{ErrorCode::Unsupported, "cannot create " + *name + " for GPU " + std::to_string(device)};
  }
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple("video/x-raw");
  set_cuda_memory(caps);
  g_object_set(chain.filter, "caps", caps, nullptr);
  return chain;
}

}  // namespace lp
