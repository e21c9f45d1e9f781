#include "gpu_self_test.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "gpu_session_probe.h"
#include "nv_decode_check.h"
#include "nv_elements.h"
#include "self_test_segment.h"
#include "transcode.h"

namespace lp {

namespace {

// Transcodes `segment` into `ladder` on `device` with `encoder`: nullopt when every rendition
// came out with frames.
Result<void> transcode_on_gpu(GBytes* segment, const std::vector<Profile>& ladder, int device,
                              const std::string& encoder, std::chrono::milliseconds timeout) {
  TranscodeOptions options;
  options.encoder = encoder;
  options.cuda_device = device;
  options.timeout = timeout;
  auto renditions = transcode_segment(segment, ladder, options);
  if (!renditions) return renditions.error();
  for (const Rendition& r : *renditions)
    if (r.frames == 0) return Error{ErrorCode::BadSegment, "rendition " + r.name + " has no frame"};
  return {};
}

// k single-rendition NVENC encodes at the same time: whether all of them succeeded.
bool encodes_at_once(int k, GBytes* segment, int device, const GpuSelfTestOptions& options) {
  std::vector<char> ok(static_cast<size_t>(k), 0);  // char, not bool: one writer per element
  {
    std::vector<std::jthread> encodes;
    for (int i = 0; i < k; ++i) {
      encodes.emplace_back([&, i] {
        ok[static_cast<size_t>(i)] =
            transcode_on_gpu(segment, {options.probe_rendition}, device, options.nvenc_encoder, options.step_timeout)
                .ok();
      });
    }
  }  // jthreads join here
  return std::find(ok.begin(), ok.end(), 0) == ok.end();
}

}  // namespace

GpuTestReport run_gpu_self_test(int device, const GpuSelfTestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  GpuTestReport report;
  report.device = device;
  auto done = [&](std::string error) {
    report.error = std::move(error);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  };

  auto segment = self_test_segment();
  if (!segment) return done("no test segment: " + segment.error().message);
  if (auto error = check_nv_decode(device, *segment, options.step_timeout); !error.ok()) {
    return done("decode failed: " + error.error().message);
  }
  report.decode_ok = true;

  auto full = transcode_on_gpu(*segment, options.ladder, device, options.nvenc_encoder, options.step_timeout);
  if (full.ok()) {
    report.scale_ok = true;
    report.path = GpuPath::Full;
    if (!options.probe_sessions) return done("");
    const SessionProbe probe = probe_encode_sessions(
        options.max_probe_sessions, [&](int k) { return encodes_at_once(k, *segment, device, options); });
    report.encode_sessions = probe.sessions;
    report.sessions_capped = probe.capped;
    return done("");
  }

  // No NVENC (or it failed): decode and scale on the GPU, encode on the CPU.
  auto hybrid = transcode_on_gpu(*segment, options.ladder, device, options.cpu_encoder, options.step_timeout);
  if (hybrid.ok()) {
    report.scale_ok = true;
    report.path = GpuPath::Hybrid;
    return done(full.error().message);  // why the full path is not used
  }
  // The CUDA filters need NVRTC, which a driver-only install lacks: say so rather than
  // leave the operator with a pipeline error.
  const std::string why = cuda_filters_available()
                              ? hybrid.error().message
                              : "cudaconvertscale is not registered (nvcodec needs NVRTC for the CUDA filters; see "
                                "docs/gpu.md): " +
                                    hybrid.error().message;
  return done("scale failed: " + why + " (with NVENC: " + full.error().message + ")");
}

}  // namespace lp
