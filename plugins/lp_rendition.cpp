// lprendition: see lp_rendition.h. The bin holds a queue per input and the muxer from the
// start; the branches between them (scale/rate/encode for video, copy or AAC for audio) are
// built when the first caps arrive, because the output size, frame rate and GOP in frames
// depend on the input.
#include "lp_rendition.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "adapter_registry.h"
#include "element_defaults.h"
#include "lp_enums.h"
#include "profile.h"
#include "rendition_branch.h"
#include "rendition_format.h"
#include "rendition_properties.h"
#include "ts_clock.h"
#include "ts_restamp.h"

GST_DEBUG_CATEGORY_STATIC(lp_rendition_debug);
#define GST_CAT_DEFAULT lp_rendition_debug

namespace {

struct Settings {
  lp::Profile profile;
  LpSpeedPreset speed_preset = lp::DEFAULT_SPEED_PRESET;
  std::string encoder = lp::DEFAULT_ENCODER;
  LpContainer container = lp::DEFAULT_CONTAINER;
  int cuda_device = lp::DEFAULT_CUDA_DEVICE;
  std::optional<lp::Error> error;  // from a profile property that did not parse
};

struct RenditionImpl {
  std::mutex lock;  // guards settings
  Settings settings;
  std::atomic<gint64> timestamp_offset{0};

  // Children (owned by the bin once added).
  GstElement* video_queue = nullptr;
  GstElement* audio_queue = nullptr;
  GstElement* mux = nullptr;
  GstPad* mux_video_pad = nullptr;  // request pads, released in teardown
  GstPad* mux_audio_pad = nullptr;
  GstPad* video_pad = nullptr;  // our ghost pads
  GstPad* audio_pad = nullptr;
  GstPad* src_pad = nullptr;
  std::vector<GstPad*> scaled_pads;  // request pads: this rendition's scaled raw frames
  GstElement* scaled_tee = nullptr;  // behind them, between scaler and encoder
  bool built = false;
  // The container chosen at build(), read by streaming threads without lock.
  lp::OutputContainer container = lp::OutputContainer::MpegTs;

  lp::VideoBranch video;  // built on the first video caps
  lp::AudioBranch audio;  // built on the first audio caps
  lp::TsClock ts_clock;   // MPEG-TS output: the source's clock (ts_clock.h)
};

}  // namespace

struct _LpRendition {
  GstBin parent;
  RenditionImpl impl;
};

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

namespace {

RenditionImpl& impl_of(gpointer self) { return LP_RENDITION(self)->impl; }

// A branch is built on its input's first caps. An input that ends without ever having caps
// (the stream carried no frame at all) leaves its branch unbuilt and unlinked: its EOS would
// be dropped there and the muxer would wait for that pad forever. That is the segment's
// fault, said at once.
bool ended_without_caps(GstPad* pad, GstEvent* event) {
  return GST_EVENT_TYPE(event) == GST_EVENT_EOS && !gst_pad_has_current_caps(pad);
}

// Called with the input caps of a branch, in its streaming thread.
GstPadProbeReturn on_video_caps(GstPad* pad, GstPadProbeInfo* info, gpointer user_data) {
  auto* self = LP_RENDITION(user_data);
  RenditionImpl& impl = self->impl;
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (ended_without_caps(pad, event)) {
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("no decodable video in the segment"),
                      ("the video input ended before its first frame: truncated or corrupt input"));
    return GST_PAD_PROBE_DROP;
  }
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  lp::BranchConfig config;
  {
    std::lock_guard guard(impl.lock);
    config.profile = impl.settings.profile;
    config.speed_preset = lp_enum_nick(LP_TYPE_SPEED_PRESET, impl.settings.speed_preset);
    config.encoder = impl.settings.encoder;
    config.cuda_device = impl.settings.cuda_device;
  }
  if (auto error =
          impl.video.configure(GST_BIN(self), caps, config, impl.video_queue, impl.mux_video_pad, impl.scaled_tee)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->c_str()), (nullptr));
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn on_audio_caps(GstPad* pad, GstPadProbeInfo* info, gpointer user_data) {
  auto* self = LP_RENDITION(user_data);
  RenditionImpl& impl = self->impl;
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (ended_without_caps(pad, event)) {
    GST_ELEMENT_ERROR(self, STREAM, DEMUX, ("no decodable audio in the segment's audio stream"),
                      ("the audio input ended before its first frame: truncated or corrupt input"));
    return GST_PAD_PROBE_DROP;
  }
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  if (auto error = impl.audio.configure(GST_BIN(self), caps, impl.container, impl.audio_queue, impl.mux_audio_pad)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->c_str()), (nullptr));
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

