// lpladder: see lp_ladder.h.
//
//   sink -> parsebin -+- video -> decodebin -> tee -+-> lprendition 0 -> src_0
//                     |                             +-> lprendition 1 -> src_1 ...
//                     +- audio -> tee ------------------^ (each rendition's audio pad)
//
// Renditions exist only for requested src pads, so unlinked profiles cost nothing.
#include "lp_ladder.h"

#include <cinttypes>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "decoded_video.h"
#include "demux_guards.h"
#include "ladder_cascade.h"
#include "lp_enums.h"
#include "nv_decoder.h"
#include "profile.h"
#include "source_timestamps.h"

GST_DEBUG_CATEGORY_STATIC(lp_ladder_debug);
#define GST_CAT_DEFAULT lp_ladder_debug

namespace {

struct LadderImpl {
  std::mutex lock;  // guards everything below that streaming threads touch
  std::string profiles_spec;
  std::vector<lp::Profile> profiles;
  std::optional<lp::Error> error;
  LpSpeedPreset speed_preset = LP_SPEED_PRESET_VERYFAST;
  std::string encoder = "auto";
  LpContainer container = LP_CONTAINER_AUTO;
  int cuda_device = -1;  // GPU to decode (H.264/HEVC) and scale on; -1: the CPU

  GstElement* parsebin = nullptr;  // children, owned by the bin
  GstElement* video_tee = nullptr;
  GstElement* audio_tee = nullptr;
  std::vector<GstElement*> renditions;  // by profile index, a ref each; null until requested
  bool have_video = false;
  std::vector<GstElement*> per_run;  // added for this run's streams, removed when it stops

  lp::SourceTimestampScanner scanner;
  guint64 scanned_to = 0;  // next byte offset the scanner expects

  lp::DemuxWatchdog watchdog;  // fed bytes and exposed streams; see on_demuxer_stalled

  // The decoded video's timeline and counts (on_decoded_data), reset per run; its own lock.
  lp::DecodedVideoMonitor decoded;
};

}  // namespace

struct _LpLadder {
  GstBin parent;
  LadderImpl impl;
};

G_DEFINE_TYPE(LpLadder, lp_ladder, GST_TYPE_BIN)

enum { PROP_0, PROP_PROFILES, PROP_SPEED_PRESET, PROP_ENCODER, PROP_CONTAINER, PROP_CUDA_DEVICE_ID,
       PROP_DECODED_FRAMES, PROP_DECODED_PIXELS };

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src_%u", GST_PAD_SRC, GST_PAD_REQUEST, GST_STATIC_CAPS("video/mpegts; video/quicktime; video/webm"));

namespace {

GstElement* make(const char* factory, const char* name = nullptr) {
  return gst_element_factory_make(factory, name);
}

// Feeds the segment's bytes, in order, to the scanner that finds the source's 90 kHz clock.
void scan_bytes(LpLadder* self, GstPad* sink, GstBuffer* buffer) {
  LadderImpl& impl = self->impl;
  std::unique_lock guard(impl.lock);
  impl.watchdog.input_arrived();
  if (impl.scanner.done()) return;
  // Readers overlap (typefind reads 0-4096, then 4032-...) and seek (pull mode): feed only
  // bytes that continue exactly where the scanner stopped.
  guint64 offset = GST_BUFFER_OFFSET_IS_VALID(buffer) ? GST_BUFFER_OFFSET(buffer) : impl.scanned_to;
  guint64 end = offset + gst_buffer_get_size(buffer);
  if (offset > impl.scanned_to || end <= impl.scanned_to) return;
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return;
  bool was_unknown = impl.scanner.container() == lp::SourceTimestampScanner::Container::Unknown;
  gsize skip = static_cast<gsize>(impl.scanned_to - offset);
  impl.scanner.feed(map.data + skip, map.size - skip);
  impl.scanned_to = end;
  gst_buffer_unmap(buffer, &map);
  bool is_ts = impl.scanner.container() == lp::SourceTimestampScanner::Container::MpegTs;
  guard.unlock();
  if (was_unknown && is_ts) lp::check_ts_size(GST_ELEMENT(self), sink);
}

struct ScanContext {
  LpLadder* self;
  GstPad* sink;
};

gboolean scan_list_item(GstBuffer** buffer, guint, gpointer data) {
  auto* ctx = static_cast<ScanContext*>(data);
  scan_bytes(ctx->self, ctx->sink, *buffer);
  return TRUE;
}

GstPadProbeReturn on_segment_bytes(GstPad* sink, GstPadProbeInfo* info, gpointer data) {
  auto* self = LP_LADDER(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info)) scan_bytes(self, sink, buffer);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    ScanContext ctx{self, sink};
    gst_buffer_list_foreach(GST_PAD_PROBE_INFO_BUFFER_LIST(info), scan_list_item, &ctx);
  }
  return GST_PAD_PROBE_OK;
}

