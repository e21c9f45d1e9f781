// lpladder: see lp_ladder.h.
//
//   sink -> parsebin -+- video -> decodebin -> tee -+-> lprendition 0 -> src_0
//                     |                             +-> lprendition 1 -> src_1 ...
//                     +- audio -> tee ------------------^ (each rendition's audio pad)
//
// Renditions exist only for requested src pads, so unlinked profiles cost nothing.
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "ladder_cascade.h"
#include "ladder_impl.h"

GST_DEBUG_CATEGORY(lp_ladder_debug);
#define GST_CAT_DEFAULT lp_ladder_debug

G_DEFINE_TYPE(LpLadder, lp_ladder, GST_TYPE_BIN)

enum {
  PROP_0,
  PROP_PROFILES,
  PROP_SPEED_PRESET,
  PROP_ENCODER,
  PROP_CONTAINER,
  PROP_CUDA_DEVICE_ID,
  PROP_DECODED_FRAMES,
  PROP_DECODED_PIXELS
};

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src_%u", GST_PAD_SRC, GST_PAD_REQUEST, GST_STATIC_CAPS("video/mpegts; video/quicktime; video/webm"));

namespace {

using namespace lp::ladder;

std::string profile_list_text(const std::vector<lp::Profile>& profiles) {
  std::string text;
  for (const auto& p : profiles) text += (text.empty() ? "" : ", ") + p.name;
  return text;
}

void link_video(LpLadder* self, GstElement* rendition, GstElement* from, const char* pad_template) {
  g_autoptr(GstPad) video_in = gst_element_get_static_pad(rendition, "video");
  g_autoptr(GstPad) src = gst_element_request_pad_simple(from, pad_template);
  if (!src || GST_PAD_LINK_FAILED(gst_pad_link(src, video_in)))
    GST_WARNING_OBJECT(self, "cannot link video into %s", GST_OBJECT_NAME(rendition));
}

// NULL -> READY: each rendition takes decoded frames from the tee or from a larger rendition.
// `profiles` cannot change any more (set_property refuses once pads are requested).
void wire_video(LpLadder* self, const std::vector<GstElement*>& renditions, const std::vector<lp::Profile>& profiles) {
  LadderImpl& impl = self->impl;
  std::vector<bool> requested;
  for (GstElement* r : renditions) requested.push_back(r != nullptr);
  requested.resize(profiles.size(), false);
  for (size_t i = 0; i < renditions.size(); ++i) {
    GstElement* r = renditions[i];
    if (!r) continue;
    g_autoptr(GstPad) video_in = gst_element_get_static_pad(r, "video");
    if (gst_pad_is_linked(video_in)) continue;
    auto parent = lp::cascade_parent(profiles, requested, i);
    if (parent) {
      GST_DEBUG_OBJECT(self, "%s scales from %s", profiles[i].name.c_str(), profiles[*parent].name.c_str());
      link_video(self, r, renditions[*parent], "scaled_%u");
    } else {
      link_video(self, r, impl.video_tee, "src_%u");
    }
  }
}

// What a new rendition is made with, read under impl.lock.
struct RenditionSettings {
  std::string profile_json;
  LpSpeedPreset speed_preset;
  std::string encoder;
  LpContainer container;
  int cuda_device;
};

GstElement* make_rendition(LpLadder* self, guint index, const RenditionSettings& settings) {
  LadderImpl& impl = self->impl;
  g_autofree char* name = g_strdup_printf("rendition_%u", index);
  GstElement* r = make("lprendition", name);
  g_object_set(r, "profile", settings.profile_json.c_str(), "speed-preset", settings.speed_preset, "encoder",
               settings.encoder.c_str(), "container", settings.container, "cuda-device-id", settings.cuda_device,
               nullptr);
  gst_bin_add(GST_BIN(self), r);
  // Video is wired when the ladder starts (wire_video), when every rendition is known.
  if (GST_STATE(self) > GST_STATE_NULL) link_video(self, r, impl.video_tee, "src_%u");
  gst_element_sync_state_with_parent(r);
  // Our own ref: GstBin drops its children before GstElement releases request pads.
  return GST_ELEMENT(gst_object_ref(r));
}

}  // namespace

