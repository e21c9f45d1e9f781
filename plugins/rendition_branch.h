// The dynamic halves of lprendition: the chain from its input queue to its muxer pad, built
// from the first caps (video: rate, scale/convert, encoder, parser; audio: parser, or AAC
// or Opus encoding), updated on later caps, removed when the element stops.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "profile.h"
#include "rendition_format.h"
#include "video_chain.h"
#include "error.h"

namespace lp {

struct BranchConfig {
  Profile profile;
  std::string speed_preset = "veryfast";
  std::string encoder = "auto";
  // GPU for the CUDA elements and the encoder's device; -1: none for system-memory input,
  // the input's own GPU (asked upstream, else 0) for CUDA-memory input.
  int cuda_device = -1;
};

class VideoBranch {
 public:
  // Builds the chain from `from`'s src pad to `to` on the first call; later calls (new input
  // caps) only change the output size.
  // `scaled_tee`, when given, is already in the bin: it goes between the scaler and the
  // encoder, so smaller renditions can scale from this one's frames.
  Result<void> configure(GstBin* bin, GstCaps* input_caps, const BranchConfig& config, GstElement* from, GstPad* to,
                         GstElement* scaled_tee);
  void remove(GstBin* bin);
  // A new run starts counting from zero.
  void reset_counts() {
    frames_ = 0;
    pixels_ = 0;
  }

  guint64 frames() const { return frames_.load(); }
  guint64 pixels() const { return pixels_.load(); }
  int output_width() const { return width_.load(); }
  int output_height() const { return height_.load(); }
  // Where the frames are scaled and encoded (set when the chain is built).
  VideoPath path() const { return path_.load(); }

 private:
  static GstPadProbeReturn count_frame(GstPad* pad, GstPadProbeInfo* info, gpointer self);

  std::vector<GstElement*> elements_;  // owned by the bin
  GstElement* filter_ = nullptr;
  int fps_n_ = 0, fps_d_ = 1;
  VideoChainPlan plan_;  // kept for refitting the size: same format and memory
  std::atomic<VideoPath> path_{VideoPath::Cpu};
  std::atomic<guint64> frames_{0};
  std::atomic<guint64> pixels_{0};
  std::atomic<int> width_{0};
  std::atomic<int> height_{0};
};

class AudioBranch {
 public:
  Result<void> configure(GstBin* bin, GstCaps* input_caps, OutputContainer container, GstElement* from, GstPad* to);
  void remove(GstBin* bin);

 private:
  static void on_decoded_pad(GstElement* decodebin, GstPad* pad, gpointer self);

  std::vector<GstElement*> elements_;  // owned by the bin
  GstElement* encode_head_ = nullptr;  // where decoded audio enters the AAC chain
};

// Adds `elements` to `bin`, links them in order from `from`'s src pad to `to` (either may be
// null), and brings them to the bin's state, downstream first. Returns false if a link fails.
bool add_chain(GstBin* bin, GstElement* from, const std::vector<GstElement*>& elements, GstPad* to);

}  // namespace lp
