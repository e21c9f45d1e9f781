// Registration of lpgst's elements, both as a loadable GStreamer plugin (plugin.cpp) and
// statically for programs and tests that link liblpgstmedia directly.
#pragma once

#include <gst/gst.h>

// Registers lpsegmentsrc, lprendition and lpladder into `plugin`.
gboolean lp_elements_register(GstPlugin* plugin);

namespace lp {
// Registers the elements with GStreamer once per process (gst_init must have run).
void media_register();
}  // namespace lp
