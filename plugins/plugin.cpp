// The loadable GStreamer plugin (libgstlpgst.so): a thin shell over liblpgstmedia.
#include "lp_register.h"

static gboolean plugin_init(GstPlugin* plugin) { return lp_elements_register(plugin); }

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, lpgst,
                  "lpgst media core: segment source, renditions, ABR ladder", plugin_init, PACKAGE_VERSION, "MIT/X11",
                  "lpgst", "https://example.invalid/lpgst")
