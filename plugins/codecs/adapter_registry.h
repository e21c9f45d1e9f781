// The codec adapter registry: lpgst's built-in adapters plus those that plugins (or the
// application) register through lp_codec_adapter_register. Readers load the adapter
// plugins the GStreamer registry lists first (adapter_plugins.h), so a plugin's adapters
// are there before anyone asks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec_adapter.h"

namespace lp {

// Every registered adapter, installed or not, highest rank first. Needs gst_init.
// Adapters are never unregistered: the pointers stay valid for the process's life.
std::vector<const CodecAdapter*> codec_adapters();

// "auto" (or empty) picks the highest-ranked available adapter of rank > 0 for `codec`;
// otherwise the adapter with that name, which must exist, be available and produce
// `codec`. Errors are Unsupported and say which of those failed. `device` is the GPU the
// rendition runs on: availability is checked for it (an adapter's per-device element), and
// with -1 (the CPU path) auto passes over CUDA-memory adapters, which are then used only
// when named.
Result<const CodecAdapter*> find_codec_adapter(std::string_view name, VideoCodec codec, int device = -1);

// Registrations refused in this process, one message each ("codec adapter 'x' (plugin
// 'p'): rank 5000 is outside 0..1000").
std::vector<std::string> rejected_codec_adapters();

}  // namespace lp
