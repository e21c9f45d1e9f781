// Which rendition of a ladder scales from another's frames (lprendition's scaled_%u pads)
// instead of from the decoded source. Pure, unit-tested.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "profile.h"

namespace lp {

// The rendition to scale profile `child` from: the largest other requested one at the same
// frame rate whose box is at least twice as large each way; nullopt: from the source.
// `requested[i]` says whether profile i has a rendition. One level deep. A child under the
// lpms size rule always scales from the source (its size depends on the source's pixels).
std::optional<size_t> cascade_parent(const std::vector<Profile>& profiles, const std::vector<bool>& requested,
                                     size_t child);

}  // namespace lp
