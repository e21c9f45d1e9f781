// Which NVIDIA GPUs GStreamer's nvcodec plugin found, and which of its elements serve each.
//
// nvcodec (GStreamer 1.22) registers elements per CUDA device at plugin load, and only when
// the driver is there: the first device capable of a codec gets the plain name (nvh264dec,
// nvh264enc, nvcudah264enc), later ones a numbered name (nvh264device1dec, ...). The number
// counts registrations, not CUDA ids, so the device is read from each element's
// cuda-device-id instead. On a machine without a driver nvcodec registers nothing and every
// list here is empty: callers never need a GPU to run.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lp {

enum class NvElementKind { H264Decoder, H265Decoder, H264Encoder, H265Encoder };

struct NvFactory {
  std::string name;  // element factory name: "nvh264dec", "nvcudah264device1enc", ...
  int device = 0;    // CUDA device id (the element's cuda-device-id)
  NvElementKind kind = NvElementKind::H264Decoder;
};

// The factory of `kind` on CUDA device `device` (< 0: the lowest device that has one), or
// nullopt. For encoders nvcuda*enc wins over nv*enc: it takes CUDA memory natively. Pure.
std::optional<std::string> pick_nv_factory(const std::vector<NvFactory>& factories, NvElementKind kind, int device);

// The name nvcodec gives `kind` on the first device ("nvh264dec") or on registration
// `index` > 0 ("nvh264device1dec"); for messages that say what was looked for.
std::string nv_factory_name(NvElementKind kind, int index);
// "NVDEC H.264 decoder", "NVENC HEVC encoder".
const char* nv_kind_description(NvElementKind kind);

// nvcodec's H.264/HEVC decoders and encoders in this process's GStreamer registry, with the
// device each serves. The first call after the registry changes loads the nvcodec plugin
// (if it registered elements) and creates one instance of each element to read its
// cuda-device-id (instance init only: no CUDA work); results are cached until the registry
// changes. Empty without an NVIDIA driver, or when lpgst was built with -Dnvcodec=disabled.
std::vector<NvFactory> installed_nv_factories();

struct NvDevice {
  int id = 0;
  bool h264_decode = false, h265_decode = false, h264_encode = false, h265_encode = false;
};

// One entry per device that has any of the factories, sorted by id. Pure.
std::vector<NvDevice> nv_devices(const std::vector<NvFactory>& factories);

// cudaconvertscale, cudaupload and cudadownload are registered (nvcodec loads NVRTC for
// the first; without it the GPU path cannot scale).
bool cuda_filters_available();

}  // namespace lp