// The first encoded video frame entering the decoder: from its stream time and the PTS the
// source carried for it, tell every rendition how to put the source's clock back.
GstPadProbeReturn on_first_coded_frame(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = LP_LADDER(data);
  LadderImpl& impl = self->impl;
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
  guint64 stream_time = GST_BUFFER_PTS(buffer);
  if (GstEvent* event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)) {
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(event, &segment);
    guint64 st = gst_segment_to_stream_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (GST_CLOCK_TIME_IS_VALID(st)) stream_time = st;
    gst_event_unref(event);
  }
  bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  std::optional<int64_t> offset;
  std::vector<GstElement*> renditions;
  {
    std::lock_guard guard(impl.lock);
    offset = impl.scanner.stream_time_offset(GST_BUFFER_PTS(buffer), stream_time, keyframe);
    renditions = impl.renditions;
  }
  if (offset) {
    GST_DEBUG_OBJECT(self, "PTS %" GST_TIME_FORMAT ", stream time %" GST_TIME_FORMAT
                     ": timestamp-offset %" PRId64, GST_TIME_ARGS(GST_BUFFER_PTS(buffer)),
                     GST_TIME_ARGS(stream_time), *offset);
    for (GstElement* r : renditions)
      if (r) g_object_set(r, "timestamp-offset", static_cast<gint64>(*offset), nullptr);
  }
  return GST_PAD_PROBE_REMOVE;
}

// Every decoded video frame (and event) on its way to the renditions: checks the timeline,
// counts frames and pixels, reports them at EOS (decoded_video.h).
GstPadProbeReturn on_decoded_data(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = LP_LADDER(data);
  return self->impl.decoded.on_data(GST_ELEMENT(self), info);
}

// Adds an element that only this run's streams need.
void add_for_run(LpLadder* self, GstElement* element) {
  gst_bin_add(GST_BIN(self), element);
  std::lock_guard guard(self->impl.lock);
  self->impl.per_run.push_back(element);
}

void link_to_fakesink(LpLadder* self, GstPad* pad) {
  GstElement* sink = make("fakesink");
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  add_for_run(self, sink);
  g_autoptr(GstPad) sink_pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_link(pad, sink_pad);
  gst_element_sync_state_with_parent(sink);
}

void on_decoded_video(GstElement*, GstPad* pad, gpointer data) {
  auto* self = LP_LADDER(data);
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(self->impl.video_tee, "sink");
  if (gst_pad_is_linked(tee_sink)) {
    link_to_fakesink(self, pad);
    return;
  }
  gst_pad_link(pad, tee_sink);
}

