// openh264enc: Cisco's H.264 encoder, the fallback where x264 is not installed.
#pragma once

#include "codec_adapter.h"

namespace lp {

class OpenH264Adapter final : public CodecAdapter {
 public:
  const char* name() const override { return "openh264"; }
  VideoCodec codec() const override { return VideoCodec::H264; }
  const char* element_factory() const override { return "openh264enc"; }
  int rank() const override { return 50; }
  GstCaps* output_caps(const EncodeSettings& settings) const override;

 protected:
  void configure(GstElement* encoder, const EncodeSettings& settings) const override;
};

}  // namespace lp
