#include "gpu_job_placement.h"

#include <glib.h>

#include <algorithm>
#include <cmath>

#include "gpu/nv_elements.h"
#include "gpu_list.h"
#include "gpu_self_test.h"
#include "nvidia_names.h"

namespace lp {

GpuJobPlacement::GpuJobPlacement(std::vector<Gpu> gpus) : gpus_(std::move(gpus)) {}

GpuJobPlacement::~GpuJobPlacement() {
  std::map<int, std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(retests_);
  }
  wake_.notify_all();
  for (auto& [gpu, t] : threads) t.join();  // a self-test already running finishes first
}

bool GpuJobPlacement::gpu_fault(const Error& failure) {
  // A segment's own faults decode the same on any GPU; an internal error (a CUDA or decoder
  // failure) or a pipeline that ran out of time may be the GPU's.
  return failure.code == ErrorCode::Internal || failure.code == ErrorCode::Timeout;
}

Result<int> GpuJobPlacement::acquire(const wire::Job& job) {
  placer_.expire();
  auto gpu = placer_.place(job.stream_id, session_cost(job.profiles));
  if (!gpu) return Error{ErrorCode::Busy, "every usable GPU of this transcoder is busy"};
  return *gpu;
}

void GpuJobPlacement::release(const wire::Job& job, int device, const Result<void>& failure) {
  placer_.finish(job.stream_id, device);
  if (failure.ok() || !gpu_fault(failure.error())) return;
  g_warning("GPU %d: job %s failed (%s): re-testing the GPU before it takes new work", device, job.job_id.c_str(),
            failure.error().message.c_str());
  placer_.mark_failed(device, failure.error().message);
  start_retest(device);
}

void GpuJobPlacement::start_retest(int gpu) {
  std::lock_guard lock(mutex_);
  if (stopping_ || std::count(retesting_.begin(), retesting_.end(), gpu)) return;
  retesting_.push_back(gpu);
  if (auto old = retests_.find(gpu); old != retests_.end()) old->second.join();  // it has ended
  retests_[gpu] = std::thread([this, gpu] { retest_until_ok(gpu); });
}

void GpuJobPlacement::retest_until_ok(int gpu) {
  auto backoff = std::chrono::seconds(30);
  for (;;) {
    GpuSelfTestOptions options;
    options.probe_sessions = false;  // the start-up count stands
    const GpuTestReport report = run_gpu_self_test(gpu, options);
    const bool ok = report.path.has_value();
    placer_.retest_done(gpu, ok, report.error);  // the placer says "re-test failed: <why>"
    if (ok) {
      g_message("GPU %d: re-test passed: back to work", gpu);
    } else {
      g_warning("GPU %d: re-test failed: %s (next try in %lld s)", gpu, report.error.c_str(),
                static_cast<long long>(backoff.count()));
    }
    std::unique_lock lock(mutex_);
    if (!ok && !wake_.wait_for(lock, backoff, [this] { return stopping_; })) {
      backoff = std::min(backoff * 2, std::chrono::seconds(300));
      continue;
    }
    retesting_.erase(std::find(retesting_.begin(), retesting_.end(), gpu));
    return;
  }
}

std::vector<wire::HardwareDevice> GpuJobPlacement::devices() const {
  std::vector<wire::HardwareDevice> out;
  for (const GpuState& s : placer_.snapshot()) {
    wire::HardwareDevice d;
    d.kind = "nvidia";
    d.index = s.id;
    for (const auto& g : gpus_)
      if (g.id == s.id) d.name = g.name;
    d.path = s.path ? gpu_path_name(*s.path) : "";
    d.capacity = s.capacity;
    d.sessions = s.sessions;
    d.load_percent = static_cast<int>(std::lround(s.load * 100));
    d.error = s.usable ? "" : (s.last_error.empty() ? "not usable" : s.last_error);
    out.push_back(d);
  }
  return out;
}

Result<GpuTranscoderSetup> setup_gpu_transcoder(std::string_view nvidia, int max_sessions) {
  std::vector<int> present;
  for (const NvDevice& d : nv_devices(installed_nv_factories()))
    if (d.h264_decode || d.h265_decode) present.push_back(d.id);
  auto ids = resolve_gpu_list(nvidia, present);
  if (!ids) return ids.error();

  std::vector<GpuJobPlacement::Gpu> gpus;
  for (int id : *ids) gpus.push_back({id, nvidia_device_name(id)});
  GpuTranscoderSetup setup;
  setup.placement = std::make_shared<GpuJobPlacement>(gpus);
  // Hybrid GPUs encode on the CPU: the operator's figure is shared between them.
  const int share = std::max(1, max_sessions / static_cast<int>(ids->size()));
  const int renditions = static_cast<int>(GpuSelfTestOptions().ladder.size());
  std::string failures;
  for (const auto& gpu : gpus) {
    const GpuTestReport report = run_gpu_self_test(gpu.id);
    const GpuVerdict verdict = judge_gpu(report, renditions, share);
    std::string line = verdict.log_line;
    if (!gpu.name.empty()) {
      // "GPU 0: ..." -> "GPU 0 (NVIDIA H200): ..."
      const std::string prefix = "GPU " + std::to_string(gpu.id);
      if (line.rfind(prefix, 0) == 0) line.insert(prefix.size(), " (" + gpu.name + ")");
    }
    setup.log.push_back(line);
    if (verdict.usable) {
      setup.placement->placer().add_gpu(gpu.id, verdict.capacity, *report.path);
      setup.capacity += verdict.capacity;
    } else {
      setup.placement->placer().add_excluded_gpu(gpu.id, report.error);
      failures += (failures.empty() ? "" : "; ") + line;
    }
  }
  if (setup.capacity == 0) return Error{ErrorCode::Unsupported, "no usable GPU: " + failures};
  setup.capacity = std::min(setup.capacity, max_sessions);
  setup.devices = setup.placement->devices();
  return setup;
}

}  // namespace lp
