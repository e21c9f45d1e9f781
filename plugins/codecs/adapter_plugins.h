// Plugins that carry codec adapters. lp_codec_adapter_register adds a marker element
// factory to its plugin; the GStreamer registry (and its cache) then lists that plugin by
// the marker's klass without loading it, and lpgst loads the listed plugins before it
// answers "which adapters exist", which runs their plugin_init and so their registrations.
#pragma once

#include <gst/gst.h>

namespace lp {

// Adds "lpgst-adapters-<plugin name>" (klass LP_CODEC_ADAPTER_KLASS, rank none) to `plugin`.
bool register_adapter_marker(GstPlugin* plugin);

// Loads the plugins whose markers the GStreamer registry lists, once per change of the
// registry (new plugins scanned). Needs gst_init; does nothing before it.
void load_adapter_plugins();

}  // namespace lp
