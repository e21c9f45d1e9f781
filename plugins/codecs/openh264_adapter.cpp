// openh264enc: Cisco's H.264 encoder, the fallback where x264 is not installed.
#include <algorithm>

#include "builtin_adapters.h"

namespace lp {
namespace {

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  // openh264 has three effort levels; spread x264's nine presets over them.
  int preset = s->speed_preset;
  const char* complexity = preset <= 2 ? "low" : preset <= 5 ? "medium" : "high";
  gst_util_set_object_arg(G_OBJECT(encoder), "complexity", complexity);
  g_object_set(encoder, "gop-size", static_cast<guint>(s->keyframe_interval),
               // Skipped frames would break the constant frame count a rendition promises,
               // and scene-change IDRs the exact GOP.
               "enable-frame-skip", FALSE, "scene-change-detection", FALSE, "multi-thread", 0u, nullptr);
  if (s->quality > 0) {
    // No CRF in openh264: constant-quality mode with the QP ceiling at the CRF value.
    gst_util_set_object_arg(G_OBJECT(encoder), "rate-control", "quality");
    g_object_set(encoder, "qp-max", static_cast<guint>(std::clamp(s->quality, 1, 51)), nullptr);
  } else {
    gst_util_set_object_arg(G_OBJECT(encoder), "rate-control", "bitrate");
    g_object_set(encoder, "bitrate", static_cast<guint>(s->bitrate), "max-bitrate", static_cast<guint>(s->bitrate),
                 nullptr);
  }
  return TRUE;
}

}  // namespace

const LpCodecAdapter& openh264_adapter() {
  static const LpCodecAdapter adapter = system_memory_adapter(
      "openh264", LP_VIDEO_CODEC_H264, "openh264enc", 50, kH264ByteStream, "h264parse", configure, h264_settings_caps);
  return adapter;
}

}  // namespace lp
