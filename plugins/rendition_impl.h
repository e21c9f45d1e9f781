// lprendition's insides, shared by its two source files: lp_rendition.cpp (the element:
// properties, pads, states) and rendition_build.cpp (what it builds inside itself when the
// first caps come: the branches, the muxer's probes, restamping and the stats). Not a public
// header.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "element_defaults.h"
#include "error.h"
#include "lp_enums.h"
#include "lp_rendition.h"
#include "profile.h"
#include "rendition_branch.h"
#include "rendition_format.h"
#include "ts_clock.h"

GST_DEBUG_CATEGORY_EXTERN(lp_rendition_debug);

namespace lp::rendition {

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

// The audio request pad's queue into the muxer.
void add_audio_input(LpRendition* self);
// NULL -> READY: the queues, the muxer and the ghost pads; false (error posted) on failure.
bool build(LpRendition* self);
// READY -> NULL: everything build() and the branches added.
void teardown(LpRendition* self);

}  // namespace lp::rendition

struct _LpRendition {
  GstBin parent;
  lp::rendition::RenditionImpl impl;
};

namespace lp::rendition {
inline RenditionImpl& impl_of(gpointer self) { return LP_RENDITION(self)->impl; }
}  // namespace lp::rendition
