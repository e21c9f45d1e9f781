#include "wire/capabilities.h"

#include <algorithm>
#include <type_traits>

#include "wire/json_fields.h"

namespace lp::wire::json {
namespace {

constexpr int kMaxDimension = 16384;  // generous: limits are the node's to state, not ours
constexpr int kMaxDeviceIndex = 1023;
constexpr int kMaxSessions = 100000;

template <typename Io, typename Self>
void map_device(Io& io, Self& d) {
  io.string("kind", d.kind);
  io.integer("index", d.index, 0, kMaxDeviceIndex, Need::Optional);
  io.string("name", d.name, Need::Optional);
  // A GPU's measured state; written only for devices that have one, so a CPU or an
  // unmeasured device reads as it did before these fields existed.
  if (std::is_same_v<Io, Writer> && d.path.empty() && d.error.empty()) return;
  io.string("path", d.path, Need::Optional);
  io.integer("capacity", d.capacity, 0, kMaxSessions, Need::Optional);
  io.integer("sessions", d.sessions, 0, kMaxSessions, Need::Optional);
  io.integer("load_percent", d.load_percent, 0, 10000, Need::Optional);
  io.string("error", d.error, Need::Optional);
}

template <typename Io, typename Self>
void map_capabilities(Io& io, Self& c) {
  io.strings("codecs", c.codecs);
  io.strings("presets", c.presets);
  io.integer("max_width", c.max_width, 0, kMaxDimension, Need::Optional);
  io.integer("max_height", c.max_height, 0, kMaxDimension, Need::Optional);
  io.objects("hardware", c.hardware, Need::Optional);
}

}  // namespace

void describe(Reader& io, HardwareDevice& device) { map_device(io, device); }
void describe(Writer& io, const HardwareDevice& device) { map_device(io, device); }
void describe(Reader& io, Capabilities& caps) { map_capabilities(io, caps); }
void describe(Writer& io, const Capabilities& caps) { map_capabilities(io, caps); }

}  // namespace lp::wire::json

namespace lp::wire {

Result<void> check_can_transcode(const Capabilities& caps, const std::vector<Profile>& profiles) {
  for (const auto& p : profiles) {
    const std::string codec = video_codec_name(p.codec);
    if (std::find(caps.codecs.begin(), caps.codecs.end(), codec) == caps.codecs.end())
      return Error{ErrorCode::Unsupported, codec + " encoding is not available (profile " + p.name + ")"};
    if ((caps.max_width > 0 && p.width > caps.max_width) || (caps.max_height > 0 && p.height > caps.max_height))
      return Error{ErrorCode::Unsupported, "profile " + p.name + " is larger than the largest rendition made here (" +
                                               std::to_string(caps.max_width) + "x" + std::to_string(caps.max_height) +
                                               ")"};
  }
  return {};
}

}  // namespace lp::wire
