#include "livepeer_sessions.h"

namespace lp::livepeer {

size_t Sessions::expire(std::chrono::steady_clock::time_point now) {
  for (auto it = last_.begin(); it != last_.end();) {
    if (now - it->second <= kIdle) {
      ++it;
      continue;
    }
    const std::string id = it->first;
    it = last_.erase(it);
    if (on_end_) on_end_(id);
  }
  return last_.size();
}

bool Sessions::capped(const std::string& id, size_t max, std::chrono::steady_clock::time_point now) {
  expire(now);
  return !contains(id) && last_.size() >= max;
}

}  // namespace lp::livepeer
