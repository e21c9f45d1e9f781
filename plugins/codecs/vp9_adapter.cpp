// vp9enc: libvpx's VP9 encoder.
#include <algorithm>

#include "builtin_adapters.h"

namespace lp {
namespace {

constexpr gint64 kRealtime = 1;      // libvpx deadlines: VPX_DL_REALTIME
constexpr gint64 kGood = 1'000'000;  // VPX_DL_GOOD_QUALITY
constexpr int kMaxThreads = 8;       // more rarely helps at rendition sizes
constexpr int kMaxLag = 25;          // libvpx's own maximum lookahead

struct Speed {
  gint64 deadline;
  int cpu_used;  // higher is faster
};

// x264's nine presets: realtime mode for the three fastest, then good-quality mode.
constexpr Speed kSpeeds[] = {{kRealtime, 8}, {kRealtime, 7}, {kRealtime, 6}, {kGood, 5}, {kGood, 4},
                             {kGood, 3},     {kGood, 2},     {kGood, 1},     {kGood, 0}};

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  const Speed& speed = kSpeeds[std::clamp(static_cast<int>(s->speed_preset), 0, 8)];
  const int threads = std::min(static_cast<int>(g_get_num_processors()), kMaxThreads);
  g_object_set(encoder, "deadline", speed.deadline, "cpu-used", speed.cpu_used, "threads", threads, "row-mt", TRUE,
               nullptr);
  if (s->quality > 0) {
    // Constrained quality: cq-level is the CRF (0-63, as ffmpeg's -crf for libvpx); the
    // bitrate caps it, and without one the cap is out of reach (1 bit per pixel).
    gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cq");
    gint64 cap = static_cast<gint64>(s->width) * s->height * s->fps_n / std::max(1, s->fps_d);
    g_object_set(encoder, "cq-level", std::clamp(s->quality, 0, 63), "target-bitrate",
                 static_cast<gint>(s->bitrate > 0 ? s->bitrate : std::min<gint64>(cap, G_MAXINT)), nullptr);
  } else {
    // CBR with a 1 s buffer: libvpx's closest to x264's ABR with VBV max = bitrate.
    gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cbr");
    g_object_set(encoder, "target-bitrate", s->bitrate, "buffer-size", 1000, nullptr);
  }
  // libvpx adds keyframes at scene cuts; the ladder needs them exactly every GOP, so lpgst
  // forces them, which needs the lookahead shorter than the GOP.
  gst_util_set_object_arg(G_OBJECT(encoder), "keyframe-mode", "disabled");
  g_object_set(encoder, "keyframe-max-dist", s->keyframe_interval, "lag-in-frames",
               std::clamp(s->keyframe_interval - 2, 0, kMaxLag), nullptr);
  return lp_encoder_force_keyframes(encoder, s->keyframe_interval);
}

}  // namespace

const LpCodecAdapter& vp9_adapter() {
  static const LpCodecAdapter adapter =
      system_memory_adapter("vpx-vp9", LP_VIDEO_CODEC_VP9, "vp9enc", 100, "video/x-vp9",
                            "vp9parse",  // fills in profile and chroma format, which mp4mux requires
                            configure);
  return adapter;
}

}  // namespace lp
