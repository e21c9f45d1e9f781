// Frames in CUDA memory as caps and GstContext describe them. No CUDA library is needed:
// the caps feature and the context's fields are plain strings and values.
#pragma once

#include <gst/gst.h>

#include <optional>

namespace lp {

// GST_CAPS_FEATURE_MEMORY_CUDA_MEMORY of gstreamer-cuda-1.0.
inline constexpr const char* kCudaMemoryFeature = "memory:CUDAMemory";

// True when the first structure of `caps` carries the CUDA memory feature.
bool caps_in_cuda_memory(const GstCaps* caps);

// Adds the CUDA memory feature to every structure of `caps` (writable).
void set_cuda_memory(GstCaps* caps);

// The CUDA device of the context that the elements upstream of `sink_pad` share (their
// answer to a "gst.cuda.context" context query), or nullopt when none answers.
std::optional<int> upstream_cuda_device(GstPad* sink_pad);

}  // namespace lp
