// x264enc: the reference CPU H.264 encoder.
#include <algorithm>

#include "builtin_adapters.h"

namespace lp {
namespace {

const char* caps_profile(LpH264Profile profile) {
  switch (profile) {
    case LP_H264_PROFILE_BASELINE: return "constrained-baseline";
    case LP_H264_PROFILE_MAIN: return "main";
    case LP_H264_PROFILE_HIGH:
    case LP_H264_PROFILE_CONSTRAINED_HIGH: return "high";
    case LP_H264_PROFILE_UNSET: return nullptr;
  }
  return nullptr;
}

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", lp_speed_preset_name(s->speed_preset));
  guint kbps = static_cast<guint>(std::max(1, s->bitrate / 1000));
  if (s->quality > 0) {
    // pass=qual is x264's CRF; the bitrate, when given, still caps it through the VBV.
    gst_util_set_object_arg(G_OBJECT(encoder), "pass", "qual");
    g_object_set(encoder, "quantizer", static_cast<guint>(s->quality), nullptr);
    // x264enc caps CRF with its bitrate property (default 2 Mbit/s) through the VBV; with no
    // bitrate given, a zero VBV buffer turns that cap off.
    if (s->bitrate > 0) {
      g_object_set(encoder, "bitrate", kbps, "vbv-buf-capacity", 1000u, nullptr);
    } else {
      g_object_set(encoder, "vbv-buf-capacity", 0u, nullptr);
    }
  } else {
    // pass=cbr is x264's ABR with vbv-maxrate = bitrate, buffer = 1 s of it.
    gst_util_set_object_arg(G_OBJECT(encoder), "pass", "cbr");
    g_object_set(encoder, "bitrate", kbps, "vbv-buf-capacity", 1000u, nullptr);
  }
  // Keyframes exactly every GOP: scene-cut keyframes would break the promised GOP (and x264
  // places them a frame early even on static content).
  g_object_set(encoder, "key-int-max", static_cast<guint>(s->keyframe_interval), "option-string", "scenecut=0",
               nullptr);
  if (s->h264_profile == LP_H264_PROFILE_CONSTRAINED_HIGH) g_object_set(encoder, "bframes", 0u, nullptr);
  return TRUE;
}

}  // namespace

GstCaps* h264_settings_caps(const LpCodecAdapter*, const LpEncodeSettings* s) {
  GstCaps* caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream", "alignment",
                                      G_TYPE_STRING, "au", nullptr);
  if (const char* profile = caps_profile(s->h264_profile))
    gst_caps_set_simple(caps, "profile", G_TYPE_STRING, profile, nullptr);
  return caps;
}

const LpCodecAdapter& x264_adapter() {
  static const LpCodecAdapter adapter = system_memory_adapter(
      "x264", LP_VIDEO_CODEC_H264, "x264enc", 100, kH264ByteStream, "h264parse", configure, h264_settings_caps);
  return adapter;
}

}  // namespace lp
