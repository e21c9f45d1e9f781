// --nvidia's value (go-livepeer's -nvidia): "0,2" or "all", checked against the GPUs that
// GStreamer's nvcodec plugin found.
#pragma once

#include <string_view>
#include <vector>

#include "error.h"

namespace lp {

// The GPU ids to transcode on, sorted and without repeats. `present` is the ids nvcodec
// registered a decoder for. Errors name what is wrong and list what is there:
// "--nvidia: GPU 3 not found (present: 0, 1)".
Result<std::vector<int>> resolve_gpu_list(std::string_view value, const std::vector<int>& present);

}  // namespace lp
