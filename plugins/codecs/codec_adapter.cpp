#include "codec_adapter.h"

#include <algorithm>
#include <cmath>

#include "openh264_adapter.h"
#include "x264_adapter.h"

namespace lp {

int gop_frames(const EncodeSettings& s) {
  if (s.gop.kind == Gop::Kind::Intra) return 1;
  double seconds = s.gop.kind == Gop::Kind::Seconds ? s.gop.seconds : 2.0;
  double fps = s.fps_d > 0 ? static_cast<double>(s.fps_n) / s.fps_d : 30.0;
  return std::max(1, static_cast<int>(std::lround(seconds * fps)));
}

bool CodecAdapter::available() const {
  g_autoptr(GstElementFactory) factory = gst_element_factory_find(element_factory());
  return factory != nullptr;
}

Result<GstElement*> CodecAdapter::make_encoder(const EncodeSettings& settings) const {
  GstElement* encoder = gst_element_factory_make(element_factory(), nullptr);
  if (!encoder) {
    return Error{ErrorCode::Unsupported,
                 std::string("encoder element '") + element_factory() + "' of adapter '" +
                     name() + "' is not installed"};
  }
  configure(encoder, settings);
  return encoder;
}

const std::vector<std::unique_ptr<CodecAdapter>>& codec_adapters() {
  static const std::vector<std::unique_ptr<CodecAdapter>> all = [] {
    std::vector<std::unique_ptr<CodecAdapter>> v;
    v.push_back(std::make_unique<X264Adapter>());
    v.push_back(std::make_unique<OpenH264Adapter>());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a->rank() > b->rank(); });
    return v;
  }();
  return all;
}

Result<const CodecAdapter*> find_codec_adapter(std::string_view name, VideoCodec codec) {
  bool automatic = name.empty() || name == "auto";
  for (const auto& adapter : codec_adapters()) {
    if (!automatic && name != adapter->name()) continue;
    if (adapter->codec() != codec) {
      if (automatic) continue;
      return Error{ErrorCode::Unsupported, "encoder '" + std::string(name) + "' produces " +
                                               video_codec_name(adapter->codec()) + ", not " +
                                               video_codec_name(codec)};
    }
    if (!adapter->available()) {
      if (automatic) continue;
      return Error{ErrorCode::Unsupported, "encoder '" + std::string(name) + "' needs element '" +
                                               adapter->element_factory() +
                                               "', which is not installed"};
    }
    return adapter.get();
  }
  if (automatic) {
    return Error{ErrorCode::Unsupported,
                 std::string("no installed encoder produces ") + video_codec_name(codec)};
  }
  std::string known;
  for (const auto& adapter : codec_adapters()) known += std::string(" ") + adapter->name();
  return Error{ErrorCode::Unsupported,
               "unknown encoder '" + std::string(name) + "' (known: auto" + known + ")"};
}

const std::vector<std::string_view>& speed_preset_names() {
  static const std::vector<std::string_view> names = {
      "ultrafast", "superfast", "veryfast", "faster", "fast",
      "medium",    "slow",      "slower",   "veryslow"};
  return names;
}

int speed_preset_index(std::string_view name) {
  const auto& names = speed_preset_names();
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace lp
