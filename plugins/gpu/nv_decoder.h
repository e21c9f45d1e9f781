// lpladder's video decoder on a GPU: that GPU's NVDEC element, whose output a capsfilter
// keeps in CUDA memory (nvcodec's decoders download to system memory unless downstream asks
// for CUDA), so the renditions scale and encode on the GPU.
#pragma once

#include <gst/gst.h>

#include <optional>
#include <string>

#include "error.h"
#include "nv_elements.h"

namespace lp {

// The NVDEC kind for coded `caps` (H.264, HEVC), or nullopt: other codecs decode on the CPU.
std::optional<NvElementKind> nv_decoder_kind(const GstCaps* caps);

struct NvDecodeChain {
  GstElement* decoder = nullptr;  // floating references: add both to a bin, link in order
  GstElement* filter = nullptr;   // capsfilter video/x-raw(memory:CUDAMemory)
};

// The chain for `kind` on CUDA device `device`. Without that element: Unsupported, saying
// which GPU and which element was looked for, and what nvcodec has instead.
Result<NvDecodeChain> make_nv_decode_chain(NvElementKind kind, int device);

}  // namespace lp