// Shifts mpegtsmux's clock (3600 s at running time 0) onto the source's clock.
bool restamp_buffer(LpRendition* self, GstBuffer* buffer) {
  RenditionImpl& impl = self->impl;
  int64_t shift = impl.ts_clock.shift(impl.mux_video_pad, impl.timestamp_offset.load());
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return false;
  bool ok = lp::ts_shift_timestamps(map.data, map.size, shift);
  gst_buffer_unmap(buffer, &map);
  return ok;
}

void post_stats(LpRendition* self) {
  RenditionImpl& impl = self->impl;
  std::string profile_name;
  lp::VideoCodec codec;
  {
    std::lock_guard guard(impl.lock);
    profile_name = impl.settings.profile.name;
    codec = impl.settings.profile.codec;
  }
  guint64 frames = impl.video.frames();
  if (frames == 0) {
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("no video frames to encode: the segment decoded to nothing"), (nullptr));
    return;
  }
  GstStructure* s = gst_structure_new(
      "lprendition-stats", "name", G_TYPE_STRING, GST_OBJECT_NAME(self), "profile", G_TYPE_STRING, profile_name.c_str(),
      "width", G_TYPE_INT, impl.video.output_width(), "height", G_TYPE_INT, impl.video.output_height(), "frames",
      G_TYPE_UINT64, frames, "pixels", G_TYPE_UINT64, impl.video.pixels(), "codec", G_TYPE_STRING,
      lp::video_codec_name(codec), "container", G_TYPE_STRING, lp::container_name(impl.container), "video-path",
      G_TYPE_STRING, lp::video_path_name(impl.video.path()), nullptr);
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

// MPEG-TS output: each buffer into the muxer, nudged so its timestamps round (ts_clock.h).
GstPadProbeReturn on_mux_input(GstPad* pad, GstPadProbeInfo* info, gpointer user_data) {
  RenditionImpl& impl = impl_of(user_data);
  GST_PAD_PROBE_INFO_DATA(info) =
      impl.ts_clock.align(pad, GST_PAD_PROBE_INFO_BUFFER(info), impl.mux_video_pad, impl.timestamp_offset.load());
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn on_mux_output(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  auto* self = LP_RENDITION(user_data);
  bool ts = self->impl.container == lp::OutputContainer::MpegTs;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (!ts) return GST_PAD_PROBE_OK;
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    if (!restamp_buffer(self, buffer)) {
      GST_ELEMENT_ERROR(self, STREAM, MUX, ("muxer output is not whole 188-byte TS packets"), (nullptr));
      return GST_PAD_PROBE_DROP;
    }
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    if (!ts) return GST_PAD_PROBE_OK;
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    GST_PAD_PROBE_INFO_DATA(info) = list;
    for (guint i = 0; i < gst_buffer_list_length(list); ++i) {
      if (!restamp_buffer(self, gst_buffer_list_get_writable(list, i))) {
        GST_ELEMENT_ERROR(self, STREAM, MUX, ("muxer output is not whole 188-byte TS packets"), (nullptr));
        return GST_PAD_PROBE_DROP;
      }
    }
  } else if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
    post_stats(self);
  }
  return GST_PAD_PROBE_OK;
}

void add_audio_input(LpRendition* self) {
  RenditionImpl& impl = self->impl;
  bool ts = impl.container == lp::OutputContainer::MpegTs;
  impl.audio_queue = gst_element_factory_make("queue", "audio_queue");
  // Bounded by bytes only: audio may run far ahead of the video still inside the encoder (a
  // segment whose audio outlasts its video ends with seconds of audio alone), and a queue
  // full by time would block the demuxer before it reaches the video's end: a deadlock.
  g_object_set(impl.audio_queue, "max-size-time", guint64{0}, "max-size-buffers", 0u, "max-size-bytes", 64u << 20,
               nullptr);
  gst_bin_add(GST_BIN(self), impl.audio_queue);
  impl.mux_audio_pad = gst_element_request_pad_simple(impl.mux, ts ? "sink_%d" : "audio_%u");
  if (ts) gst_pad_add_probe(impl.mux_audio_pad, GST_PAD_PROBE_TYPE_BUFFER, on_mux_input, self, nullptr);
  g_autoptr(GstPad) queue_sink = gst_element_get_static_pad(impl.audio_queue, "sink");
  g_autoptr(GstPad) queue_src = gst_element_get_static_pad(impl.audio_queue, "src");
  gst_ghost_pad_set_target(GST_GHOST_PAD(impl.audio_pad), queue_sink);
  gst_pad_add_probe(queue_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_audio_caps, self, nullptr);
  gst_element_sync_state_with_parent(impl.audio_queue);
}