void link_audio_to_renditions(LpLadder* self, GstPad* pad) {
  LadderImpl& impl = self->impl;
  impl.audio_tee = make("tee", "audio_tee");
  add_for_run(self, impl.audio_tee);
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(impl.audio_tee, "sink");
  for (GstElement* r : impl.renditions) {
    if (!r) continue;
    g_autoptr(GstPad) audio_in = gst_element_request_pad_simple(r, "audio");
    g_autoptr(GstPad) tee_src = gst_element_request_pad_simple(impl.audio_tee, "src_%u");
    if (audio_in && GST_PAD_LINK_FAILED(gst_pad_link(tee_src, audio_in)))
      GST_WARNING_OBJECT(self, "cannot link audio into %s", GST_OBJECT_NAME(r));
  }
  gst_element_sync_state_with_parent(impl.audio_tee);
  GstPadLinkReturn ret = gst_pad_link(pad, tee_sink);
  if (GST_PAD_LINK_FAILED(ret)) {
    // Muxers would wait forever for audio that cannot come: drop it, keep the video.
    GST_WARNING_OBJECT(self, "cannot link the audio stream (%s): renditions get no audio",
                       gst_pad_link_get_name(ret));
    for (GstElement* r : impl.renditions) {
      if (!r) continue;
      if (g_autoptr(GstPad) audio_in = gst_element_get_static_pad(r, "audio"))
        gst_element_release_request_pad(r, audio_in);
    }
    link_to_fakesink(self, pad);
  }
}

// parsebin exposes all streams before data flows on any of them (and in 1.22 never emits
// no-more-pads), so once data flows on a non-video stream, a segment without video is known.
GstPadProbeReturn check_video_exists(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = LP_LADDER(data);
  bool data_flows = (info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST)) ||
                    GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS;
  if (!data_flows) return GST_PAD_PROBE_OK;
  bool have_video;
  {
    std::lock_guard guard(self->impl.lock);
    have_video = self->impl.have_video;
  }
  if (have_video) return GST_PAD_PROBE_REMOVE;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  g_autofree char* found = caps ? gst_caps_to_string(caps) : g_strdup("unknown");
  GST_ELEMENT_ERROR(self, STREAM, WRONG_TYPE, ("segment has no video stream"),
                    ("first stream found: %s", found));
  return GST_PAD_PROBE_DROP;
}

// NVDEC on the ladder's GPU (frames stay in CUDA memory) for H.264 and HEVC; decodebin on
// the CPU for everything else and for the CPU path.
GstElement* make_gpu_decoder(LpLadder* self, GstPad* pad, GstCaps* caps) {
  int device;
  {
    std::lock_guard guard(self->impl.lock);
    device = self->impl.cuda_device;
  }
  auto kind = device >= 0 ? lp::nv_decoder_kind(caps) : std::nullopt;
  if (!kind) return nullptr;
  auto chain = lp::make_nv_decode_chain(*kind, device);
  if (!chain) {
    GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("%s", chain.error().message.c_str()), (nullptr));
    link_to_fakesink(self, pad);  // the one error is ours, not a not-linked one after it
    return nullptr;
  }
  gst_object_set_name(GST_OBJECT(chain->decoder), "video_decoder");
  gst_object_set_name(GST_OBJECT(chain->filter), "cuda_memory");
  add_for_run(self, chain->decoder);
  add_for_run(self, chain->filter);
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(self->impl.video_tee, "sink");
  g_autoptr(GstPad) filter_src = gst_element_get_static_pad(chain->filter, "src");
  if (!gst_element_link(chain->decoder, chain->filter) ||
      GST_PAD_LINK_FAILED(gst_pad_link(filter_src, tee_sink)))
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("cannot link the NVDEC decoder"), (nullptr));
  gst_element_sync_state_with_parent(chain->filter);
  return chain->decoder;
}

