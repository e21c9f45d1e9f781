// The defaults of the properties lprendition and lpladder share, named once (GStreamer's
// DEFAULT_* style): the struct fields start from them and the param specs announce them.
#pragma once

#include "lp_enums.h"

namespace lp {

inline constexpr LpSpeedPreset DEFAULT_SPEED_PRESET = LP_SPEED_PRESET_VERYFAST;
inline constexpr const char* DEFAULT_ENCODER = "auto";               // the highest-ranked adapter for the codec
inline constexpr LpContainer DEFAULT_CONTAINER = LP_CONTAINER_AUTO;  // by the codec
inline constexpr int DEFAULT_CUDA_DEVICE = -1;                       // none: the CPU
inline constexpr int MAX_CUDA_DEVICE = 1023;

}  // namespace lp
