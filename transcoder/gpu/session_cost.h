// What a stream session costs a GPU: the pixel rate its renditions ask for. Placement
// balances GPUs by it, and the reference ladder is what one capacity slot stands for.
#pragma once

#include <cstdint>
#include <vector>

#include "profile.h"

namespace lp {

// Sum over the renditions of width x height x fps (fps 0 = keep the source's: counted as 30).
int64_t session_cost(const std::vector<Profile>& renditions);

// P720p30fps16x9 + P360p30fps16x9 + P240p30fps16x9: the ladder the start-up self-test runs,
// so the capacity it measures is in sessions of this ladder.
std::vector<Profile> reference_ladder();

// session_cost(reference_ladder()).
int64_t reference_session_cost();

}  // namespace lp
