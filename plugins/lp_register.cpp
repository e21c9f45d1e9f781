#include "lp_register.h"

#include "lp_ladder.h"
#include "lp_rendition.h"
#include "lp_segment_src.h"

gboolean lp_elements_register(GstPlugin* plugin) {
  return gst_element_register(plugin, "lpsegmentsrc", GST_RANK_NONE, LP_TYPE_SEGMENT_SRC) &&
         gst_element_register(plugin, "lprendition", GST_RANK_NONE, LP_TYPE_RENDITION) &&
         gst_element_register(plugin, "lpladder", GST_RANK_NONE, LP_TYPE_LADDER);
}

namespace lp {

void media_register() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, "lpgst",
                               "lpgst media core: segment source, renditions, ABR ladder", lp_elements_register,
                               PACKAGE_VERSION, "MIT/X11", "lpgst", "lpgst", "https://example.invalid/lpgst");
    g_once_init_leave(&once, 1);
  }
}

}  // namespace lp
