// What lpladder guards its demuxer with: a truncated-TS check, a fix for the segments of
// mpegpsdemux and matroskademux, and a watchdog for demuxers that die without an error
// reaching the bus.
#pragma once

#include <gst/gst.h>

#include <mutex>

namespace lp {

// A transport stream must be whole packets: anything else was cut off in transit. Posts a
// STREAM/DEMUX error on `owner` when the bytes upstream of `sink` are not.
void check_ts_size(GstElement* owner, GstPad* sink);

// Pad probe (downstream events) for the pads of mpegpsdemux and matroskademux. mpegpsdemux
// can start its segment ~0.4 s after the first PTS, so decoders would clip the first frames.
// matroskademux starts stream time at 0 and moves its segment's start back when it meets an
// earlier block, mid-stream, which restarts videorate. Opens the segment from 0, keeping
// stream times where they are not before the start (else stream time = PTS), and drops one
// that would change nothing downstream.
GstPadProbeReturn open_segment(GstPad* pad, GstPadProbeInfo* info, gpointer unused);

// parsebin (1.22, pull mode) can drop the error its demuxer posted, and the pipeline would
// then wait forever. Before any stream is exposed nothing downstream can hold the demuxer
// back, so input that stops for a while means it died.
class DemuxWatchdog {
 public:
  // Called once, from the clock's thread, when the input stalled before any stream.
  using OnStall = void (*)(GstElement* owner);

  DemuxWatchdog() = default;
  DemuxWatchdog(const DemuxWatchdog&) = delete;
  DemuxWatchdog& operator=(const DemuxWatchdog&) = delete;
  ~DemuxWatchdog() { stop(); }

  // Checks every 0.5 s from now until stop(); holds a reference to `owner` meanwhile.
  void start(GstElement* owner, OnStall on_stall);
  void stop();
  void input_arrived();    // bytes went into the demuxer
  void streams_exposed();  // a stream came out: from now on pauses are downstream's doing

 private:
  static gboolean check(GstClock*, GstClockTime, GstClockID, gpointer self);

  std::mutex lock_;
  gint64 last_input_us_ = 0;
  bool exposed_ = false;
  GstClockID id_ = nullptr;
  GstElement* owner_ = nullptr;
  OnStall on_stall_ = nullptr;
};

}  // namespace lp
