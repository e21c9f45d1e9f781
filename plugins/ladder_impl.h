// lpladder's insides, shared by its two source files: lp_ladder.cpp (the element: properties,
// request pads, states, the renditions) and ladder_streams.cpp (what each run's streams add:
// the demuxed pads wired to the decoder, the tees and the renditions' audio; the probes that
// recover the source's clock and count decoded video). Not a public header.
#pragma once

#include <gst/gst.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "decoded_video.h"
#include "element_defaults.h"
#include "demux_guards.h"
#include "error.h"
#include "lp_enums.h"
#include "lp_ladder.h"
#include "profile.h"
#include "source_timestamps.h"

GST_DEBUG_CATEGORY_EXTERN(lp_ladder_debug);

namespace lp::ladder {

struct LadderImpl {
  // Serializes pad requests and releases (application threads). Held across GStreamer calls,
  // so no streaming thread ever takes it.
  std::mutex pads_lock;
  // Guards everything below that streaming threads touch. Never held across a GStreamer call
  // (one that takes a pad's stream lock could wait on a thread that waits on this).
  std::mutex lock;
  std::string profiles_spec;
  std::vector<lp::Profile> profiles;
  std::optional<lp::Error> error;
  LpSpeedPreset speed_preset = lp::DEFAULT_SPEED_PRESET;
  std::string encoder = lp::DEFAULT_ENCODER;
  LpContainer container = lp::DEFAULT_CONTAINER;
  int cuda_device = lp::DEFAULT_CUDA_DEVICE;  // GPU to decode (H.264/HEVC) and scale on; -1: the CPU

  GstElement* parsebin = nullptr;  // children, owned by the bin; set once in init
  GstElement* video_tee = nullptr;
  GstElement* audio_tee = nullptr;      // per run (lock)
  std::vector<GstElement*> renditions;  // by profile index, a ref each; null until requested (lock)
  bool have_video = false;
  std::vector<GstElement*> per_run;  // added for this run's streams, removed when it stops

  lp::SourceTimestampScanner scanner;
  guint64 scanned_to = 0;  // next byte offset the scanner expects

  lp::DemuxWatchdog watchdog;  // fed bytes and exposed streams; see on_demuxer_stalled

  // The decoded video's timeline and counts (on_decoded_data), reset per run; its own lock.
  lp::DecodedVideoMonitor decoded;
};

inline GstElement* make(const char* factory, const char* name = nullptr) {
  return gst_element_factory_make(factory, name);
}

// The renditions as they are now, by profile index (null where none was requested), each
// with a ref of its own: GStreamer calls on them are made without holding impl.lock.
class RenditionsNow {
 public:
  explicit RenditionsNow(LadderImpl& impl) {
    std::lock_guard guard(impl.lock);
    for (GstElement* r : impl.renditions) list_.push_back(r ? GST_ELEMENT(gst_object_ref(r)) : nullptr);
  }
  ~RenditionsNow() {
    for (GstElement* r : list_)
      if (r) gst_object_unref(r);
  }
  RenditionsNow(const RenditionsNow&) = delete;
  RenditionsNow& operator=(const RenditionsNow&) = delete;
  const std::vector<GstElement*>& list() const { return list_; }
  bool any() const {
    for (GstElement* r : list_)
      if (r) return true;
    return false;
  }

 private:
  std::vector<GstElement*> list_;
};

// The sink pad's probe: every byte of the segment, for the source clock scanner.
GstPadProbeReturn on_segment_bytes(GstPad* sink, GstPadProbeInfo* info, gpointer data);
// The video tee's sink probe: every decoded frame and event (decoded_video.h).
GstPadProbeReturn on_decoded_data(GstPad* pad, GstPadProbeInfo* info, gpointer data);
// parsebin's pad-added: a demuxed stream of this run.
void on_demuxed_pad(GstElement* parsebin, GstPad* pad, gpointer data);
// The demux watchdog's verdict: no stream came out of the bytes read.
void on_demuxer_stalled(GstElement* element);
// PAUSED -> READY: drops what this run's streams added.
void forget_streams(LpLadder* self);

}  // namespace lp::ladder

struct _LpLadder {
  GstBin parent;
  lp::ladder::LadderImpl impl;
};
