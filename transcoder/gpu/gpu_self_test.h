// The start-up self-test of one GPU, as go-livepeer runs one: transcode a short generated
// segment through the ladder on that GPU and find out what works. NVDEC decode first; then
// the ladder with NVENC (the full GPU path); if that fails, with x264 on the CPU (the hybrid
// path, for GPUs with NVDEC but no NVENC); on the full path, how many NVENC encodes run at
// once. judge_gpu (gpu_verdict.h) turns the report into capacity and a log line. Also the
// re-test of a GPU that failed a job.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "gpu_verdict.h"
#include "profile.h"
#include "session_cost.h"

namespace lp {

struct GpuSelfTestOptions {
  std::vector<Profile> ladder = reference_ladder();
  std::string nvenc_encoder = "nvenc-h264";  // codec adapter of the full path
  std::string cpu_encoder = "x264";          // codec adapter of the hybrid path
  // The session probe runs this many single-rendition encodes at once at most.
  int max_probe_sessions = 16;
  // false for a re-test after a failed job: the path is checked again, the session count
  // measured at start-up stands (encode_sessions stays 0).
  bool probe_sessions = true;
  Profile probe_rendition = *find_preset("P240p30fps16x9");
  // Bound on each step (decode check, ladder, one probe round): a wedged GPU fails the test
  // instead of hanging start-up.
  std::chrono::milliseconds step_timeout{std::chrono::seconds(30)};
};

// Runs on the calling thread (it starts its own for the session probe); blocks for a few
// seconds per GPU. Never throws: whatever fails is in the report's error. Needs gst_init.
GpuTestReport run_gpu_self_test(int device, const GpuSelfTestOptions& options = {});

}  // namespace lp
