#include "ladder_cascade.h"

namespace lp {

// Scaling 1080p -> 720p -> 360p costs less than two scales from 1080p and loses nothing;
// smaller parents lose detail (240p from 480p: -1.4 dB, from 720p: -0.1 dB), and ratios under
// 2 (720p -> 480p) blur, so those scale from the source (docs/performance.md).
std::optional<size_t> cascade_parent(const std::vector<Profile>& profiles, const std::vector<bool>& requested,
                                     size_t child) {
  const Profile& c = profiles[child];
  // The lpms rule sizes from the source's pixel dimensions and aspect; a parent's frames have
  // other ones (a fit-box parent has square pixels, an lpms one rounded sides), so the
  // child's size could differ from go-livepeer's by a rounding or, for anamorphic input, a lot.
  if (c.size_rule == SizeRule::Lpms) return std::nullopt;
  std::optional<size_t> best;
  for (size_t i = 0; i < profiles.size(); ++i) {
    const Profile& p = profiles[i];
    if (i == child || !requested[i] || p.fps != c.fps || p.fps_den != c.fps_den) continue;
    if (p.width < 2 * c.width || p.height < 2 * c.height) continue;
    if (!best || p.width * p.height > profiles[*best].width * profiles[*best].height) best = i;
  }
  // A chain of cascades would compound the blur: parents scale from the source.
  if (best && cascade_parent(profiles, requested, *best)) return std::nullopt;
  return best;
}

}  // namespace lp