static GstPad* lp_ladder_request_new_pad(GstElement* element, GstPadTemplate* templ, const gchar* name,
                                         const GstCaps*) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  std::lock_guard pads(impl.pads_lock);
  guint index = 0;
  if (name && sscanf(name, "src_%u", &index) != 1) return nullptr;
  RenditionSettings settings;
  {
    std::lock_guard guard(impl.lock);
    if (!impl.error) {
      if (!name) {
        while (index < impl.renditions.size() && impl.renditions[index]) ++index;
      }
      if (index >= impl.profiles.size()) {
        GST_WARNING_OBJECT(self, "src_%u requested but there are %zu profiles (%s)", index, impl.profiles.size(),
                           profile_list_text(impl.profiles).c_str());
        return nullptr;
      }
      if (impl.renditions.size() < impl.profiles.size()) impl.renditions.resize(impl.profiles.size());
      if (impl.renditions[index]) return nullptr;
      settings = {lp::profile_to_json(impl.profiles[index]), impl.speed_preset, impl.encoder, impl.container,
                  impl.cuda_device};
    }
  }
  g_autofree char* pad_name = g_strdup_printf("src_%u", index);
  if (settings.profile_json.empty()) {
    // Invalid profiles: a pad without a rendition, so linking succeeds and starting reports
    // the real problem.
    GstPad* ghost = gst_ghost_pad_new_no_target_from_template(pad_name, templ);
    gst_element_add_pad(element, ghost);
    return ghost;
  }
  GstElement* rendition = make_rendition(self, index, settings);  // pads_lock keeps the slot ours
  {
    std::lock_guard guard(impl.lock);
    impl.renditions[index] = rendition;
  }
  g_autoptr(GstPad) target = gst_element_get_static_pad(rendition, "src");
  GstPad* ghost = gst_ghost_pad_new_from_template(pad_name, target, templ);
  gst_pad_set_active(ghost, TRUE);
  gst_element_add_pad(element, ghost);
  return ghost;
}

static void lp_ladder_release_pad(GstElement* element, GstPad* pad) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  std::lock_guard pads(impl.pads_lock);
  guint index = 0;
  GstElement* r = nullptr;  // our ref, taken out of the list
  if (sscanf(GST_PAD_NAME(pad), "src_%u", &index) == 1) {
    std::lock_guard guard(impl.lock);
    if (index < impl.renditions.size()) std::swap(r, impl.renditions[index]);
  }
  if (r) {
    if (GST_OBJECT_PARENT(r) == GST_OBJECT(self)) {
      gst_element_set_state(r, GST_STATE_NULL);
      gst_bin_remove(GST_BIN(self), r);
    }
    gst_object_unref(r);
  }
  gst_element_remove_pad(element, pad);
}

static GstStateChangeReturn lp_ladder_change_state(GstElement* element, GstStateChange transition) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    std::optional<lp::Error> error;
    std::vector<lp::Profile> profiles;
    {
      std::lock_guard guard(impl.lock);
      error = impl.error;
      profiles = impl.profiles;
    }
    if (error) {
      GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("invalid profiles: %s", error->message.c_str()), (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    std::lock_guard pads(impl.pads_lock);  // no pad comes or goes while the video is wired
    RenditionsNow renditions(impl);
    if (!renditions.any()) {
      GST_ELEMENT_ERROR(self, CORE, PAD,
                        ("no rendition requested: link src_0 ... src_%zu", profiles.empty() ? 0 : profiles.size() - 1),
                        ("profiles: %s", profile_list_text(profiles).c_str()));
      return GST_STATE_CHANGE_FAILURE;
    }
    wire_video(self, renditions.list(), profiles);
  }
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    {
      std::lock_guard guard(impl.lock);
      impl.scanner = lp::SourceTimestampScanner();
      impl.scanned_to = 0;
    }
    impl.decoded.reset();
    impl.watchdog.start(element, on_demuxer_stalled);
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(lp_ladder_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) forget_streams(self);
  return ret;
}

