#include "gpu_placement.h"

#include <algorithm>
#include <set>

namespace lp {

GpuPlacer::GpuPlacer(Clock::duration idle_timeout, int64_t slot_cost)
    : idle_timeout_(idle_timeout), slot_cost_(std::max<int64_t>(1, slot_cost)) {}

void GpuPlacer::add_gpu(int id, int capacity, GpuPath path) {
  std::lock_guard lock(mutex_);
  Gpu gpu;
  gpu.id = id;
  gpu.path = path;
  gpu.capacity = std::max(1, capacity);
  gpu.usable = true;
  gpus_.push_back(std::move(gpu));
}

void GpuPlacer::add_excluded_gpu(int id, std::string why) {
  std::lock_guard lock(mutex_);
  Gpu gpu;
  gpu.id = id;
  gpu.last_error = std::move(why);
  gpus_.push_back(std::move(gpu));
}

std::optional<size_t> GpuPlacer::least_loaded(int64_t cost) {
  // The GPU whose load would be lowest with this job on it. Loads compare exactly:
  // a/b < c/d <=> a*d < c*b. Scanning from the rotation point makes ties go round-robin.
  std::optional<size_t> best;
  for (size_t step = 0; step < gpus_.size(); ++step) {
    const size_t i = (rotation_ + step) % gpus_.size();
    const Gpu& g = gpus_[i];
    if (!has_room(g)) continue;
    if (best) {
      const Gpu& b = gpus_[*best];
      if ((g.cost + cost) * b.capacity >= (b.cost + cost) * g.capacity) continue;
    }
    best = i;
  }
  if (best) rotation_ = *best + 1;
  return best;
}

std::optional<int> GpuPlacer::place(const std::string& session_id, int64_t cost) {
  std::lock_guard lock(mutex_);
  cost = std::max<int64_t>(0, cost);
  auto known = sessions_.find(session_id);
  std::optional<size_t> gpu;
  if (known != sessions_.end() && has_room(gpus_[known->second.gpu])) gpu = known->second.gpu;
  // A new session, or its GPU failed or is full: it moves (and is sticky there from now on).
  if (!gpu) gpu = least_loaded(cost);
  if (!gpu) return std::nullopt;

  Session& session = sessions_[session_id];
  session.gpu = *gpu;
  session.holds.push_back(Hold{*gpu, cost});
  gpus_[*gpu].jobs += 1;
  gpus_[*gpu].cost += cost;
  return gpus_[*gpu].id;
}

void GpuPlacer::finish(const std::string& session_id, Clock::time_point now) { finish(session_id, -1, now); }

void GpuPlacer::finish(const std::string& session_id, int gpu_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.holds.empty()) return;
  // Oldest first (on that GPU, when given): a stream's segments are sent in order and take
  // about as long each.
  auto& holds = it->second.holds;
  auto pick = holds.begin();
  if (gpu_id >= 0) {
    pick = std::find_if(holds.begin(), holds.end(), [&](const Hold& h) { return gpus_[h.gpu].id == gpu_id; });
    if (pick == holds.end()) pick = holds.begin();
  }
  const Hold hold = *pick;
  holds.erase(pick);
  gpus_[hold.gpu].jobs -= 1;
  gpus_[hold.gpu].cost -= hold.cost;
  if (it->second.holds.empty()) it->second.idle_since = now;
}

void GpuPlacer::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) {
    const Session& s = entry.second;
    return s.holds.empty() && now - s.idle_since > idle_timeout_;
  });
}

std::optional<size_t> GpuPlacer::index_of(int gpu_id) const {
  for (size_t i = 0; i < gpus_.size(); ++i)
    if (gpus_[i].id == gpu_id) return i;
  return std::nullopt;
}

void GpuPlacer::mark_failed(int gpu, std::string why) {
  std::lock_guard lock(mutex_);
  const auto i = index_of(gpu);
  if (!i || !gpus_[*i].path) return;  // unknown, or excluded at start-up: nothing to re-test
  gpus_[*i].usable = false;
  gpus_[*i].awaiting_retest = true;
  gpus_[*i].last_error = std::move(why);
}

bool GpuPlacer::needs_retest(int gpu) const {
  std::lock_guard lock(mutex_);
  const auto i = index_of(gpu);
  return i && gpus_[*i].awaiting_retest;
}

void GpuPlacer::retest_done(int gpu, bool ok, std::string why) {
  std::lock_guard lock(mutex_);
  const auto i = index_of(gpu);
  if (!i || !gpus_[*i].awaiting_retest) return;
  Gpu& g = gpus_[*i];
  if (ok) {
    g.usable = true;
    g.awaiting_retest = false;
    g.last_error.clear();
  } else if (!why.empty()) {
    g.last_error = "re-test failed: " + why;
  }
}

std::vector<GpuState> GpuPlacer::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::set<std::string>> sessions_on(gpus_.size());
  for (const auto& [id, session] : sessions_)
    for (const Hold& hold : session.holds) sessions_on[hold.gpu].insert(id);

  std::vector<GpuState> out;
  for (size_t i = 0; i < gpus_.size(); ++i) {
    const Gpu& g = gpus_[i];
    const double slots_cost = static_cast<double>(std::max(1, g.capacity)) * static_cast<double>(slot_cost_);
    out.push_back(GpuState{.id = g.id,
                           .path = g.path,
                           .capacity = g.capacity,
                           .sessions = static_cast<int>(sessions_on[i].size()),
                           .jobs = g.jobs,
                           .cost = g.cost,
                           .load = static_cast<double>(g.cost) / slots_cost,
                           .usable = g.usable,
                           .awaiting_retest = g.awaiting_retest,
                           .last_error = g.last_error});
  }
  return out;
}

}  // namespace lp
