#include "demux_guards.h"

#include "ts_restamp.h"

namespace lp {
namespace {

constexpr gint64 kDemuxerIdleUs = 3 * G_USEC_PER_SEC;

// True when `pad`'s peer already has this segment.
bool peer_has_segment(GstPad* pad, const GstSegment* segment) {
  g_autoptr(GstPad) peer = gst_pad_get_peer(pad);
  GstEvent* current = peer ? gst_pad_get_sticky_event(peer, GST_EVENT_SEGMENT, 0) : nullptr;
  if (!current) return false;
  const GstSegment* seg = nullptr;
  gst_event_parse_segment(current, &seg);
  bool same = gst_segment_is_equal(seg, segment);
  gst_event_unref(current);
  return same;
}

}  // namespace

void check_ts_size(GstElement* owner, GstPad* sink) {
  gint64 size = -1;
  if (!gst_pad_peer_query_duration(sink, GST_FORMAT_BYTES, &size) || size <= 0) return;
  if (size % kTsPacketSize != 0 && size % 192 != 0) {
    GST_ELEMENT_ERROR(
        owner, STREAM, DEMUX,
        ("truncated MPEG-TS segment: %" G_GINT64_FORMAT " bytes is not a whole number of 188-byte packets", size),
        (nullptr));
  }
}

GstPadProbeReturn open_segment(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_SEGMENT) return GST_PAD_PROBE_OK;
  const GstSegment* seg = nullptr;
  gst_event_parse_segment(event, &seg);
  if (seg->format != GST_FORMAT_TIME || seg->start == 0 || seg->rate != 1.0) return GST_PAD_PROBE_OK;
  GstSegment opened;
  gst_segment_copy_into(seg, &opened);
  opened.time = seg->time >= seg->start ? seg->time - seg->start : 0;
  opened.position = 0;
  opened.start = 0;
  if (peer_has_segment(pad, &opened)) return GST_PAD_PROBE_DROP;
  GstEvent* replacement = gst_event_new_segment(&opened);
  gst_event_set_seqnum(replacement, gst_event_get_seqnum(event));
  gst_event_unref(event);
  GST_PAD_PROBE_INFO_DATA(info) = replacement;
  return GST_PAD_PROBE_OK;
}

void DemuxWatchdog::start(GstElement* owner, OnStall on_stall) {
  stop();
  g_autoptr(GstClock) clock = gst_system_clock_obtain();
  std::lock_guard guard(lock_);
  last_input_us_ = 0;
  exposed_ = false;
  owner_ = GST_ELEMENT(gst_object_ref(owner));
  on_stall_ = on_stall;
  id_ = gst_clock_new_periodic_id(clock, gst_clock_get_time(clock), GST_SECOND / 2);
  gst_clock_id_wait_async(id_, check, this, nullptr);
}

void DemuxWatchdog::stop() {
  GstClockID id;
  GstElement* owner;
  {
    std::lock_guard guard(lock_);
    id = id_;
    owner = owner_;
    id_ = nullptr;
    owner_ = nullptr;
  }
  if (id) {
    gst_clock_id_unschedule(id);
    gst_clock_id_unref(id);
  }
  if (owner) gst_object_unref(owner);
}

void DemuxWatchdog::input_arrived() {
  std::lock_guard guard(lock_);
  last_input_us_ = g_get_monotonic_time();
}

void DemuxWatchdog::streams_exposed() {
  std::lock_guard guard(lock_);
  exposed_ = true;
}

gboolean DemuxWatchdog::check(GstClock*, GstClockTime, GstClockID, gpointer data) {
  auto* self = static_cast<DemuxWatchdog*>(data);
  GstElement* owner;
  {
    std::lock_guard guard(self->lock_);
    if (!self->id_ || self->exposed_ || self->last_input_us_ == 0 ||
        g_get_monotonic_time() - self->last_input_us_ < kDemuxerIdleUs)
      return TRUE;
    gst_clock_id_unschedule(self->id_);  // once is enough
    owner = GST_ELEMENT(gst_object_ref(self->owner_));
  }
  self->on_stall_(owner);
  gst_object_unref(owner);
  return TRUE;
}

}  // namespace lp
