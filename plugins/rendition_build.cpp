// lprendition: what it builds inside itself (rendition_impl.h): the fixed part at NULL ->
// READY (queues, muxer, ghost pads), the video and audio branches on their first caps, the
// muxer's probes (MPEG-TS restamping onto the source's clock) and the stats at EOS.
#include <algorithm>

#include "adapter_registry.h"
#include "rendition_impl.h"
#include "rendition_properties.h"
#include "ts_restamp.h"

#define GST_CAT_DEFAULT lp_rendition_debug

namespace lp::rendition {
namespace {

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
          impl.video.configure(GST_BIN(self), caps, config, impl.video_queue, impl.mux_video_pad, impl.scaled_tee);
      !error.ok()) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error.error().message.c_str()), (nullptr));
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
  if (auto error = impl.audio.configure(GST_BIN(self), caps, impl.container, impl.audio_queue, impl.mux_audio_pad);
      !error.ok()) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error.error().message.c_str()), (nullptr));
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

}  // namespace

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

}  // namespace lp::rendition