// NULL -> READY: validates the settings and creates the fixed part of the bin.
bool build(LpRendition* self) {
  RenditionImpl& impl = self->impl;
  Settings settings;
  {
    std::lock_guard guard(impl.lock);
    settings = impl.settings;
  }
  if (settings.error) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("invalid profile: %s", settings.error->message.c_str()), (nullptr));
    return false;
  }
  if (settings.profile.width <= 0 && settings.profile.height <= 0) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("no output size: set profile, or width and height"), (nullptr));
    return false;
  }
  if (settings.profile.bitrate <= 0 && settings.profile.quality <= 0) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("bitrate: required unless quality (CRF) is set"), (nullptr));
    return false;
  }
  auto adapter = lp::find_codec_adapter(settings.encoder, settings.profile.codec, settings.cuda_device);
  if (!adapter) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", adapter.error().message.c_str()), (nullptr));
    return false;
  }
  // The container follows the adapter's codec; a profile naming one overrides the property.
  auto container = lp::choose_container(lp::requested_container(settings.container, settings.profile.container),
                                        (*adapter)->codec());
  if (!container) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", container.error().message.c_str()), (nullptr));
    return false;
  }
  impl.container = *container;
  const char* muxer = lp::muxer_factory(*container);
  impl.mux = gst_element_factory_make(muxer, "mux");
  impl.video_queue = gst_element_factory_make("queue", "video_queue");
  if (!impl.mux || !impl.video_queue) {
    GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("muxer '%s' is not installed", muxer), (nullptr));
    if (impl.mux) gst_object_unref(impl.mux);
    if (impl.video_queue) gst_object_unref(impl.video_queue);
    impl.mux = impl.video_queue = nullptr;
    return false;
  }
  // Fragmented or streamable, so the output streams to non-seekable sinks (appsink, HTTP).
  if (*container == lp::OutputContainer::Mp4)
    g_object_set(impl.mux, "fragment-duration", 1000u, "streamable", TRUE, nullptr);
  if (*container == lp::OutputContainer::WebM) g_object_set(impl.mux, "streamable", TRUE, nullptr);
  gst_bin_add_many(GST_BIN(self), impl.video_queue, impl.mux, nullptr);
  bool ts = *container == lp::OutputContainer::MpegTs;
  impl.mux_video_pad = gst_element_request_pad_simple(impl.mux, ts ? "sink_%d" : "video_%u");
  if (ts) gst_pad_add_probe(impl.mux_video_pad, GST_PAD_PROBE_TYPE_BUFFER, on_mux_input, self, nullptr);

  g_autoptr(GstPad) queue_sink = gst_element_get_static_pad(impl.video_queue, "sink");
  g_autoptr(GstPad) queue_src = gst_element_get_static_pad(impl.video_queue, "src");
  gst_ghost_pad_set_target(GST_GHOST_PAD(impl.video_pad), queue_sink);
  gst_pad_add_probe(queue_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_video_caps, self, nullptr);

  g_autoptr(GstPad) mux_src = gst_element_get_static_pad(impl.mux, "src");
  gst_ghost_pad_set_target(GST_GHOST_PAD(impl.src_pad), mux_src);
  gst_pad_add_probe(mux_src,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                                 GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    on_mux_output, self, nullptr);
  if (impl.audio_pad) add_audio_input(self);
  impl.built = true;
  return true;
}

// READY -> NULL: removes everything, so changed properties apply on the next start.
void teardown(LpRendition* self) {
  RenditionImpl& impl = self->impl;
  if (!impl.built) return;
  impl.video.remove(GST_BIN(self));
  impl.audio.remove(GST_BIN(self));
  gst_ghost_pad_set_target(GST_GHOST_PAD(impl.video_pad), nullptr);
  gst_ghost_pad_set_target(GST_GHOST_PAD(impl.src_pad), nullptr);
  if (impl.audio_pad) gst_ghost_pad_set_target(GST_GHOST_PAD(impl.audio_pad), nullptr);
  for (GstPad** pad : {&impl.mux_video_pad, &impl.mux_audio_pad}) {
    if (*pad) {
      gst_element_release_request_pad(impl.mux, *pad);
      gst_object_unref(*pad);
      *pad = nullptr;
    }
  }
  for (GstElement** e : {&impl.video_queue, &impl.audio_queue, &impl.mux}) {
    if (*e) {
      gst_element_set_state(*e, GST_STATE_NULL);
      gst_bin_remove(GST_BIN(self), *e);
      *e = nullptr;
    }
  }
  impl.ts_clock.reset();
  impl.built = false;
}

}  // namespace

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
