#include "nv_elements.h"

#include <gst/gst.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string_view>

#ifndef LP_HAVE_NVCODEC
#define LP_HAVE_NVCODEC 1
#endif

namespace lp {
namespace {

bool is_encoder(NvElementKind kind) { return kind == NvElementKind::H264Encoder || kind == NvElementKind::H265Encoder; }

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

struct ParsedName {
  NvElementKind kind;
  int index;  // registration index: 0 for the plain name, N for "deviceN"
};

// nv{h264,h265}[deviceN]{dec,enc} and nvcuda{h264,h265}[deviceN]enc; nothing else (the
// stateless nvh264sldec, nvautogpuh264enc, VP8/VP9/AV1 elements are not ours).
std::optional<ParsedName> parse_name(std::string_view name) {
  const bool cuda = consume(name, "nvcuda");
  if (!cuda && !consume(name, "nv")) return std::nullopt;
  const bool h265 = consume(name, "h265");
  if (!h265 && !consume(name, "h264")) return std::nullopt;
  int index = 0;
  if (consume(name, "device")) {
    size_t digits = 0;
    while (digits < name.size() && g_ascii_isdigit(name[digits])) ++digits;
    if (digits == 0 || digits > 4) return std::nullopt;
    index = std::atoi(std::string(name.substr(0, digits)).c_str());
    name.remove_prefix(digits);
  }
  if (name == "enc") {
    return ParsedName{h265 ? NvElementKind::H265Encoder : NvElementKind::H264Encoder, index};
  }
  if (name == "dec" && !cuda) {
    return ParsedName{h265 ? NvElementKind::H265Decoder : NvElementKind::H264Decoder, index};
  }
  return std::nullopt;
}

gboolean is_nv_factory(GstPluginFeature* feature, gpointer) {
  return GST_IS_ELEMENT_FACTORY(feature) && parse_name(gst_plugin_feature_get_name(feature)).has_value();
}

// The element's cuda-device-id. nvcodec's decoders declare it with default 0 whatever the
// device, so the class default cannot be trusted: read an instance's value (their init does
// no CUDA work; the context is made when the element starts).
std::optional<int> element_device(GstElementFactory* factory) {
  GstElement* element = gst_element_factory_create(factory, nullptr);
  if (!element) return std::nullopt;
  gst_object_ref_sink(element);
  std::optional<int> device;
  if (GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), "cuda-device-id")) {
    GValue value = G_VALUE_INIT;
    GValue as_int = G_VALUE_INIT;
    g_value_init(&value, pspec->value_type);
    g_value_init(&as_int, G_TYPE_INT);
    g_object_get_property(G_OBJECT(element), "cuda-device-id", &value);
    if (g_value_transform(&value, &as_int)) device = g_value_get_int(&as_int);
    g_value_unset(&value);
    g_value_unset(&as_int);
  }
  gst_object_unref(element);
  return device;
}

std::vector<NvFactory> scan_registry() {
  std::vector<NvFactory> found;
  GList* features = gst_registry_feature_filter(gst_registry_get(), is_nv_factory, FALSE, nullptr);
  for (GList* l = features; l; l = l->next) {
    auto* factory = GST_ELEMENT_FACTORY(l->data);
    const char* name = gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory));
    auto parsed = parse_name(name);
    // Without the property (an nvcodec older than 1.22) the registration index is the best
    // guess: it equals the CUDA id whenever every device has the codec.
    int device = element_device(factory).value_or(parsed->index);
    if (device >= 0) found.push_back(NvFactory{name, device, parsed->kind});
  }
  gst_plugin_feature_list_free(features);
  std::sort(found.begin(), found.end(), [](const NvFactory& a, const NvFactory& b) { return a.name < b.name; });
  return found;
}

bool factory_exists(const char* name) {
  g_autoptr(GstElementFactory) factory = gst_element_factory_find(name);
  return factory != nullptr;
}

}  // namespace

std::optional<std::string> pick_nv_factory(const std::vector<NvFactory>& factories, NvElementKind kind, int device) {
  const NvFactory* best = nullptr;
  for (const NvFactory& f : factories) {
    if (f.kind != kind || (device >= 0 && f.device != device)) continue;
    if (best && device < 0 && f.device != best->device) {
      if (f.device < best->device) best = &f;
      continue;
    }
    const bool cuda = f.name.rfind("nvcuda", 0) == 0;
    const bool best_cuda = best && best->name.rfind("nvcuda", 0) == 0;
    if (!best || (is_encoder(kind) && cuda && !best_cuda)) best = &f;
  }
  if (!best) return std::nullopt;
  return best->name;
}

std::string nv_factory_name(NvElementKind kind, int index) {
  const char* codec = kind == NvElementKind::H264Decoder || kind == NvElementKind::H264Encoder ? "h264" : "h265";
  std::string device = index > 0 ? "device" + std::to_string(index) : "";
  return std::string("nv") + codec + device + (is_encoder(kind) ? "enc" : "dec");
}

const char* nv_kind_description(NvElementKind kind) {
  switch (kind) {
    case NvElementKind::H264Decoder: return "NVDEC H.264 decoder";
    case NvElementKind::H265Decoder: return "NVDEC HEVC decoder";
    case NvElementKind::H264Encoder: return "NVENC H.264 encoder";
    case NvElementKind::H265Encoder: return "NVENC HEVC encoder";
  }
  return "nvcodec element";
}

std::vector<NvFactory> installed_nv_factories() {
  if (!LP_HAVE_NVCODEC || !gst_is_initialized()) return {};
  static std::mutex lock;
  static bool scanned = false;
  static guint32 cookie = 0;
  static std::vector<NvFactory> cached;
  std::lock_guard guard(lock);
  const guint32 now = gst_registry_get_feature_list_cookie(gst_registry_get());
  if (!scanned || cookie != now) {
    cached = scan_registry();
    scanned = true;
    // Loading nvcodec to read the devices may itself bump the cookie: take it afterwards.
    cookie = gst_registry_get_feature_list_cookie(gst_registry_get());
  }
  return cached;
}

std::vector<NvDevice> nv_devices(const std::vector<NvFactory>& factories) {
  std::vector<NvDevice> devices;
  for (const NvFactory& f : factories) {
    auto it = std::find_if(devices.begin(), devices.end(), [&](const NvDevice& d) { return d.id == f.device; });
    if (it == devices.end()) it = devices.insert(devices.end(), NvDevice{f.device});
    switch (f.kind) {
      case NvElementKind::H264Decoder: it->h264_decode = true; break;
      case NvElementKind::H265Decoder: it->h265_decode = true; break;
      case NvElementKind::H264Encoder: it->h264_encode = true; break;
      case NvElementKind::H265Encoder: it->h265_encode = true; break;
    }
  }
  std::sort(devices.begin(), devices.end(), [](const NvDevice& a, const NvDevice& b) { return a.id < b.id; });
  return devices;
}

bool cuda_filters_available() {
  return LP_HAVE_NVCODEC && factory_exists("cudaconvertscale") && factory_exists("cudadownload") &&
         factory_exists("cudaupload");
}

}  // namespace lp
