#include "scheduler.h"

#include <vector>

namespace lp {

std::optional<size_t> Scheduler::pick(std::span<const WorkerLoad> workers, std::string_view sticky_id) {
  auto has_room = [](const WorkerLoad& w) { return w.load < w.capacity; };
  if (!sticky_id.empty()) {
    for (size_t i = 0; i < workers.size(); ++i)
      if (workers[i].id == sticky_id && has_room(workers[i])) return i;
  }
  // Least loaded by ratio, compared exactly: a/b < c/d  <=>  a*d < c*b (capacities > 0).
  std::vector<size_t> best;
  for (size_t i = 0; i < workers.size(); ++i) {
    const WorkerLoad& w = workers[i];
    if (!has_room(w)) continue;
    if (best.empty()) {
      best.push_back(i);
      continue;
    }
    const WorkerLoad& b = workers[best.front()];
    int64_t lhs = int64_t{w.load} * b.capacity, rhs = int64_t{b.load} * w.capacity;
    if (lhs < rhs)
      best.assign(1, i);
    else if (lhs == rhs)
      best.push_back(i);
  }
  if (best.empty()) return std::nullopt;
  return best[rotation_++ % best.size()];
}

}  // namespace lp