void decode_video(LpLadder* self, GstPad* pad, GstCaps* caps) {
  GstElement* decoder = make_gpu_decoder(self, pad, caps);
  if (!decoder && gst_pad_is_linked(pad)) return;  // failed: the error is posted
  if (!decoder) {
    decoder = make("decodebin", "video_decoder");
    add_for_run(self, decoder);
    g_signal_connect(decoder, "pad-added", G_CALLBACK(on_decoded_video), self);
  }
  g_autoptr(GstPad) decoder_sink = gst_element_get_static_pad(decoder, "sink");
  gst_pad_add_probe(decoder_sink, GST_PAD_PROBE_TYPE_BUFFER, on_first_coded_frame, self, nullptr);
  gst_element_sync_state_with_parent(decoder);
  if (GST_PAD_LINK_FAILED(gst_pad_link(pad, decoder_sink))) {
    g_autofree char* text = gst_caps_to_string(caps);
    GST_ELEMENT_ERROR(self, STREAM, CODEC_NOT_FOUND,
                      ("%s cannot decode this video", GST_OBJECT_NAME(gst_element_get_factory(decoder))),
                      ("caps: %s", text));
  }
}

void on_demuxed_pad(GstElement*, GstPad* pad, gpointer data) {
  auto* self = LP_LADDER(data);
  LadderImpl& impl = self->impl;
  lp::SourceTimestampScanner::Container container;
  {
    std::lock_guard guard(impl.lock);
    impl.watchdog.streams_exposed();
    container = impl.scanner.container();
  }
  if (container == lp::SourceTimestampScanner::Container::MpegPs ||
      container == lp::SourceTimestampScanner::Container::Matroska)
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, lp::open_segment, nullptr, nullptr);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const char* name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  g_autofree char* caps_text = gst_caps_to_string(caps);
  GST_DEBUG_OBJECT(self, "stream %s: %s", GST_PAD_NAME(pad), caps_text);
  bool first_video = false;
  if (g_str_has_prefix(name, "video/")) {
    std::lock_guard guard(impl.lock);
    first_video = !impl.have_video;
    impl.have_video = true;
  } else {
    gst_pad_add_probe(pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM),
                      check_video_exists, self, nullptr);
  }
  if (first_video) {
    decode_video(self, pad, caps);
  } else if (g_str_has_prefix(name, "audio/") && !impl.audio_tee) {
    link_audio_to_renditions(self, pad);
  } else {
    link_to_fakesink(self, pad);
  }
}

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
void wire_video(LpLadder* self) {
  LadderImpl& impl = self->impl;
  std::vector<bool> requested;
  for (GstElement* r : impl.renditions) requested.push_back(r != nullptr);
  requested.resize(impl.profiles.size(), false);
  for (size_t i = 0; i < impl.renditions.size(); ++i) {
    GstElement* r = impl.renditions[i];
    if (!r) continue;
    g_autoptr(GstPad) video_in = gst_element_get_static_pad(r, "video");
    if (gst_pad_is_linked(video_in)) continue;
    auto parent = lp::cascade_parent(impl.profiles, requested, i);
    if (parent) {
      GST_DEBUG_OBJECT(self, "%s scales from %s", impl.profiles[i].name.c_str(),
                       impl.profiles[*parent].name.c_str());
      link_video(self, r, impl.renditions[*parent], "scaled_%u");
    } else {
      link_video(self, r, impl.video_tee, "src_%u");
    }
  }
}

GstElement* make_rendition(LpLadder* self, guint index) {
  LadderImpl& impl = self->impl;
  g_autofree char* name = g_strdup_printf("rendition_%u", index);
  GstElement* r = make("lprendition", name);
  std::string profile = lp::profile_to_json(impl.profiles[index]);
  g_object_set(r, "profile", profile.c_str(), "speed-preset", impl.speed_preset, "encoder",
               impl.encoder.c_str(), "container", impl.container, "cuda-device-id",
               impl.cuda_device, nullptr);
  gst_bin_add(GST_BIN(self), r);
  // Video is wired when the ladder starts (wire_video), when every rendition is known.
  if (GST_STATE(self) > GST_STATE_NULL) link_video(self, r, impl.video_tee, "src_%u");
  gst_element_sync_state_with_parent(r);
  // Our own ref: GstBin drops its children before GstElement releases request pads.
  return GST_ELEMENT(gst_object_ref(r));
}

