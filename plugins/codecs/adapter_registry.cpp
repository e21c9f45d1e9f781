#include "adapter_registry.h"

#include <algorithm>
#include <memory>
#include <mutex>

#include "adapter_plugins.h"
#include "adapter_validation.h"
#include "builtin_adapters.h"

GST_DEBUG_CATEGORY_STATIC(lp_adapter_registry_debug);
#define GST_CAT_DEFAULT lp_adapter_registry_debug

namespace lp {
namespace {

constexpr const char* kBuiltIn = "lpgst";
constexpr const char* kApplication = "application";

struct Registry {
  std::mutex lock;
  std::vector<std::unique_ptr<CodecAdapter>> adapters;  // in registration order
  std::vector<std::string> rejected;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::string describe(const std::string& name, const std::string& origin) {
  std::string who = origin == kBuiltIn       ? "built into lpgst"
                    : origin == kApplication ? "registered by the application"
                                             : "plugin '" + origin + "'";
  return "codec adapter '" + name + "' (" + who + ")";
}

bool refuse(const std::string& message, LpCodecAdapterError code, GError** error) {
  GST_WARNING("%s", message.c_str());
  {
    Registry& r = registry();
    std::lock_guard guard(r.lock);
    r.rejected.push_back(message);
  }
  g_set_error(error, LP_CODEC_ADAPTER_ERROR, code, "%s", message.c_str());
  return false;
}

bool add(const LpCodecAdapter* adapter, const std::string& origin, GError** error) {
  // A struct of a newer layout may not even have the fields read below: check it first.
  bool version_ok = adapter && adapter->api_version >= 1 && adapter->api_version <= LP_CODEC_ADAPTER_API_VERSION;
  std::string name = version_ok && adapter->name && *adapter->name ? adapter->name : "?";
  if (auto problem = adapter_problem(adapter)) {
    return refuse(describe(name, origin) + ": " + *problem,
                  adapter && !version_ok ? LP_CODEC_ADAPTER_ERROR_VERSION : LP_CODEC_ADAPTER_ERROR_INVALID, error);
  }
  Registry& r = registry();
  std::unique_lock guard(r.lock);
  for (const auto& existing : r.adapters) {
    if (name == existing->name()) {
      std::string taken_by = describe(existing->name(), existing->origin());
      guard.unlock();
      return refuse(describe(name, origin) + ": the name is taken by " + taken_by, LP_CODEC_ADAPTER_ERROR_DUPLICATE,
                    error);
    }
  }
  r.adapters.push_back(std::make_unique<CodecAdapter>(adapter_fields(*adapter), origin));
  GST_INFO("registered %s: %s via %s, rank %d", describe(name, origin).c_str(), lp_video_codec_name(adapter->codec),
           adapter->element, adapter->rank);
  return true;
}

void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    GST_DEBUG_CATEGORY_INIT(lp_adapter_registry_debug, "lpadapterregistry", 0, "lpgst codec adapter registry");
    for (const LpCodecAdapter* a : {&x264_adapter(), &openh264_adapter(), &x265_adapter(), &vp9_adapter(),
                                    &av1_adapter(), &nvenc_h264_adapter(), &nvenc_h265_adapter()})
      add(a, kBuiltIn, nullptr);
  });
}

// " (refused: ...)" when registrations were refused, so a user whose plugin did not make
// it sees why next to the error that the codec is missing.
std::string refused_note() {
  std::string note;
  for (const auto& message : rejected_codec_adapters()) note += (note.empty() ? "" : "; ") + message;
  return note.empty() ? "" : " (refused: " + note + ")";
}

}  // namespace

std::vector<const CodecAdapter*> codec_adapters() {
  ensure_builtins();
  load_adapter_plugins();
  std::vector<const CodecAdapter*> all;
  {
    Registry& r = registry();
    std::lock_guard guard(r.lock);
    for (const auto& a : r.adapters) all.push_back(a.get());
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const CodecAdapter* a, const CodecAdapter* b) { return a->rank() > b->rank(); });
  return all;
}

Result<const CodecAdapter*> find_codec_adapter(std::string_view name, VideoCodec codec, int device) {
  const bool automatic = name.empty() || name == "auto";
  const std::string codec_name = video_codec_name(codec);
  const auto all = codec_adapters();
  std::string passed_over;  // why auto took none: "; <reason>" each
  for (const CodecAdapter* adapter : all) {
    if (!automatic && name != adapter->name()) continue;
    if (adapter->codec() != codec) {
      if (automatic) continue;
      return Error{ErrorCode::Unsupported, "encoder '" + std::string(name) + "' produces " +
                                               video_codec_name(adapter->codec()) + ", not " + codec_name};
    }
    // The CPU path stays on the CPU: auto takes a GPU encoder only for a GPU rendition.
    if (automatic && device < 0 && adapter->takes_cuda_memory()) continue;
    if (!adapter->available(device)) {
      if (!automatic) return Error{ErrorCode::Unsupported, adapter->unavailable_reason(device)};
      passed_over += "; " + adapter->unavailable_reason(device);
      continue;
    }
    if (automatic && adapter->rank() == 0) {  // rank 0: only when named
      passed_over += "; encoder '" + std::string(adapter->name()) + "' has rank 0: name it to use it";
      continue;
    }
    return adapter;
  }
  if (automatic) {
    std::string detail = passed_over.empty() ? "" : " (" + passed_over.substr(2) + ")";
    return Error{ErrorCode::Unsupported, "no installed encoder produces " + codec_name + detail + refused_note()};
  }
  std::string known;
  for (const CodecAdapter* adapter : all) known += std::string(" ") + adapter->name();
  return Error{ErrorCode::Unsupported,
               "unknown encoder '" + std::string(name) + "' (known: auto" + known + ")" + refused_note()};
}

std::vector<std::string> rejected_codec_adapters() {
  Registry& r = registry();
  std::lock_guard guard(r.lock);
  return r.rejected;
}

}  // namespace lp

G_DEFINE_QUARK(lp - codec - adapter - error - quark, lp_codec_adapter_error)

gboolean lp_codec_adapter_register(GstPlugin* plugin, const LpCodecAdapter* adapter, GError** error) {
  lp::ensure_builtins();
  // Marked even when the adapter is refused: lpgst then loads the plugin in every process
  // and reports the refusal where the codec is missing, not only in the plugin scanner.
  if (plugin) lp::register_adapter_marker(plugin);
  return lp::add(adapter, plugin ? gst_plugin_get_name(plugin) : lp::kApplication, error);
}
