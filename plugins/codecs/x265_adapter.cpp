// x265enc: the CPU HEVC encoder. Most of x265's knobs are only reachable through its
// option-string, which x265enc applies after its own properties.
#include <algorithm>
#include <string>

#include "builtin_adapters.h"

namespace lp {
namespace {

constexpr int kMaxKbps = 102400;  // x265enc's bitrate property range

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", lp_speed_preset_name(s->speed_preset));
  const std::string gop = std::to_string(s->keyframe_interval);
  // Keyframes exactly every GOP, and IDR ones: no scene-cut keyframes, closed GOPs (x265
  // defaults to open GOPs, whose CRA frames do not start a decodable segment).
  std::string options = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:open-gop=0";
  const int kbps = std::clamp(s->bitrate / 1000, 1, kMaxKbps);
  const std::string vbv = ":vbv-maxrate=" + std::to_string(kbps) + ":vbv-bufsize=" + std::to_string(kbps);
  if (s->quality > 0) {
    // CRF, capped through the VBV (1 s buffer) when a bitrate is given, as with x264.
    options += ":crf=" + std::to_string(std::clamp(s->quality, 0, 51));
    if (s->bitrate > 0) options += vbv;
  } else {
    // ABR with the VBV maximum at the bitrate and a 1 s buffer, as with x264.
    g_object_set(encoder, "bitrate", static_cast<guint>(kbps), nullptr);
    options += vbv;
  }
  g_object_set(encoder, "key-int-max", s->keyframe_interval, "option-string", options.c_str(), nullptr);
  return TRUE;
}

}  // namespace

const LpCodecAdapter& x265_adapter() {
  static const LpCodecAdapter adapter =
      system_memory_adapter("x265", LP_VIDEO_CODEC_HEVC, "x265enc", 100,
                            "video/x-h265,stream-format=byte-stream,alignment=au", "h265parse", configure);
  return adapter;
}

}  // namespace lp
