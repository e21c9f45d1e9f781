#include "session_cost.h"

namespace lp {

int64_t session_cost(const std::vector<Profile>& renditions) {
  int64_t total = 0;
  for (const Profile& p : renditions) {
    // fps 0 keeps the source's rate, which placement cannot know yet: 30 is the usual one.
    const int64_t fps_num = p.fps > 0 ? p.fps : 30;
    const int64_t fps_den = p.fps > 0 && p.fps_den > 0 ? p.fps_den : 1;
    total += int64_t{p.width} * p.height * fps_num / fps_den;
  }
  return total;
}

std::vector<Profile> reference_ladder() {
  std::vector<Profile> ladder;
  for (const char* name : {"P720p30fps16x9", "P360p30fps16x9", "P240p30fps16x9"})
    if (auto p = find_preset(name)) ladder.push_back(*p);
  return ladder;
}

int64_t reference_session_cost() { return session_cost(reference_ladder()); }

}  // namespace lp
