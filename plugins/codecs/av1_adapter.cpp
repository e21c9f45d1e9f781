// av1enc: libaom's AV1 encoder. GStreamer 1.22's av1enc has no cq-level property, so
// quality mode is a fixed quantizer.
#include <algorithm>

#include "builtin_adapters.h"

namespace lp {
namespace {

struct Speed {
  const char* usage;  // usage-profile
  int cpu_used;       // higher is faster
};

// x264's nine presets: aom's realtime usage for the three fastest, then good quality.
constexpr Speed kSpeeds[] = {{"realtime", 10},    {"realtime", 9},     {"realtime", 8},
                             {"good-quality", 6}, {"good-quality", 5}, {"good-quality", 4},
                             {"good-quality", 3}, {"good-quality", 2}, {"good-quality", 1}};

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  const Speed& speed = kSpeeds[std::clamp(static_cast<int>(s->speed_preset), 0, 8)];
  gst_util_set_object_arg(G_OBJECT(encoder), "usage-profile", speed.usage);
  g_object_set(encoder, "cpu-used", speed.cpu_used, "row-mt", TRUE, nullptr);
  const guint kbps = static_cast<guint>(std::max(1, s->bitrate / 1000));
  if (s->quality > 0) {
    const guint q = static_cast<guint>(std::clamp(s->quality, 0, 63));
    if (s->bitrate > 0) {
      // Constrained quality: the bitrate caps it, the CRF is the best quantizer allowed.
      gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cq");
      g_object_set(encoder, "target-bitrate", kbps, "min-quantizer", q, "max-quantizer", 63u, nullptr);
    } else {
      gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "q");
      g_object_set(encoder, "min-quantizer", q, "max-quantizer", q, nullptr);
    }
  } else {
    // CBR with a 1 s buffer: aom's closest to x264's ABR with VBV max = bitrate.
    gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cbr");
    // av1enc's quantizer range defaults to 0..0, which aom's CBR asserts on.
    g_object_set(encoder, "target-bitrate", kbps, "buf-sz", 1000u, "min-quantizer", 0u, "max-quantizer", 63u, nullptr);
  }
  // Keyframes exactly every GOP: aom's automatic placement at the maximum distance (aom adds
  // none at scene cuts in one pass). av1enc 1.22 ignores forced keyframes, so they are asked
  // for too only to keep later versions on the same frames.
  g_object_set(encoder, "keyframe-max-dist", s->keyframe_interval, nullptr);
  return lp_encoder_force_keyframes(encoder, s->keyframe_interval);
}

}  // namespace

const LpCodecAdapter& av1_adapter() {
  static const LpCodecAdapter adapter =
      system_memory_adapter("aom-av1", LP_VIDEO_CODEC_AV1, "av1enc", 100, "video/x-av1",
                            "av1parse",  // to the OBU stream, temporal-unit aligned, that muxers take
                            configure);
  return adapter;
}

}  // namespace lp