void on_demuxer_stalled(GstElement* element) {
  auto* self = LP_LADDER(element);
  guint64 read;
  {
    std::lock_guard guard(self->impl.lock);
    read = self->impl.scanned_to;
  }
  GST_ELEMENT_ERROR(self, STREAM, DEMUX, ("no stream found in the segment"),
                    ("the demuxer stopped reading after %" G_GUINT64_FORMAT
                     " bytes without exposing a stream: truncated or corrupt input?", read));
}

// PAUSED -> READY: drops what this run's streams added, so the next run starts clean.
void forget_streams(LpLadder* self) {
  self->impl.watchdog.stop();
  LadderImpl& impl = self->impl;
  std::vector<GstElement*> added;
  {
    std::lock_guard guard(impl.lock);
    added.swap(impl.per_run);
    impl.have_video = false;
    impl.audio_tee = nullptr;
  }
  for (GstElement* r : impl.renditions) {
    if (!r) continue;
    if (g_autoptr(GstPad) audio_in = gst_element_get_static_pad(r, "audio"))
      gst_element_release_request_pad(r, audio_in);
  }
  for (GstElement* e : added) {
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(self), e);
  }
}

}  // namespace

static GstPad* lp_ladder_request_new_pad(GstElement* element, GstPadTemplate* templ,
                                         const gchar* name, const GstCaps*) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  std::lock_guard guard(impl.lock);
  guint index = 0;
  if (name && sscanf(name, "src_%u", &index) != 1) return nullptr;
  if (impl.error) {
    // A pad without a rendition, so linking succeeds and starting reports the real problem.
    g_autofree char* pad_name = g_strdup_printf("src_%u", index);
    GstPad* ghost = gst_ghost_pad_new_no_target_from_template(pad_name, templ);
    gst_element_add_pad(element, ghost);
    return ghost;
  }
  if (!name) {
    while (index < impl.renditions.size() && impl.renditions[index]) ++index;
  }
  if (index >= impl.profiles.size()) {
    GST_WARNING_OBJECT(self, "src_%u requested but there are %zu profiles (%s)", index,
                       impl.profiles.size(), profile_list_text(impl.profiles).c_str());
    return nullptr;
  }
  if (impl.renditions.size() < impl.profiles.size()) impl.renditions.resize(impl.profiles.size());
  if (impl.renditions[index]) return nullptr;
  impl.renditions[index] = make_rendition(self, index);
  g_autoptr(GstPad) target = gst_element_get_static_pad(impl.renditions[index], "src");
  g_autofree char* pad_name = g_strdup_printf("src_%u", index);
  GstPad* ghost = gst_ghost_pad_new_from_template(pad_name, target, templ);
  gst_pad_set_active(ghost, TRUE);
  gst_element_add_pad(element, ghost);
  return ghost;
}

static void lp_ladder_release_pad(GstElement* element, GstPad* pad) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  guint index = 0;
  if (sscanf(GST_PAD_NAME(pad), "src_%u", &index) == 1 && index < impl.renditions.size() &&
      impl.renditions[index]) {
    GstElement* r = impl.renditions[index];
    if (GST_OBJECT_PARENT(r) == GST_OBJECT(self)) {
      gst_element_set_state(r, GST_STATE_NULL);
      gst_bin_remove(GST_BIN(self), r);
    }
    gst_object_unref(r);
    impl.renditions[index] = nullptr;
  }
  gst_element_remove_pad(element, pad);
}

