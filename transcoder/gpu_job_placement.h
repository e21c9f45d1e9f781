// A GPU transcoder (lpnode --transcoder --nvidia): finds the GPUs --nvidia names, self-tests
// each (gpu_self_test.h), and places every job on one of the GPUs that passed (GpuPlacer:
// least loaded by cost, sticky per stream). A job that fails in a way that points at the GPU
// (an internal error or a timeout, not a bad segment) sends that GPU to a re-test, on its
// own thread, before it takes new work; a failed re-test is tried again later (30 s, then
// doubling up to 5 min), so a transient fault does not keep the GPU out for good.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gpu_placement.h"
#include "job_placement.h"

namespace lp {

class GpuJobPlacement : public JobPlacement {
 public:
  struct Gpu {
    int id = 0;
    std::string name;  // "NVIDIA H200", "" when the driver does not say
  };
  explicit GpuJobPlacement(std::vector<Gpu> gpus);
  ~GpuJobPlacement() override;

  GpuPlacer& placer() { return placer_; }

  Result<int> acquire(const wire::Job& job) override;
  void release(const wire::Job& job, int device, const Result<void>& failure) override;
  std::vector<wire::HardwareDevice> devices() const override;

  // Whether a job's failure points at its GPU rather than at the segment or the request.
  static bool gpu_fault(const Error& failure);

 private:
  void start_retest(int gpu);
  void retest_until_ok(int gpu);

  std::vector<Gpu> gpus_;
  GpuPlacer placer_;
  std::mutex mutex_;                    // guards retests_, retesting_ and stopping_
  std::condition_variable wake_;        // ends a wait between re-tests at shutdown
  std::map<int, std::thread> retests_;  // per GPU: the latest re-test thread
  std::vector<int> retesting_;          // GPUs whose re-test thread still runs
  bool stopping_ = false;
};

struct GpuTranscoderSetup {
  std::shared_ptr<GpuJobPlacement> placement;
  int capacity = 0;                           // sum of the usable GPUs', at most max_sessions
  std::vector<wire::HardwareDevice> devices;  // for the hello's capabilities
  std::vector<std::string> log;               // one line per GPU: what its self-test found
};

// Resolves `nvidia` ("0,2" | "all") against the GPUs nvcodec found, self-tests each and sets
// up placement. An error when a GPU is not there, or when none passes (naming why each
// failed). Needs gst_init and the media core registered; takes a few seconds per GPU.
Result<GpuTranscoderSetup> setup_gpu_transcoder(std::string_view nvidia, int max_sessions);

}  // namespace lp
