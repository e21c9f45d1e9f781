// lprendition: see lp_rendition.h. The bin holds a queue per input and the muxer from the
// start; the branches between them (scale/rate/encode for video, copy or AAC for audio) are
// built when the first caps arrive, because the output size, frame rate and GOP in frames
// depend on the input.
#include <algorithm>
#include <new>
#include <string>

#include "adapter_registry.h"
#include "rendition_impl.h"
#include "rendition_properties.h"

GST_DEBUG_CATEGORY(lp_rendition_debug);  // rendition_build.cpp logs here too
#define GST_CAT_DEFAULT lp_rendition_debug

using namespace lp::rendition;

G_DEFINE_TYPE(LpRendition, lp_rendition, GST_TYPE_BIN)

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FPS,
  PROP_BITRATE,
  PROP_GOP,
  PROP_H264_PROFILE,
  PROP_QUALITY,
  PROP_SPEED_PRESET,
  PROP_ENCODER,
  PROP_CONTAINER,
  PROP_TIMESTAMP_OFFSET,
  PROP_CUDA_DEVICE_ID,
  PROP_FRAMES,
  PROP_PIXELS,
};

// Raw video in system or CUDA memory (nvcodec's decoders, cudaupload): CUDA frames are
// scaled on the GPU (rendition_branch.h).
#define LP_RAW_VIDEO_CAPS "video/x-raw; video/x-raw(memory:CUDAMemory)"
static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE("video", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(LP_RAW_VIDEO_CAPS));
static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE("audio", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/mpegts; video/quicktime; video/webm"));
static GstStaticPadTemplate scaled_template =
    GST_STATIC_PAD_TEMPLATE("scaled_%u", GST_PAD_SRC, GST_PAD_REQUEST, GST_STATIC_CAPS(LP_RAW_VIDEO_CAPS));

static GstStateChangeReturn lp_rendition_change_state(GstElement* element, GstStateChange transition) {
  auto* self = LP_RENDITION(element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !build(self)) {
    teardown(self);
    return GST_STATE_CHANGE_FAILURE;
  }
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    self->impl.video.reset_counts();
    self->impl.ts_clock.reset();
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(lp_rendition_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) teardown(self);
  return ret;
}

static GstPad* lp_rendition_request_new_pad(GstElement* element, GstPadTemplate* templ, const gchar*, const GstCaps*) {
  auto* self = LP_RENDITION(element);
  RenditionImpl& impl = self->impl;
  if (g_str_equal(GST_PAD_TEMPLATE_NAME_TEMPLATE(templ), "scaled_%u")) {
    if (impl.built) {
      GST_WARNING_OBJECT(self, "scaled pads must be requested before starting");
      return nullptr;
    }
    if (!impl.scaled_tee) {
      // The tee lives as long as its pads: smaller renditions link before anything flows.
      impl.scaled_tee = gst_element_factory_make("tee", "scaled_tee");
      gst_bin_add(GST_BIN(self), impl.scaled_tee);
      gst_object_ref(impl.scaled_tee);  // ours too: GstBin drops children before pads go
    }
    g_autoptr(GstPad) tee_src = gst_element_request_pad_simple(impl.scaled_tee, "src_%u");
    g_autofree char* name = g_strdup_printf("scaled_%zu", impl.scaled_pads.size());
    GstPad* pad = gst_ghost_pad_new_from_template(name, tee_src, templ);
    gst_pad_set_active(pad, TRUE);
    gst_element_add_pad(element, pad);
    impl.scaled_pads.push_back(pad);
    return pad;
  }
  if (impl.audio_pad) {
    GST_WARNING_OBJECT(self, "only one audio pad is supported");
    return nullptr;
  }
  impl.audio_pad = gst_ghost_pad_new_no_target_from_template("audio", templ);
  gst_pad_set_active(impl.audio_pad, TRUE);
  gst_element_add_pad(element, impl.audio_pad);
  if (impl.built) add_audio_input(self);
  return impl.audio_pad;
}

static void lp_rendition_release_pad(GstElement* element, GstPad* pad) {
  RenditionImpl& impl = impl_of(element);
  auto scaled = std::find(impl.scaled_pads.begin(), impl.scaled_pads.end(), pad);
  if (scaled != impl.scaled_pads.end()) {
    impl.scaled_pads.erase(scaled);
    if (GstPad* target = gst_ghost_pad_get_target(GST_GHOST_PAD(pad))) {
      if (GST_OBJECT_PARENT(impl.scaled_tee) == GST_OBJECT(element))
        gst_element_release_request_pad(impl.scaled_tee, target);
      gst_object_unref(target);
    }
    gst_element_remove_pad(element, pad);
    return;
  }
  if (pad != impl.audio_pad) return;
  impl.audio.remove(GST_BIN(element));
  if (impl.mux_audio_pad) {
    gst_element_release_request_pad(impl.mux, impl.mux_audio_pad);
    gst_object_unref(impl.mux_audio_pad);
    impl.mux_audio_pad = nullptr;
  }
  if (impl.audio_queue) {
    gst_element_set_state(impl.audio_queue, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(element), impl.audio_queue);
    impl.audio_queue = nullptr;
  }
  impl.audio_pad = nullptr;
  gst_element_remove_pad(element, pad);
}

static void lp_rendition_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  RenditionImpl& impl = impl_of(object);
  std::lock_guard guard(impl.lock);
  Settings& s = impl.settings;
  switch (prop_id) {
    case PROP_PROFILE: {
      const char* text = g_value_get_string(value);
      std::string_view spec = text ? text : "";
      auto parsed = lp::parse_one_profile(spec);
      if (parsed) {
        s.profile = *parsed;
        s.error.reset();
      } else {
        s.error = parsed.error();
        GST_WARNING_OBJECT(object, "profile: %s", parsed.error().message.c_str());
      }
      break;
    }
    case PROP_WIDTH: s.profile.width = g_value_get_int(value); break;
    case PROP_HEIGHT: s.profile.height = g_value_get_int(value); break;
    case PROP_FPS:
      s.profile.fps = gst_value_get_fraction_numerator(value);
      s.profile.fps_den = gst_value_get_fraction_denominator(value);
      break;
    case PROP_BITRATE: s.profile.bitrate = g_value_get_int(value); break;
    case PROP_GOP: {
      auto gop = lp::parse_gop(g_value_get_string(value));
      if (gop) {
        s.profile.gop = *gop;
      } else {
        s.error = lp::Error{lp::ErrorCode::InvalidProfile,
                            std::string("gop: expected seconds or \"intra\", got \"") +
                                (g_value_get_string(value) ? g_value_get_string(value) : "") + "\""};
      }
      break;
    }
    case PROP_H264_PROFILE: s.profile.h264_profile = lp::to_h264_profile(g_value_get_enum(value)); break;
    case PROP_QUALITY: s.profile.quality = static_cast<int>(g_value_get_uint(value)); break;
    case PROP_SPEED_PRESET: s.speed_preset = static_cast<LpSpeedPreset>(g_value_get_enum(value)); break;
    case PROP_ENCODER: s.encoder = g_value_get_string(value) ? g_value_get_string(value) : lp::DEFAULT_ENCODER; break;
    case PROP_CONTAINER: s.container = static_cast<LpContainer>(g_value_get_enum(value)); break;
    case PROP_TIMESTAMP_OFFSET: impl.timestamp_offset = g_value_get_int64(value); break;
    case PROP_CUDA_DEVICE_ID: s.cuda_device = g_value_get_int(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
}

static void lp_rendition_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  RenditionImpl& impl = impl_of(object);
  std::lock_guard guard(impl.lock);
  const Settings& s = impl.settings;
  switch (prop_id) {
    case PROP_PROFILE: g_value_set_string(value, lp::profile_to_json(s.profile).c_str()); break;
    case PROP_WIDTH: g_value_set_int(value, s.profile.width); break;
    case PROP_HEIGHT: g_value_set_int(value, s.profile.height); break;
    case PROP_FPS: gst_value_set_fraction(value, s.profile.fps, std::max(1, s.profile.fps_den)); break;
    case PROP_BITRATE: g_value_set_int(value, s.profile.bitrate); break;
    case PROP_GOP: g_value_set_string(value, lp::gop_text(s.profile.gop).c_str()); break;
    case PROP_H264_PROFILE: g_value_set_enum(value, lp::from_h264_profile(s.profile.h264_profile)); break;
    case PROP_QUALITY: g_value_set_uint(value, static_cast<guint>(s.profile.quality)); break;
    case PROP_SPEED_PRESET: g_value_set_enum(value, s.speed_preset); break;
    case PROP_ENCODER: g_value_set_string(value, s.encoder.c_str()); break;
    case PROP_CONTAINER: g_value_set_enum(value, s.container); break;
    case PROP_TIMESTAMP_OFFSET: g_value_set_int64(value, impl.timestamp_offset.load()); break;
    case PROP_CUDA_DEVICE_ID: g_value_set_int(value, s.cuda_device); break;
    case PROP_FRAMES: g_value_set_uint64(value, impl.video.frames()); break;
    case PROP_PIXELS: g_value_set_uint64(value, impl.video.pixels()); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
}

static void lp_rendition_finalize(GObject* object) {
  if (GstElement* tee = LP_RENDITION(object)->impl.scaled_tee) gst_object_unref(tee);
  LP_RENDITION(object)->impl.~RenditionImpl();
  G_OBJECT_CLASS(lp_rendition_parent_class)->finalize(object);
}

static void lp_rendition_init(LpRendition* self) {
  new (&self->impl) RenditionImpl();
  RenditionImpl& impl = self->impl;
  g_autoptr(GstPadTemplate) video_templ = gst_static_pad_template_get(&video_template);
  g_autoptr(GstPadTemplate) src_templ = gst_static_pad_template_get(&src_template);
  impl.video_pad = gst_ghost_pad_new_no_target_from_template("video", video_templ);
  impl.src_pad = gst_ghost_pad_new_no_target_from_template("src", src_templ);
  gst_element_add_pad(GST_ELEMENT(self), impl.video_pad);
  gst_element_add_pad(GST_ELEMENT(self), impl.src_pad);
}

static void lp_rendition_class_init(LpRenditionClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = lp_rendition_set_property;
  gobject_class->get_property = lp_rendition_get_property;
  gobject_class->finalize = lp_rendition_finalize;
  element_class->change_state = lp_rendition_change_state;
  element_class->request_new_pad = lp_rendition_request_new_pad;
  element_class->release_pad = lp_rendition_release_pad;

  auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  auto ro = static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(
      gobject_class, PROP_PROFILE,
      g_param_spec_string("profile", "Profile",
                          "A preset name (P360p30fps16x9) or one go-livepeer JSON profile object; "
                          "sets all fields, later properties override",
                          nullptr, rw));
  g_object_class_install_property(
      gobject_class, PROP_WIDTH,
      g_param_spec_int("width", "Width", "Width of the box the video is fitted into (0: from height)", 0, 8192, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_HEIGHT,
      g_param_spec_int("height", "Height", "Height of the box the video is fitted into (0: from width)", 0, 8192, 0,
                       rw));
  g_object_class_install_property(
      gobject_class, PROP_FPS,
      gst_param_spec_fraction("fps", "Frame rate", "Output frame rate (0 keeps the source rate)", 0, 1, 1000, 1, 0, 1,
                              rw));
  g_object_class_install_property(
      gobject_class, PROP_BITRATE,
      g_param_spec_int("bitrate", "Bitrate", "Target bitrate in bit/s (also the VBV max rate)", 0, G_MAXINT, 0, rw));
  g_object_class_install_property(gobject_class, PROP_GOP,
                                  g_param_spec_string("gop", "GOP",
                                                      "Keyframe interval in seconds (\"2.0\"), or \"intra\"; "
                                                      "empty = 2 s",
                                                      nullptr, rw));
  g_object_class_install_property(gobject_class, PROP_H264_PROFILE,
                                  g_param_spec_enum("h264-profile", "H.264 profile", "H.264 profile of the output",
                                                    LP_TYPE_H264_PROFILE, LP_H264_PROFILE_UNSET, rw));
  g_object_class_install_property(
      gobject_class, PROP_QUALITY,
      g_param_spec_uint("quality", "Quality", "Constant quality (CRF) 1-51; 0 = bitrate mode", 0, 51, 0, rw));
  g_object_class_install_property(gobject_class, PROP_SPEED_PRESET,
                                  g_param_spec_enum("speed-preset", "Speed preset", "Encoder effort, as x264 names it",
                                                    LP_TYPE_SPEED_PRESET, lp::DEFAULT_SPEED_PRESET, rw));
  g_object_class_install_property(
      gobject_class, PROP_ENCODER,
      g_param_spec_string("encoder", "Encoder",
                          "Codec adapter: auto (the highest-ranked installed one for the profile's "
                          "codec) or a name: x264, openh264, x265, vpx-vp9, aom-av1, nvenc-h264, "
                          "nvenc-h265, or one a plugin registers",
                          lp::DEFAULT_ENCODER, rw));
  g_object_class_install_property(gobject_class, PROP_CONTAINER,
                                  g_param_spec_enum("container", "Container", "Output container (auto: by the codec)",
                                                    LP_TYPE_CONTAINER, lp::DEFAULT_CONTAINER, rw));
  g_object_class_install_property(
      gobject_class, PROP_TIMESTAMP_OFFSET,
      g_param_spec_int64(
          "timestamp-offset", "Timestamp offset",
          "Output PTS = input stream time + this (ns); lpladder sets it to carry "
          "the source's own MPEG-TS clock",
          G_MININT64, G_MAXINT64, 0,
          static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(
      gobject_class, PROP_CUDA_DEVICE_ID,
      g_param_spec_int("cuda-device-id", "CUDA device id",
                       "NVIDIA GPU for the CUDA elements and the encoder (an NVENC adapter's "
                       "element for it; encoder=auto may pick NVENC); -1: none for system-memory "
                       "input, the input's GPU for CUDA-memory input",
                       lp::DEFAULT_CUDA_DEVICE, lp::MAX_CUDA_DEVICE, lp::DEFAULT_CUDA_DEVICE, rw));
  g_object_class_install_property(
      gobject_class, PROP_FRAMES,
      g_param_spec_uint64("frames", "Frames", "Video frames encoded so far", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      gobject_class, PROP_PIXELS,
      g_param_spec_uint64("pixels", "Pixels", "Sum of width x height over encoded frames", 0, G_MAXUINT64, 0, ro));

  gst_element_class_add_static_pad_template(element_class, &video_template);
  gst_element_class_add_static_pad_template(element_class, &audio_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_add_static_pad_template(element_class, &scaled_template);
  gst_element_class_set_static_metadata(element_class, "lpgst rendition", "Codec/Encoder/Muxer/Bin",
                                        "Scales, rate-converts, encodes and muxes one ABR rendition", "lpgst");
  GST_DEBUG_CATEGORY_INIT(lp_rendition_debug, "lprendition", 0, "lpgst rendition");
}
