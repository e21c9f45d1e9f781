// lpgst's side of a registered codec adapter (the public struct is LpCodecAdapter,
// include/lpgst/codec_adapter.h): a copy owned by the registry, with the helpers
// lprendition uses to make and configure the encoder. lprendition never talks to an
// encoder directly.
#pragma once

#include <gst/gst.h>
#include <lpgst/codec_adapter.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "owned.h"
#include "profile.h"

namespace lp {

// Everything an adapter needs to configure one encoder instance, in lpgst's own types.
struct EncodeSettings {
  int width = 0;
  int height = 0;
  int fps_n = 30;  // output frame rate (constant)
  int fps_d = 1;
  int bitrate = 0;  // bit/s
  Gop gop;          // Seconds or Intra (Unset: 2 s)
  H264Profile h264_profile = H264Profile::Unset;
  int quality = 0;  // CRF; 0 = bitrate mode
  std::string speed_preset = "veryfast";
  int device = -1;  // GPU index for hardware adapters, -1 = default (CPU-path renditions)
};

// Keyframe interval in frames for `settings` (1 for intra-only).
int gop_frames(const EncodeSettings& settings);

// The public view of `settings` that adapters' callbacks receive.
LpEncodeSettings public_settings(const EncodeSettings& settings);

LpVideoCodec to_public_codec(VideoCodec codec);
VideoCodec from_public_codec(LpVideoCodec codec);

// gst_caps_unref is static inline (internal linkage): a class in a header cannot hold a type
// named after it, so it is wrapped.
inline void unref_caps(GstCaps* caps) { gst_caps_unref(caps); }
using CapsPtr = Owned<GstCaps, unref_caps>;

class CodecAdapter {
 public:
  // Copies `description` (validated by the registry); `origin` names where it came from.
  CodecAdapter(const LpCodecAdapter& description, std::string origin);
  CodecAdapter(const CodecAdapter&) = delete;
  CodecAdapter& operator=(const CodecAdapter&) = delete;

  const char* name() const { return name_.c_str(); }
  VideoCodec codec() const { return from_public_codec(description_.codec); }
  const char* element_factory() const { return element_.c_str(); }
  int rank() const { return description_.rank; }
  bool takes_cuda_memory() const { return description_.memory == LP_MEMORY_CUDA; }
  const char* parser() const { return parser_.empty() ? nullptr : parser_.c_str(); }
  // "lpgst" for the built-in adapters, else the plugin's name ("application" without one).
  const std::string& origin() const { return origin_; }

  // The encoder's element factory on accelerator `device` (-1: the default one): the
  // adapter's device_element hook when it has one, else element_factory(); nullopt when the
  // adapter has no encoder on that device.
  std::optional<std::string> element_for(int device) const;
  // True when the encoder element for `device` (and the parser) exist in this GStreamer
  // installation.
  bool available(int device = -1) const;
  // Why not, when unavailable: "needs element 'x265enc', which is not installed".
  std::string unavailable_reason(int device = -1) const;
  // Makes the encoder element for settings.device (floating) and sets its properties.
  Result<GstElement*> make_encoder(const EncodeSettings& settings) const;
  // Caps between the encoder and its parser (stream format, profile).
  Result<CapsPtr> output_caps(const EncodeSettings& settings) const;

 private:
  LpCodecAdapter description_;  // its strings point into the members below
  std::string name_, element_, caps_text_, parser_, origin_;
  CapsPtr caps_;
};

// ultrafast ... veryslow, as x264 names them; the index orders them by effort.
const std::vector<std::string_view>& speed_preset_names();
int speed_preset_index(std::string_view name);  // -1 if unknown

}  // namespace lp
