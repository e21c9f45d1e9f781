#include "livepeer_sessions.h"

namespace lp::livepeer {

size_t Sessions::expire(std::chrono::steady_clock::time_point now) {
  std::erase_if(last_, [now](const auto& entry) { return now - entry.second > kIdle; });
  return last_.size();
}

bool Sessions::capped(const std::string& id, size_t max, std::chrono::steady_clock::time_point now) {
  expire(now);
  return !contains(id) && last_.size() >= max;
}

}  // namespace lp::livepeer
