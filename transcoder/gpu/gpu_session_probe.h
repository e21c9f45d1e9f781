// How many NVENC sessions a GPU opens at once. Consumer cards cap them (the driver refuses
// the next one), data-centre cards do not; every rendition of a running job is one session.
// The search is separate from the encodes it runs, so it is tested without a GPU.
#pragma once

#include <functional>

namespace lp {

struct SessionProbe {
  int sessions = 0;     // the most that ran at once without a failure
  bool capped = false;  // `cap` ran without a failure: the real limit, if any, is higher
};

// `run_at_once(k)` runs k encodes at the same time and says whether all of them succeeded.
// Tries k = 1, 2, 4, ... up to `cap`; after the first k that fails, narrows (bisects) between
// the last good k and it. At most about 2 log2(cap) calls.
SessionProbe probe_encode_sessions(int cap, const std::function<bool(int k)>& run_at_once);

}  // namespace lp
