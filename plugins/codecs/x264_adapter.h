// x264enc: the reference CPU H.264 encoder.
#pragma once

#include "codec_adapter.h"

namespace lp {

class X264Adapter final : public CodecAdapter {
 public:
  const char* name() const override { return "x264"; }
  VideoCodec codec() const override { return VideoCodec::H264; }
  const char* element_factory() const override { return "x264enc"; }
  int rank() const override { return 100; }
  GstCaps* output_caps(const EncodeSettings& settings) const override;

 protected:
  void configure(GstElement* encoder, const EncodeSettings& settings) const override;
};

// The caps profile string for an H.264 profile (nullptr when unset), shared by H.264 adapters.
const char* h264_caps_profile(H264Profile profile);

// video/x-h264 byte-stream, access-unit aligned, with the profile when one is set.
GstCaps* h264_byte_stream_caps(const EncodeSettings& settings);

}  // namespace lp