static GstStateChangeReturn lp_ladder_change_state(GstElement* element, GstStateChange transition) {
  auto* self = LP_LADDER(element);
  LadderImpl& impl = self->impl;
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    std::lock_guard guard(impl.lock);
    if (impl.error) {
      GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("invalid profiles: %s", impl.error->message.c_str()),
                        (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    bool any = false;
    for (GstElement* r : impl.renditions) any = any || r;
    if (any) wire_video(self);
    if (!any) {
      GST_ELEMENT_ERROR(self, CORE, PAD, ("no rendition requested: link src_0 ... src_%zu",
                                          impl.profiles.empty() ? 0 : impl.profiles.size() - 1),
                        ("profiles: %s", profile_list_text(impl.profiles).c_str()));
      return GST_STATE_CHANGE_FAILURE;
    }
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

static void lp_ladder_set_property(GObject* object, guint prop_id, const GValue* value,
                                   GParamSpec* pspec) {
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
    case PROP_ENCODER: impl.encoder = g_value_get_string(value) ? g_value_get_string(value) : "auto"; break;
    case PROP_CONTAINER: impl.container = static_cast<LpContainer>(g_value_get_enum(value)); break;
    case PROP_CUDA_DEVICE_ID: impl.cuda_device = g_value_get_int(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
}

static void lp_ladder_get_property(GObject* object, guint prop_id, GValue* value,
                                   GParamSpec* pspec) {
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
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    on_decoded_data, self, nullptr);
  g_signal_connect(impl.parsebin, "pad-added", G_CALLBACK(on_demuxed_pad), self);
  g_autoptr(GstPad) target = gst_element_get_static_pad(impl.parsebin, "sink");
  g_autoptr(GstPadTemplate) templ = gst_static_pad_template_get(&sink_template);
  GstPad* sink = gst_ghost_pad_new_from_template("sink", target, templ);
  gst_pad_add_probe(sink,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_BUFFER_LIST |
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

  auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                     GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(gobject_class, PROP_PROFILES,
      g_param_spec_string("profiles", "Profiles",
                          "Comma list of presets (P720p30fps16x9,P360p30fps16x9), an inline JSON "
                          "array, or the path of a JSON file, as go-livepeer's -transcodingOptions",
                          nullptr, rw));
  g_object_class_install_property(gobject_class, PROP_SPEED_PRESET,
      g_param_spec_enum("speed-preset", "Speed preset", "Encoder effort for every rendition",
                        LP_TYPE_SPEED_PRESET, LP_SPEED_PRESET_VERYFAST, rw));
  g_object_class_install_property(gobject_class, PROP_ENCODER,
      g_param_spec_string("encoder", "Encoder", "Codec adapter for every rendition: auto (by "
                          "codec), x264, openh264, x265, vpx-vp9, aom-av1, nvenc-h264, "
                          "nvenc-h265 or a plugin's", "auto", rw));
  g_object_class_install_property(gobject_class, PROP_CONTAINER,
      g_param_spec_enum("container", "Container", "Output container of every rendition (auto: "
                        "by its codec)", LP_TYPE_CONTAINER, LP_CONTAINER_AUTO, rw));
  g_object_class_install_property(gobject_class, PROP_CUDA_DEVICE_ID,
      g_param_spec_int("cuda-device-id", "CUDA device id",
                       "NVIDIA GPU to decode H.264/HEVC (NVDEC), scale and encode on (NVENC when "
                       "it has one, else the CPU: the hybrid path); -1: all on the CPU",
                       -1, 1023, -1, rw));
  auto ro = static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(gobject_class, PROP_DECODED_FRAMES,
      g_param_spec_uint64("decoded-frames", "Decoded frames", "Video frames decoded this run "
                          "(also in the lpladder-stats message at EOS)", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(gobject_class, PROP_DECODED_PIXELS,
      g_param_spec_uint64("decoded-pixels", "Decoded pixels", "Sum of width x height over the "
                          "video frames decoded this run", 0, G_MAXUINT64, 0, ro));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "lpgst ABR ladder", "Codec/Transcoder/Bin",
      "Demuxes and decodes one segment once and encodes it into a ladder of renditions", "lpgst");
  GST_DEBUG_CATEGORY_INIT(lp_ladder_debug, "lpladder", 0, "lpgst ABR ladder");
}
