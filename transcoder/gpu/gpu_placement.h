// Which GPU a transcoder job runs on. Each stream session goes to the least-loaded GPU by
// cost and stays there (sticky) while that GPU is usable and has room; a GPU that hit an
// error takes no new work until it has been re-tested. Thread-safe: jobs run on worker
// threads, /status and /metrics read snapshots from the main loop.
//
// Load: a session's cost is the pixel rate it asks for (sum over its renditions of
// width x height x fps, session_cost). A GPU's load is the cost of its running jobs divided
// by its capacity in cost units, capacity x slot_cost, where slot_cost is the cost one slot
// stands for (default: reference_session_cost, the ladder the self-test measures capacity
// with). So 1.0 is "all slots busy with reference-sized sessions"; lighter sessions
// fill the slots below 1.0, heavier ones go above it. Placement compares loads, so a GPU
// with twice the capacity takes twice the pixels before it counts as equally loaded.
//
// Slots: a GPU is full when it runs `capacity` jobs (one job per session, the usual case, is
// "sessions == capacity"). A second job of a session that already runs one takes a second
// slot: it opens as many NVENC sessions again.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gpu_path.h"
#include "session_cost.h"

namespace lp {

// One GPU as /status and /metrics show it.
struct GpuState {
  int id = 0;
  std::optional<GpuPath> path;   // nullopt for a GPU the start-up self-test excluded
  int capacity = 0;              // slots: jobs it runs at once
  int sessions = 0;              // distinct sessions with a job running on it
  int jobs = 0;                  // jobs running on it (slots in use)
  int64_t cost = 0;              // pixel rate of those jobs
  double load = 0.0;             // cost / (capacity x slot_cost); see above
  bool usable = false;           // takes new work
  bool awaiting_retest = false;  // marked failed, not yet re-tested good
  std::string last_error;        // the latest failure, "" when none
};

class GpuPlacer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit GpuPlacer(Clock::duration idle_timeout = std::chrono::seconds(60),
                     int64_t slot_cost = reference_session_cost());

  // A GPU the self-test passed: `capacity` slots (at least 1), on `path`.
  void add_gpu(int id, int capacity, GpuPath path);
  // A GPU the self-test excluded: listed in snapshots with `why`, never given work.
  void add_excluded_gpu(int id, std::string why);

  // The GPU for one job of `session_id` costing `cost` (session_cost of its renditions): the
  // session's own GPU while it is usable and has room, else the usable GPU with room whose
  // load would be lowest with the job on it (ties rotate); nullopt when every usable GPU is
  // full or none is usable. The job holds a slot until finish(session_id).
  std::optional<int> place(const std::string& session_id, int64_t cost);
  // One job of the session ended: frees its oldest slot. The session stays sticky to its GPU
  // for idle_timeout after its last job ends (expire forgets it after that).
  void finish(const std::string& session_id, Clock::time_point now = Clock::now());
  // The same for the job that ran on `gpu_id` (its oldest slot there): exact when a session
  // moved GPUs while jobs were running.
  void finish(const std::string& session_id, int gpu_id, Clock::time_point now = Clock::now());
  // Forgets sessions idle since before now - idle_timeout.
  void expire(Clock::time_point now = Clock::now());

  // A GPU error (CUDA error, decoder failure) in a job on `gpu`: it takes no new work until
  // retest_done(gpu, true). Jobs running on it finish as they will.
  void mark_failed(int gpu, std::string why);
  bool needs_retest(int gpu) const;
  // The re-test's outcome: ok puts the GPU back to work; a failure keeps it out and still
  // awaiting a re-test (the caller decides when to try again), with `why` (when given)
  // as its last error.
  void retest_done(int gpu, bool ok, std::string why = {});

  std::vector<GpuState> snapshot() const;

 private:
  struct Gpu {
    int id = 0;
    std::optional<GpuPath> path;
    int capacity = 0;
    int jobs = 0;
    int64_t cost = 0;
    bool usable = false;
    bool awaiting_retest = false;
    std::string last_error;
  };
  struct Hold {
    size_t gpu;  // index into gpus_
    int64_t cost;
  };
  struct Session {
    size_t gpu = 0;          // sticky GPU, index into gpus_
    std::deque<Hold> holds;  // running jobs, oldest first
    Clock::time_point idle_since;
  };

  bool has_room(const Gpu& gpu) const { return gpu.usable && gpu.jobs < gpu.capacity; }
  std::optional<size_t> least_loaded(int64_t cost);
  std::optional<size_t> index_of(int gpu_id) const;

  const Clock::duration idle_timeout_;
  const int64_t slot_cost_;
  mutable std::mutex mutex_;
  std::vector<Gpu> gpus_;
  std::map<std::string, Session> sessions_;
  size_t rotation_ = 0;  // where the next tie-break starts, so ties spread round-robin
};

}  // namespace lp
