// lp_encoder_force_keyframes: exact keyframe intervals for encoders that place extra
// keyframes on their own (libvpx at scene cuts). A probe on the encoder's sink pad counts
// frames and, before every interval-th one, sends GstVideoEncoder an untimed
// force-key-unit event ("the next frame"). GstVideoEncoder keeps such a request pending
// until its keyframe comes out and ignores new ones meanwhile, so the encoder must not hold
// back `interval` or more frames (libvpx: lag-in-frames below the interval).
#include <gst/video/video.h>
#include <lpgst/codec_adapter.h>

#include <memory>

namespace {

struct Pacer {
  guint64 interval = 1;
  guint64 frames = 0;  // seen since the last flush; only the streaming thread touches it
};

GstPadProbeReturn pace(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* pacer = static_cast<Pacer*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_FLUSH_STOP) pacer->frames = 0;
    return GST_PAD_PROBE_OK;
  }
  guint64 n = pacer->frames++;
  if (n > 0 && n % pacer->interval == 0) {
    // Untimed, so it applies to the very next frame, this one, whatever the segments do.
    gst_pad_send_event(pad, gst_video_event_new_downstream_force_key_unit(
                                GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info)), GST_CLOCK_TIME_NONE,
                                GST_CLOCK_TIME_NONE, TRUE, static_cast<guint>(n / pacer->interval)));
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

gboolean lp_encoder_force_keyframes(GstElement* encoder, gint interval) {
  g_return_val_if_fail(GST_IS_VIDEO_ENCODER(encoder), FALSE);
  g_return_val_if_fail(interval > 0, FALSE);
  g_autoptr(GstPad) sink = gst_element_get_static_pad(encoder, "sink");
  if (!sink) return FALSE;
  auto pacer = std::make_unique<Pacer>();
  pacer->interval = static_cast<guint64>(interval);
  // The probe owns the pacer from here: GLib frees it with the probe.
  gst_pad_add_probe(sink, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    pace, pacer.release(), [](gpointer p) { delete static_cast<Pacer*>(p); });
  return TRUE;
}