static void lp_ladder_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  LadderImpl& impl = LP_LADDER(object)->impl;
  std::lock_guard guard(impl.lock);
  bool has_renditions = false;
  for (GstElement* r : impl.renditions) has_renditions = has_renditions || r;
  if (has_renditions && prop_id != PROP_PROFILES) {
    GST_WARNING_OBJECT(object, "%s: set before requesting pads; ignored", pspec->name);
    return;
  }
  switch (prop_id) {
    case PROP_PROFILES: {
      if (has_renditions) {
        GST_WARNING_OBJECT(object, "profiles cannot change once pads are requested");
        return;
      }
      const char* text = g_value_get_string(value);
      impl.profiles_spec = text ? text : "";
      auto parsed = lp::parse_profiles(impl.profiles_spec);
      if (parsed) {
        impl.profiles = *parsed;
        impl.error.reset();
      } else {
        impl.profiles.clear();
        impl.error = parsed.error();
        GST_WARNING_OBJECT(object, "profiles: %s", parsed.error().message.c_str());
      }
      break;
    }
    case PROP_SPEED_PRESET: impl.speed_preset = static_cast<LpSpeedPreset>(g_value_get_enum(value)); break;
    case PROP_ENCODER:
      impl.encoder = g_value_get_string(value) ? g_value_get_string(value) : lp::DEFAULT_ENCODER;
      break;
    case PROP_CONTAINER: impl.container = static_cast<LpContainer>(g_value_get_enum(value)); break;
    case PROP_CUDA_DEVICE_ID: impl.cuda_device = g_value_get_int(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
}

static void lp_ladder_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  LadderImpl& impl = LP_LADDER(object)->impl;
  if (prop_id == PROP_DECODED_FRAMES || prop_id == PROP_DECODED_PIXELS) {
    const lp::DecodedCounts counts = impl.decoded.counts();  // its own lock, not impl.lock
    g_value_set_uint64(value, prop_id == PROP_DECODED_FRAMES ? counts.frames : counts.pixels);
    return;
  }
  std::lock_guard guard(impl.lock);
  switch (prop_id) {
    case PROP_PROFILES: g_value_set_string(value, impl.profiles_spec.c_str()); break;
    case PROP_SPEED_PRESET: g_value_set_enum(value, impl.speed_preset); break;
    case PROP_ENCODER: g_value_set_string(value, impl.encoder.c_str()); break;
    case PROP_CONTAINER: g_value_set_enum(value, impl.container); break;
    case PROP_CUDA_DEVICE_ID: g_value_set_int(value, impl.cuda_device); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
}

static void lp_ladder_finalize(GObject* object) {
  for (GstElement* r : LP_LADDER(object)->impl.renditions)
    if (r) gst_object_unref(r);
  LP_LADDER(object)->impl.~LadderImpl();
  G_OBJECT_CLASS(lp_ladder_parent_class)->finalize(object);
}

static void lp_ladder_init(LpLadder* self) {
  new (&self->impl) LadderImpl();
  LadderImpl& impl = self->impl;
  impl.error = lp::Error{lp::ErrorCode::InvalidProfile, "no profiles given"};
  impl.parsebin = make("parsebin", "demux");
  impl.video_tee = make("tee", "video_tee");
  if (!impl.parsebin || !impl.video_tee) {
    g_critical("lpladder needs parsebin and tee (gst-plugins-base, core)");
    return;
  }
  gst_bin_add_many(GST_BIN(self), impl.parsebin, impl.video_tee, nullptr);
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(impl.video_tee, "sink");
  gst_pad_add_probe(tee_sink,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    on_decoded_data, self, nullptr);
  g_signal_connect(impl.parsebin, "pad-added", G_CALLBACK(on_demuxed_pad), self);
  g_autoptr(GstPad) target = gst_element_get_static_pad(impl.parsebin, "sink");
  g_autoptr(GstPadTemplate) templ = gst_static_pad_template_get(&sink_template);
  GstPad* sink = gst_ghost_pad_new_from_template("sink", target, templ);
  gst_pad_add_probe(sink,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                                 GST_PAD_PROBE_TYPE_PUSH | GST_PAD_PROBE_TYPE_PULL),
                    on_segment_bytes, self, nullptr);
  gst_element_add_pad(GST_ELEMENT(self), sink);
}

