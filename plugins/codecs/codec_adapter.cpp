#include "codec_adapter.h"

#include <algorithm>
#include <cmath>

#include "rendition_properties.h"

namespace lp {
namespace {

// The public enums mirror lpgst's own: converting is a cast.
static_assert(static_cast<int>(VideoCodec::H264) == LP_VIDEO_CODEC_H264 &&
              static_cast<int>(VideoCodec::HEVC) == LP_VIDEO_CODEC_HEVC &&
              static_cast<int>(VideoCodec::VP8) == LP_VIDEO_CODEC_VP8 &&
              static_cast<int>(VideoCodec::VP9) == LP_VIDEO_CODEC_VP9 &&
              static_cast<int>(VideoCodec::AV1) == LP_VIDEO_CODEC_AV1);

bool factory_exists(const char* name) {
  g_autoptr(GstElementFactory) factory = gst_element_factory_find(name);
  return factory != nullptr;
}

}  // namespace

int gop_frames(const EncodeSettings& s) {
  if (s.gop.kind == Gop::Kind::Intra) return 1;
  double seconds = s.gop.kind == Gop::Kind::Seconds ? s.gop.seconds : 2.0;
  double fps = s.fps_d > 0 ? static_cast<double>(s.fps_n) / s.fps_d : 30.0;
  return std::max(1, static_cast<int>(std::lround(seconds * fps)));
}

LpEncodeSettings public_settings(const EncodeSettings& s) {
  LpEncodeSettings out{};
  out.width = s.width;
  out.height = s.height;
  out.fps_n = s.fps_n;
  out.fps_d = s.fps_d;
  out.bitrate = s.bitrate;
  out.keyframe_interval = gop_frames(s);
  out.quality = s.quality;
  int preset = speed_preset_index(s.speed_preset);
  out.speed_preset = static_cast<LpSpeedPreset>(preset < 0 ? LP_SPEED_PRESET_VERYFAST : preset);
  out.h264_profile = static_cast<LpH264Profile>(from_h264_profile(s.h264_profile));
  out.device = s.device;
  return out;
}

LpVideoCodec to_public_codec(VideoCodec codec) { return static_cast<LpVideoCodec>(codec); }
VideoCodec from_public_codec(LpVideoCodec codec) { return static_cast<VideoCodec>(codec); }

CodecAdapter::CodecAdapter(const LpCodecAdapter& description, std::string origin)
    : description_(description),
      name_(description.name),
      element_(description.element),
      caps_text_(description.output_caps),
      parser_(description.parser ? description.parser : ""),
      origin_(std::move(origin)),
      caps_(gst_caps_from_string(description.output_caps)) {
  description_.name = name_.c_str();
  description_.element = element_.c_str();
  description_.output_caps = caps_text_.c_str();
  description_.parser = parser();
}

std::optional<std::string> CodecAdapter::element_for(int device) const {
  if (!description_.device_element) return element_;
  g_autofree gchar* name = description_.device_element(&description_, device);
  if (!name || !*name) return std::nullopt;
  return std::string(name);
}

bool CodecAdapter::available(int device) const {
  auto element = element_for(device);
  return element && factory_exists(element->c_str()) && (!parser() || factory_exists(parser()));
}

std::string CodecAdapter::unavailable_reason(int device) const {
  auto element = element_for(device);
  if (!element) {
    return "encoder '" + name_ + "' has no encoder element for " +
           (device < 0 ? std::string("the default device") : "device " + std::to_string(device)) + " (needs " +
           element_ + " or that device's variant)";
  }
  const char* missing = !factory_exists(element->c_str()) ? element->c_str() : parser();
  return "encoder '" + name_ + "' needs element '" + (missing ? missing : "") + "', which is not installed";
}

Result<GstElement*> CodecAdapter::make_encoder(const EncodeSettings& settings) const {
  auto element = element_for(settings.device);
  GstElement* encoder = element ? gst_element_factory_make(element->c_str(), nullptr) : nullptr;
  if (!encoder) {
    return Error{ErrorCode::Unsupported,
                 element ? "encoder element '" + *element + "' of adapter '" + name_ + "' is not installed"
                         : unavailable_reason(settings.device)};
  }
  LpEncodeSettings s = public_settings(settings);
  GError* error = nullptr;
  if (!description_.configure(&description_, encoder, &s, &error)) {
    std::string why = error ? error->message : "no reason given";
    g_clear_error(&error);
    gst_object_unref(gst_object_ref_sink(encoder));
    return Error{ErrorCode::Unsupported, "encoder '" + name_ + "' refused the settings: " + why};
  }
  g_clear_error(&error);  // set on success: tolerated, dropped
  return encoder;
}

Result<CapsPtr> CodecAdapter::output_caps(const EncodeSettings& settings) const {
  if (!description_.settings_caps) return CapsPtr(gst_caps_ref(caps_.get()));
  LpEncodeSettings s = public_settings(settings);
  CapsPtr caps(description_.settings_caps(&description_, &s));
  if (!caps || !gst_caps_is_subset(caps.get(), caps_.get())) {
    g_autofree char* text = caps ? gst_caps_to_string(caps.get()) : g_strdup("none");
    return Error{ErrorCode::Internal,
                 "encoder '" + name_ + "' gave output caps " + text + ", not within its declared " + caps_text_};
  }
  return caps;
}

const std::vector<std::string_view>& speed_preset_names() {
  static const std::vector<std::string_view> names = {"ultrafast", "superfast", "veryfast", "faster",  "fast",
                                                      "medium",    "slow",      "slower",   "veryslow"};
  return names;
}

int speed_preset_index(std::string_view name) {
  const auto& names = speed_preset_names();
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace lp

const gchar* lp_video_codec_name(LpVideoCodec codec) {
  const int value = static_cast<int>(codec);  // a C caller may pass anything
  if (value < LP_VIDEO_CODEC_H264 || value > LP_VIDEO_CODEC_AV1) return nullptr;
  return lp::video_codec_name(lp::from_public_codec(codec));
}

const gchar* lp_speed_preset_name(LpSpeedPreset preset) {
  const auto& names = lp::speed_preset_names();
  const int value = static_cast<int>(preset);
  if (value < 0 || static_cast<size_t>(value) >= names.size()) return nullptr;
  return names[value].data();
}
