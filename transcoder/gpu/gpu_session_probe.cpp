#include "gpu_session_probe.h"

#include <algorithm>

namespace lp {

SessionProbe probe_encode_sessions(int cap, const std::function<bool(int k)>& run_at_once) {
  cap = std::max(1, cap);
  int good = 0;  // the largest k that worked
  int bad = 0;   // the smallest k that failed, 0 = none yet
  for (int k = 1;; k = std::min(k * 2, cap)) {
    if (!run_at_once(k)) {
      bad = k;
      break;
    }
    good = k;
    if (k == cap) return SessionProbe{.sessions = good, .capped = true};
  }
  while (bad - good > 1) {
    const int mid = good + (bad - good) / 2;
    if (run_at_once(mid))
      good = mid;
    else
      bad = mid;
  }
  return SessionProbe{.sessions = good, .capped = false};
}

}  // namespace lp
