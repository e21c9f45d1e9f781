// The model names of NVIDIA GPUs ("NVIDIA H200"), for the self-test's log lines and /status.
// Read from the CUDA driver through GStreamer's CUDA library, which loads libcuda at run
// time: on a machine without the driver (or a build without nvcodec) names are just "".
#pragma once

#include <string>

namespace lp {

std::string nvidia_device_name(int device);

}  // namespace lp
