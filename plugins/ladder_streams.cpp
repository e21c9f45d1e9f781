// lpladder: what each run's streams add (ladder_impl.h): the demuxed pads wired to the
// decoder and the video tee, the audio tee into every rendition, and the probes on the way
// (the source clock's scanner, the first coded frame, the decoded video's counts).
#include <cinttypes>

#include "ladder_impl.h"
#include "nv_decoder.h"

#define GST_CAT_DEFAULT lp_ladder_debug

namespace lp::ladder {
namespace {

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
  {
    std::lock_guard guard(impl.lock);
    offset = impl.scanner.stream_time_offset(GST_BUFFER_PTS(buffer), stream_time, keyframe);
  }
  if (offset) {
    GST_DEBUG_OBJECT(self, "PTS %" GST_TIME_FORMAT ", stream time %" GST_TIME_FORMAT ": timestamp-offset %" PRId64,
                     GST_TIME_ARGS(GST_BUFFER_PTS(buffer)), GST_TIME_ARGS(stream_time), *offset);
    RenditionsNow renditions(impl);
    for (GstElement* r : renditions.list())
      if (r) g_object_set(r, "timestamp-offset", static_cast<gint64>(*offset), nullptr);
  }
  return GST_PAD_PROBE_REMOVE;
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
  GstElement* tee = make("tee", "audio_tee");
  {
    std::lock_guard guard(impl.lock);
    impl.audio_tee = tee;
  }
  add_for_run(self, tee);
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(tee, "sink");
  RenditionsNow renditions(impl);
  for (GstElement* r : renditions.list()) {
    if (!r) continue;
    g_autoptr(GstPad) audio_in = gst_element_request_pad_simple(r, "audio");
    g_autoptr(GstPad) tee_src = gst_element_request_pad_simple(tee, "src_%u");
    if (audio_in && GST_PAD_LINK_FAILED(gst_pad_link(tee_src, audio_in)))
      GST_WARNING_OBJECT(self, "cannot link audio into %s", GST_OBJECT_NAME(r));
  }
  gst_element_sync_state_with_parent(tee);
  GstPadLinkReturn ret = gst_pad_link(pad, tee_sink);
  if (GST_PAD_LINK_FAILED(ret)) {
    // Muxers would wait forever for audio that cannot come: drop it, keep the video.
    GST_WARNING_OBJECT(self, "cannot link the audio stream (%s): renditions get no audio", gst_pad_link_get_name(ret));
    for (GstElement* r : renditions.list()) {
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
  GST_ELEMENT_ERROR(self, STREAM, WRONG_TYPE, ("segment has no video stream"), ("first stream found: %s", found));
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
  if (!gst_element_link(chain->decoder, chain->filter) || GST_PAD_LINK_FAILED(gst_pad_link(filter_src, tee_sink)))
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

}  // namespace

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

// Every decoded video frame (and event) on its way to the renditions: checks the timeline,
// counts frames and pixels, reports them at EOS (decoded_video.h).
GstPadProbeReturn on_decoded_data(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = LP_LADDER(data);
  return self->impl.decoded.on_data(GST_ELEMENT(self), info);
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
    gst_pad_add_probe(pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM), check_video_exists, self,
                      nullptr);
  }
  bool audio_linked;
  {
    std::lock_guard guard(impl.lock);
    audio_linked = impl.audio_tee != nullptr;
  }
  if (first_video) {
    decode_video(self, pad, caps);
  } else if (g_str_has_prefix(name, "audio/") && !audio_linked) {
    link_audio_to_renditions(self, pad);
  } else {
    link_to_fakesink(self, pad);
  }
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
                     " bytes without exposing a stream: truncated or corrupt input?",
                     read));
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
  RenditionsNow renditions(impl);
  for (GstElement* r : renditions.list()) {
    if (!r) continue;
    if (g_autoptr(GstPad) audio_in = gst_element_get_static_pad(r, "audio"))
      gst_element_release_request_pad(r, audio_in);
  }
  for (GstElement* e : added) {
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(self), e);
  }
}

}  // namespace lp::ladder
