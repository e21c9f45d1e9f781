#include "node_capabilities.h"

#include <gst/gst.h>

#include <algorithm>
#include <thread>

#include "adapter_registry.h"
#include "lp_register.h"

namespace lp {
namespace {

// lprendition's width/height properties go up to 8192; x264 takes that too.
constexpr int kMaxDimension = 8192;

}  // namespace

wire::Capabilities node_capabilities() {
  media_register();
  wire::Capabilities caps;
  // codec_adapters() loads the codec plugins the GStreamer registry lists first, so their
  // codecs are announced too.
  for (const CodecAdapter* adapter : codec_adapters()) {
    if (!adapter->available()) continue;
    std::string codec = video_codec_name(adapter->codec());
    if (std::find(caps.codecs.begin(), caps.codecs.end(), codec) == caps.codecs.end()) caps.codecs.push_back(codec);
  }
  for (const auto& p : preset_profiles()) caps.presets.push_back(p.name);
  caps.max_width = kMaxDimension;
  caps.max_height = kMaxDimension;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  wire::HardwareDevice cpu;
  cpu.kind = "cpu";
  cpu.name = std::to_string(cores) + " cores";
  caps.hardware.push_back(cpu);
  return caps;
}

}  // namespace lp
