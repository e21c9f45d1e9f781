// What a GPU's start-up self-test found (GpuTestReport, filled by run_gpu_self_test) and what
// the transcoder makes of it (judge_gpu): whether the GPU takes work, how many sessions, and
// the log line that says so. Pure: no GStreamer, so every case is unit-tested without a GPU.
#pragma once

#include <optional>
#include <string>

#include "gpu_path.h"

namespace lp {

struct GpuTestReport {
  int device = 0;
  bool decode_ok = false;        // NVDEC decoded the test segment
  bool scale_ok = false;         // the ladder's CUDA scaling (and download, hybrid) worked
  std::optional<GpuPath> path;   // nullopt: excluded
  int encode_sessions = 0;       // NVENC encodes that ran at once (Full path only)
  bool sessions_capped = false;  // the probe stopped at its cap without a failure
  std::string error;             // excluded: why; hybrid: why NVENC was not used
  double seconds = 0.0;          // how long the self-test took
};

struct GpuVerdict {
  bool usable = false;
  int capacity = 0;  // sessions (each `renditions_per_session` encodes) it takes at once
  std::string log_line;
};

// Full path: capacity = max(1, encode_sessions / renditions_per_session), since every
// rendition is one NVENC session, unless the probe hit its cap (no limit found): then
// fallback_capacity, the operator's figure. Hybrid: fallback_capacity (x264 runs on the CPU,
// which the GPU's figures say nothing about). Excluded: not usable, and the line says why.
GpuVerdict judge_gpu(const GpuTestReport& report, int renditions_per_session, int fallback_capacity);

}  // namespace lp
