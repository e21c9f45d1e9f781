#include "x264_adapter.h"

#include <algorithm>

namespace lp {

const char* h264_caps_profile(H264Profile profile) {
  switch (profile) {
    case H264Profile::Baseline: return "constrained-baseline";
    case H264Profile::Main: return "main";
    case H264Profile::High:
    case H264Profile::ConstrainedHigh: return "high";
    case H264Profile::Unset: return nullptr;
  }
  return nullptr;
}

void X264Adapter::configure(GstElement* encoder, const EncodeSettings& s) const {
  gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", s.speed_preset.c_str());
  guint kbps = static_cast<guint>(std::max(1, s.bitrate / 1000));
  if (s.quality > 0) {
    // pass=qual is x264's CRF; the bitrate, when given, still caps it through the VBV.
    gst_util_set_object_arg(G_OBJECT(encoder), "pass", "qual");
    g_object_set(encoder, "quantizer", static_cast<guint>(s.quality), nullptr);
    // x264enc caps CRF with its bitrate property (default 2 Mbit/s) through the VBV; with no
    // bitrate given, a zero VBV buffer turns that cap off.
    if (s.bitrate > 0) {
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
  g_object_set(encoder, "key-int-max", static_cast<guint>(gop_frames(s)), "option-string",
               "scenecut=0", nullptr);
  if (s.h264_profile == H264Profile::ConstrainedHigh) g_object_set(encoder, "bframes", 0u, nullptr);
}

GstCaps* h264_byte_stream_caps(const EncodeSettings& s) {
  GstCaps* caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING,
                                      "byte-stream", "alignment", G_TYPE_STRING, "au", nullptr);
  if (const char* profile = h264_caps_profile(s.h264_profile))
    gst_caps_set_simple(caps, "profile", G_TYPE_STRING, profile, nullptr);
  return caps;
}

GstCaps* X264Adapter::output_caps(const EncodeSettings& s) const { return h264_byte_stream_caps(s); }

}  // namespace lp
