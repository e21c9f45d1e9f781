// How a GPU transcodes: everything on the GPU, or NVDEC + CUDA scaling with x264 on the CPU
// for GPUs that decode but have no NVENC (H100/H200/A100-class data-centre cards).
#pragma once

namespace lp {

enum class GpuPath {
  Full,    // NVDEC -> cudaconvertscale -> NVENC, frames stay in CUDA memory
  Hybrid,  // NVDEC -> cudaconvertscale -> cudadownload per rendition -> x264
};

// As /status, /metrics and the wire spell it: "full" or "hybrid".
inline const char* gpu_path_name(GpuPath path) { return path == GpuPath::Full ? "full" : "hybrid"; }

}  // namespace lp
