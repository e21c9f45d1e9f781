// nvcodec's NVENC encoders (GStreamer 1.22): nvcuda{h264,h265}enc (CUDA-memory native) or
// the older nv{h264,h265}enc, one element per GPU. Both families are driven by property
// name, so the same mapping serves either; where their names differ (rc-mode / rate-control,
// bframes / b-frames, enum nicks constqp / cqp) the first one the element has is used.
#include <algorithm>
#include <initializer_list>

#include "builtin_adapters.h"
#include "nv_elements.h"

namespace lp {
namespace {

GParamSpec* find_property(GstElement* e, const char* name) {
  return g_object_class_find_property(G_OBJECT_GET_CLASS(e), name);
}

// Sets a numeric property whatever its GType (int, uint, double, ...), clamped to its range.
void set_number(GstElement* e, const char* name, double value) {
  GParamSpec* pspec = find_property(e, name);
  if (!pspec) return;
  GValue from = G_VALUE_INIT;
  GValue to = G_VALUE_INIT;
  g_value_init(&from, G_TYPE_DOUBLE);
  g_value_set_double(&from, value);
  g_value_init(&to, pspec->value_type);
  if (g_value_transform(&from, &to)) {
    g_param_value_validate(pspec, &to);
    g_object_set_property(G_OBJECT(e), name, &to);
  }
  g_value_unset(&from);
  g_value_unset(&to);
}

// Sets the first of `names` the element has to the first of `nicks` its enum knows.
bool set_enum(GstElement* e, std::initializer_list<const char*> names, std::initializer_list<const char*> nicks) {
  for (const char* name : names) {
    GParamSpec* pspec = find_property(e, name);
    if (!pspec || !G_IS_PARAM_SPEC_ENUM(pspec)) continue;
    GEnumClass* klass = G_PARAM_SPEC_ENUM(pspec)->enum_class;
    for (const char* nick : nicks) {
      if (g_enum_get_value_by_nick(klass, nick)) {
        gst_util_set_object_arg(G_OBJECT(e), name, nick);
        return true;
      }
    }
  }
  return false;
}

// x264's nine presets onto NVENC's: 1.22 has hp / default / hq (and low-latency and lossless
// variants, not used); later GStreamer adds p1 (fastest) .. p7 (slowest), the fallback here.
void set_preset(GstElement* e, LpSpeedPreset preset) {
  static const char* const kLegacy[] = {"hp", "hp", "hp", "default", "default", "default", "hq", "hq", "hq"};
  static const char* const kLevels[] = {"p1", "p2", "p3", "p3", "p4", "p4", "p5", "p6", "p7"};
  const int i = std::clamp(static_cast<int>(preset), 0, 8);
  set_enum(e, {"preset"}, {kLegacy[i], kLevels[i]});
}

gboolean configure(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError** error) {
  set_preset(encoder, s->speed_preset);
  const double kbps = std::max(1, s->bitrate / 1000);
  bool rate_set;
  if (s->quality > 0) {
    // CRF's nearest NVENC mode: VBR aiming at a constant quality (0-51, as x264's CRF), the
    // bitrate, when given, as its ceiling. Without const-quality, a constant QP.
    if (find_property(encoder, "const-quality")) {
      rate_set = set_enum(encoder, {"rate-control", "rc-mode"}, {"vbr"});
      set_number(encoder, "const-quality", std::clamp(s->quality, 1, 51));
      set_number(encoder, "bitrate", 0);  // no average target: quality decides
      if (s->bitrate > 0) set_number(encoder, "max-bitrate", kbps);
    } else {
      rate_set = set_enum(encoder, {"rate-control", "rc-mode"}, {"cqp", "constqp"});
      for (const char* qp : {"qp-const", "qp-i", "qp-p", "qp-b"}) set_number(encoder, qp, s->quality);
    }
  } else {
    // CBR at the bitrate with a 1 s VBV buffer, as the x264 adapter's VBV.
    rate_set = set_enum(encoder, {"rate-control", "rc-mode"}, {"cbr"});
    set_number(encoder, "bitrate", kbps);
    set_number(encoder, "max-bitrate", kbps);
    set_number(encoder, "vbv-buffer-size", kbps);
  }
  if (!rate_set) {
    g_set_error(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
                "%s has no rate-control/rc-mode property with the mode needed", GST_OBJECT_NAME(encoder));
    return FALSE;
  }
  // Exact GOPs: an IDR every keyframe_interval frames, nothing adaptive in between (no
  // lookahead, whose scene-cut I-frames would break the interval), and no B-frames, so
  // frames leave in order and the first frame of every GOP is its IDR.
  set_number(encoder, "gop-size", s->keyframe_interval);
  set_number(encoder, "bframes", 0);
  set_number(encoder, "b-frames", 0);
  set_number(encoder, "rc-lookahead", 0);
  if (find_property(encoder, "i-adapt")) g_object_set(encoder, "i-adapt", FALSE, nullptr);
  return TRUE;
}

// nvcodec names its elements per GPU: ask the registry which one serves `device`.
gchar* element_for(NvElementKind kind, gint device) {
  auto name = pick_nv_factory(installed_nv_factories(), kind, device);
  return name ? g_strdup(name->c_str()) : nullptr;
}

gchar* h264_element(const LpCodecAdapter*, gint device) { return element_for(NvElementKind::H264Encoder, device); }

gchar* h265_element(const LpCodecAdapter*, gint device) { return element_for(NvElementKind::H265Encoder, device); }

// Above the software encoders (100), so encoder=auto on a GPU rendition takes NVENC when
// that GPU has it.
constexpr LpCodecAdapter describe(const char* name, LpVideoCodec codec, const char* element, const char* caps,
                                  const char* parser, LpOutputCapsFunc settings_caps, LpDeviceElementFunc per_device) {
  return {
      .api_version = LP_CODEC_ADAPTER_API_VERSION,
      .name = name,
      .codec = codec,
      .element = element,  // the first GPU's; device_element names the others
      .rank = 200,
      .memory = LP_MEMORY_CUDA,
      .output_caps = caps,
      .parser = parser,
      .configure = configure,
      .settings_caps = settings_caps,
      .user_data = nullptr,
      .device_element = per_device,
  };
}

}  // namespace

const LpCodecAdapter& nvenc_h264_adapter() {
  // The H.264 profile goes through the caps, as x264's.
  static const LpCodecAdapter adapter = describe("nvenc-h264", LP_VIDEO_CODEC_H264, "nvh264enc", kH264ByteStream,
                                                 "h264parse", h264_settings_caps, h264_element);
  return adapter;
}

const LpCodecAdapter& nvenc_h265_adapter() {
  static const LpCodecAdapter adapter =
      describe("nvenc-h265", LP_VIDEO_CODEC_HEVC, "nvh265enc", "video/x-h265,stream-format=byte-stream,alignment=au",
               "h265parse", nullptr, h265_element);
  return adapter;
}

}  // namespace lp
