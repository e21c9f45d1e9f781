#include "adapter_plugins.h"

#include <lpgst/codec_adapter.h>

#include <mutex>
#include <string>

GST_DEBUG_CATEGORY_STATIC(lp_adapter_plugins_debug);
#define GST_CAT_DEFAULT lp_adapter_plugins_debug

// The marker: an element with no pads that only exists to be listed in the registry.
#define LP_TYPE_ADAPTER_MARKER (lp_adapter_marker_get_type())
G_DECLARE_FINAL_TYPE(LpAdapterMarker, lp_adapter_marker, LP, ADAPTER_MARKER, GstElement)

struct _LpAdapterMarker {
  GstElement parent;
};

G_DEFINE_TYPE(LpAdapterMarker, lp_adapter_marker, GST_TYPE_ELEMENT)

static void lp_adapter_marker_init(LpAdapterMarker*) {}

static void lp_adapter_marker_class_init(LpAdapterMarkerClass* klass) {
  gst_element_class_set_static_metadata(
      GST_ELEMENT_CLASS(klass), "lpgst codec adapters", LP_CODEC_ADAPTER_KLASS,
      "Marks a plugin that registers lpgst codec adapters, so lpgst loads it; not for "
      "pipelines",
      "lpgst");
}

namespace lp {
namespace {

void init_debug() {
  static std::once_flag once;
  std::call_once(once,
                 [] { GST_DEBUG_CATEGORY_INIT(lp_adapter_plugins_debug, "lpadapters", 0, "lpgst codec adapters"); });
}

gboolean is_marker(GstPluginFeature* feature, gpointer) {
  if (!GST_IS_ELEMENT_FACTORY(feature)) return FALSE;
  const char* klass = gst_element_factory_get_metadata(GST_ELEMENT_FACTORY(feature), GST_ELEMENT_METADATA_KLASS);
  return klass && g_strcmp0(klass, LP_CODEC_ADAPTER_KLASS) == 0;
}

void load_marked_plugins() {
  GList* markers = gst_registry_feature_filter(gst_registry_get(), is_marker, FALSE, nullptr);
  for (GList* l = markers; l; l = l->next) {
    auto* feature = GST_PLUGIN_FEATURE(l->data);
    g_autoptr(GstPlugin) plugin = gst_plugin_feature_get_plugin(feature);
    if (plugin && gst_plugin_is_loaded(plugin)) continue;
    GST_DEBUG("loading codec adapter plugin %s", gst_plugin_feature_get_plugin_name(feature));
    // Loading runs the plugin's plugin_init, which registers its adapters.
    if (GstPluginFeature* loaded = gst_plugin_feature_load(feature)) {
      gst_object_unref(loaded);
    } else {
      GST_WARNING("codec adapter plugin %s failed to load", gst_plugin_feature_get_plugin_name(feature));
    }
  }
  gst_plugin_feature_list_free(markers);
}

}  // namespace

bool register_adapter_marker(GstPlugin* plugin) {
  init_debug();
  std::string name = std::string("lpgst-adapters-") + gst_plugin_get_name(plugin);
  return gst_element_register(plugin, name.c_str(), GST_RANK_NONE, LP_TYPE_ADAPTER_MARKER);
}

void load_adapter_plugins() {
  if (!gst_is_initialized()) return;
  init_debug();
  static std::mutex lock;
  static bool scanned = false;
  static guint32 cookie = 0;
  // Held while loading, so a concurrent caller waits for the adapters instead of missing them.
  std::lock_guard guard(lock);
  GstRegistry* registry = gst_registry_get();
  if (scanned && cookie == gst_registry_get_feature_list_cookie(registry)) return;
  load_marked_plugins();
  scanned = true;
  cookie = gst_registry_get_feature_list_cookie(registry);
}

}  // namespace lp
