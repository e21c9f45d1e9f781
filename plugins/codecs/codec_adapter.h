// Codec adapters: one small class per encoder family maps lpgst's standard rendition fields
// (bitrate, GOP, H.264 profile, CRF quality, speed preset, device) onto that encoder's
// properties and output caps. lprendition never talks to an encoder directly.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "profile.h"

namespace lp {

// Everything an adapter needs to configure one encoder instance.
struct EncodeSettings {
  int width = 0;
  int height = 0;
  int fps_n = 30;  // output frame rate (constant)
  int fps_d = 1;
  int bitrate = 0;  // bit/s
  Gop gop;          // Seconds or Intra (never Unset: the rendition resolves the default)
  H264Profile h264_profile = H264Profile::Unset;
  int quality = 0;  // CRF; 0 = bitrate mode
  std::string speed_preset = "veryfast";
  int device = -1;  // GPU index for hardware adapters, -1 = default
};

// Keyframe interval in frames for `settings` (1 for intra-only).
int gop_frames(const EncodeSettings& settings);

class CodecAdapter {
 public:
  virtual ~CodecAdapter() = default;
  virtual const char* name() const = 0;             // "x264", "openh264", ...
  virtual VideoCodec codec() const = 0;
  virtual const char* element_factory() const = 0;  // GStreamer element it drives
  virtual int rank() const = 0;                     // encoder=auto takes the highest available
  virtual bool takes_cuda_memory() const { return false; }

  // True when the element exists in this GStreamer installation.
  bool available() const;
  // Makes the encoder element and sets its properties for `settings`.
  Result<GstElement*> make_encoder(const EncodeSettings& settings) const;
  // Caps between the encoder and its parser (stream format, profile).
  virtual GstCaps* output_caps(const EncodeSettings& settings) const = 0;

 protected:
  virtual void configure(GstElement* encoder, const EncodeSettings& settings) const = 0;
};

// All adapters compiled into lpgst, highest rank first.
const std::vector<std::unique_ptr<CodecAdapter>>& codec_adapters();

// "auto" (or empty) picks the highest-ranked available adapter for `codec`; otherwise the
// adapter with that name, which must exist, be available and produce `codec`.
Result<const CodecAdapter*> find_codec_adapter(std::string_view name, VideoCodec codec);

// ultrafast ... veryslow, as x264 names them; the index orders them by effort.
const std::vector<std::string_view>& speed_preset_names();
int speed_preset_index(std::string_view name);  // -1 if unknown

}  // namespace lp
