#include "openh264_adapter.h"

#include <algorithm>

#include "x264_adapter.h"

namespace lp {

void OpenH264Adapter::configure(GstElement* encoder, const EncodeSettings& s) const {
  // openh264 has three effort levels; spread x264's nine presets over them.
  int preset = speed_preset_index(s.speed_preset);
  const char* complexity = preset <= 2 ? "low" : preset <= 5 ? "medium" : "high";
  gst_util_set_object_arg(G_OBJECT(encoder), "complexity", complexity);
  g_object_set(encoder, "gop-size", static_cast<guint>(gop_frames(s)),
               // Skipped frames would break the constant frame count a rendition promises.
               "enable-frame-skip", FALSE, "multi-thread", 0u, nullptr);
  if (s.quality > 0) {
    // No CRF in openh264: constant-quality mode with the QP ceiling at the CRF value.
    gst_util_set_object_arg(G_OBJECT(encoder), "rate-control", "quality");
    g_object_set(encoder, "qp-max", static_cast<guint>(std::clamp(s.quality, 1, 51)), nullptr);
  } else {
    gst_util_set_object_arg(G_OBJECT(encoder), "rate-control", "bitrate");
    g_object_set(encoder, "bitrate", static_cast<guint>(s.bitrate), "max-bitrate",
                 static_cast<guint>(s.bitrate), nullptr);
  }
}

GstCaps* OpenH264Adapter::output_caps(const EncodeSettings& s) const {
  return h264_byte_stream_caps(s);
}

}  // namespace lp
