// What a node can do, as announced by an orchestrator (GET /v1/info) and by a transcoder
// (its hello on the control channel): one struct so both ends describe work the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "profile.h"
#include "wire/json_fwd.h"

namespace lp::wire {

// One accelerator (or the CPU) a node encodes with; listed in /status per transcoder.
struct HardwareDevice {
  std::string kind;  // "cpu", "nvidia", ... (free text: newer kinds must not break old peers)
  int index = 0;     // the device number within its kind (nvh264device<index>enc, ...)
  std::string name;  // human-readable model, "" when unknown
  // A GPU's state, as its transcoder measured it (optional on the wire; 0/"" = not stated):
  std::string path;      // "full" (NVDEC, CUDA scaling, NVENC) or "hybrid" (x264 on the CPU)
  int capacity = 0;      // sessions it takes (from the start-up self-test)
  int sessions = 0;      // sessions on it now
  int load_percent = 0;  // its load by cost (sum of width x height x fps), 0..100+
  std::string error;     // why it takes no work now (a failed re-test), "" when usable

  bool operator==(const HardwareDevice&) const = default;
};

struct Capabilities {
  std::vector<std::string> codecs;   // encoders it can produce, as profiles spell them ("H.264")
  std::vector<std::string> presets;  // preset names it accepts (P720p30fps16x9, ...)
  int max_width = 0;                 // largest rendition it can produce; 0 = not stated
  int max_height = 0;
  std::vector<HardwareDevice> hardware;

  bool operator==(const Capabilities&) const = default;
};

// Whether a node with `caps` can produce every rendition of `profiles`: an Unsupported error
// names the codec or size it lacks.
Result<void> check_can_transcode(const Capabilities& caps, const std::vector<Profile>& profiles);

// Members of the "capabilities" object, for the messages that embed it:
// {"codecs":["H.264"],"presets":["P720p30fps16x9"],"max_width":1920,"max_height":1080,
//  "hardware":[{"kind":"nvidia","index":0,"name":"NVIDIA H100","path":"hybrid","capacity":4,
//                "sessions":1,"load_percent":25}]}
// codecs and presets are required; max_* and hardware are optional. See json_fields.h.
namespace json {
void describe(Reader& io, HardwareDevice& device);
void describe(Writer& io, const HardwareDevice& device);
void describe(Reader& io, Capabilities& caps);
void describe(Writer& io, const Capabilities& caps);
}  // namespace json

}  // namespace lp::wire
