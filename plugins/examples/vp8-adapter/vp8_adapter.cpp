// lpgst's VP8 encoder, as a plugin of its own: one codec adapter that drives vp8enc
// (libvpx). Loading the plugin registers the adapter; lpgst loads it when it looks for
// encoders. docs/writing-codec-plugins.md explains each part.
#include <gst/gst.h>
#include <lpgst/codec_adapter.h>

#include <algorithm>

namespace {

constexpr int kMaxLag = 25;  // libvpx's largest lookahead

// Maps one rendition's settings onto vp8enc's properties.
gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s,
                   GError**) {
  // Effort: libvpx's realtime mode, faster with a higher cpu-used (x264's ultrafast ->
  // 16, veryslow -> 0).
  const int effort = static_cast<int>(s->speed_preset);  // 0 ultrafast .. 8 veryslow
  g_object_set(encoder, "deadline", G_GINT64_CONSTANT(1), "cpu-used", 16 - 2 * effort, nullptr);
  if (s->quality > 0) {
    // Quality mode: constrained quality at cq-level = the CRF (0-63, as ffmpeg's -crf),
    // capped by the bitrate when there is one.
    gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cq");
    g_object_set(encoder, "cq-level", std::clamp(s->quality, 0, 63), nullptr);
    if (s->bitrate > 0) g_object_set(encoder, "target-bitrate", s->bitrate, nullptr);
  } else {
    // Bitrate mode: CBR with a 1 s buffer, like lpgst's other encoders. bit/s, as lpgst.
    gst_util_set_object_arg(G_OBJECT(encoder), "end-usage", "cbr");
    g_object_set(encoder, "target-bitrate", s->bitrate, "buffer-size", 1000, nullptr);
  }
  // Keyframes exactly every keyframe_interval frames. libvpx would add more at scene cuts,
  // so its own placement is off and lpgst forces them; that needs the lookahead shorter
  // than the interval.
  gst_util_set_object_arg(G_OBJECT(encoder), "keyframe-mode", "disabled");
  g_object_set(encoder, "keyframe-max-dist", s->keyframe_interval, "lag-in-frames",
               std::clamp(s->keyframe_interval - 2, 0, kMaxLag), nullptr);
  return lp_encoder_force_keyframes(encoder, s->keyframe_interval);
}

// What lpgst needs to know about the encoder. lpgst copies it at registration.
const LpCodecAdapter kVp8Adapter = {
    LP_CODEC_ADAPTER_API_VERSION,
    "vpx-vp8",            // name: encoder=vpx-vp8 picks it by name
    LP_VIDEO_CODEC_VP8,   // codec: profiles with "encoder": "VP8"
    "vp8enc",             // element
    100,                  // rank: encoder=auto takes the highest-ranked one for the codec
    LP_MEMORY_SYSTEM,     // memory: takes frames in system memory
    "video/x-vp8",        // output_caps
    nullptr,              // parser: none for VP8 in GStreamer 1.22
    configure,            // configure
    nullptr,              // settings_caps: output_caps do not depend on the settings
    nullptr,              // user_data
    nullptr,              // device_element: vp8enc is the same element on every device
};

gboolean plugin_init(GstPlugin* plugin) {
  GError* error = nullptr;
  if (!lp_codec_adapter_register(plugin, &kVp8Adapter, &error)) {
    // lpgst has logged it and names it in its "no installed encoder produces VP8" error.
    // Returning TRUE keeps the plugin in GStreamer's registry, so lpgst still loads it
    // and can tell why.
    GST_WARNING("%s", error->message);
    g_clear_error(&error);
  }
  return TRUE;
}

}  // namespace

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, lpvp8adapter,
                  "lpgst codec adapter: VP8 through vp8enc", plugin_init, "1.0.0", "MIT/X11",
                  "lpgst-vp8-adapter", "https://example.invalid/lpgst")
