// The adapters compiled into liblpgstmedia, one file each. They use the public API only,
// as an out-of-tree plugin would (docs/writing-codec-plugins.md).
#pragma once

#include <lpgst/codec_adapter.h>

namespace lp {

const LpCodecAdapter& x264_adapter();        // x264enc, H.264
const LpCodecAdapter& openh264_adapter();    // openh264enc, H.264
const LpCodecAdapter& x265_adapter();        // x265enc, HEVC
const LpCodecAdapter& vp9_adapter();         // vp9enc (libvpx), VP9
const LpCodecAdapter& av1_adapter();         // av1enc (libaom), AV1
const LpCodecAdapter& nvenc_h264_adapter();  // nvcodec NVENC H.264, per GPU (nvcuda*enc first)
const LpCodecAdapter& nvenc_h265_adapter();  // nvcodec NVENC HEVC, per GPU

// A built-in adapter for an encoder that works in system memory with one element for every
// device (the CPU encoders): the fields that differ, the rest as the API defaults them.
inline LpCodecAdapter system_memory_adapter(const char* name, LpVideoCodec codec, const char* element, gint rank,
                                            const char* output_caps, const char* parser,
                                            LpConfigureEncoderFunc configure,
                                            LpOutputCapsFunc settings_caps = nullptr) {
  return LpCodecAdapter{
      .api_version = LP_CODEC_ADAPTER_API_VERSION,
      .name = name,
      .codec = codec,
      .element = element,
      .rank = rank,
      .memory = LP_MEMORY_SYSTEM,
      .output_caps = output_caps,
      .parser = parser,
      .configure = configure,
      .settings_caps = settings_caps,
      .user_data = nullptr,
      .device_element = nullptr,
  };
}

// The caps between an H.264 encoder and h264parse.
inline constexpr const char* kH264ByteStream = "video/x-h264,stream-format=byte-stream,alignment=au";

// video/x-h264 byte-stream, AU-aligned, with the caps profile for settings->h264_profile;
// shared by the H.264 adapters.
GstCaps* h264_settings_caps(const LpCodecAdapter* adapter, const LpEncodeSettings* settings);

}  // namespace lp