static void lp_ladder_class_init(LpLadderClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = lp_ladder_set_property;
  gobject_class->get_property = lp_ladder_get_property;
  gobject_class->finalize = lp_ladder_finalize;
  element_class->change_state = lp_ladder_change_state;
  element_class->request_new_pad = lp_ladder_request_new_pad;
  element_class->release_pad = lp_ladder_release_pad;

  auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_PROFILES,
      g_param_spec_string("profiles", "Profiles",
                          "Comma list of presets (P720p30fps16x9,P360p30fps16x9), an inline JSON "
                          "array, or the path of a JSON file, as go-livepeer's -transcodingOptions",
                          nullptr, rw));
  g_object_class_install_property(
      gobject_class, PROP_SPEED_PRESET,
      g_param_spec_enum("speed-preset", "Speed preset", "Encoder effort for every rendition", LP_TYPE_SPEED_PRESET,
                        lp::DEFAULT_SPEED_PRESET, rw));
  g_object_class_install_property(gobject_class, PROP_ENCODER,
                                  g_param_spec_string("encoder", "Encoder",
                                                      "Codec adapter for every rendition: auto (by "
                                                      "codec), x264, openh264, x265, vpx-vp9, aom-av1, nvenc-h264, "
                                                      "nvenc-h265 or a plugin's",
                                                      lp::DEFAULT_ENCODER, rw));
  g_object_class_install_property(gobject_class, PROP_CONTAINER,
                                  g_param_spec_enum("container", "Container",
                                                    "Output container of every rendition (auto: "
                                                    "by its codec)",
                                                    LP_TYPE_CONTAINER, lp::DEFAULT_CONTAINER, rw));
  g_object_class_install_property(
      gobject_class, PROP_CUDA_DEVICE_ID,
      g_param_spec_int("cuda-device-id", "CUDA device id",
                       "NVIDIA GPU to decode H.264/HEVC (NVDEC), scale and encode on (NVENC when "
                       "it has one, else the CPU: the hybrid path); -1: all on the CPU",
                       lp::DEFAULT_CUDA_DEVICE, lp::MAX_CUDA_DEVICE, lp::DEFAULT_CUDA_DEVICE, rw));
  auto ro = static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(gobject_class, PROP_DECODED_FRAMES,
                                  g_param_spec_uint64("decoded-frames", "Decoded frames",
                                                      "Video frames decoded this run "
                                                      "(also in the lpladder-stats message at EOS)",
                                                      0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(gobject_class, PROP_DECODED_PIXELS,
                                  g_param_spec_uint64("decoded-pixels", "Decoded pixels",
                                                      "Sum of width x height over the "
                                                      "video frames decoded this run",
                                                      0, G_MAXUINT64, 0, ro));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "lpgst ABR ladder", "Codec/Transcoder/Bin",
      "Demuxes and decodes one segment once and encodes it into a ladder of renditions", "lpgst");
  GST_DEBUG_CATEGORY_INIT(lp_ladder_debug, "lpladder", 0, "lpgst ABR ladder");
}
