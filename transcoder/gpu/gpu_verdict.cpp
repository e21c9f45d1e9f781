#include "gpu_verdict.h"

#include <algorithm>
#include <cstdio>

namespace lp {

namespace {

std::string took(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, " (self-test %.1f s)", seconds);
  return buf;
}

}  // namespace

GpuVerdict judge_gpu(const GpuTestReport& report, int renditions_per_session, int fallback_capacity) {
  const std::string gpu = "GPU " + std::to_string(report.device);
  const int fallback = std::max(1, fallback_capacity);
  if (!report.path) {
    const std::string why = report.error.empty() ? "self-test failed" : report.error;
    return GpuVerdict{.usable = false, .capacity = 0, .log_line = gpu + " excluded: " + why + took(report.seconds)};
  }

  std::string line = gpu + ": decode ok, scale ok, ";
  int capacity = fallback;
  if (*report.path == GpuPath::Hybrid) {
    line += "encode x264 on the CPU (hybrid";
    line += report.error.empty() ? ")" : "; no NVENC: " + report.error + ")";
    line += " -> capacity " + std::to_string(capacity) + " (operator's figure)";
  } else if (report.sessions_capped) {
    line += "encode nvenc (full GPU), " + std::to_string(report.encode_sessions) +
            " simultaneous encode sessions (the probe's cap, no limit found) -> capacity " + std::to_string(capacity) +
            " (operator's figure)";
  } else {
    capacity = std::max(1, report.encode_sessions / std::max(1, renditions_per_session));
    line += "encode nvenc (full GPU), " + std::to_string(report.encode_sessions) +
            " simultaneous encode sessions -> capacity " + std::to_string(capacity);
    // Each rendition is one NVENC session: a ladder wider than the cap cannot run at all.
    if (report.encode_sessions < renditions_per_session)
      line += " (warning: a session of " + std::to_string(renditions_per_session) +
              " renditions needs more encode sessions than this GPU opens)";
  }
  return GpuVerdict{.usable = true, .capacity = capacity, .log_line = line + took(report.seconds)};
}

}  // namespace lp
