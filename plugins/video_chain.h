// Which elements carry a rendition's video from its input to its muxer: decided by where the
// frames are (system or CUDA memory) and what the encoder takes. Pure, unit-tested;
// VideoBranch (rendition_branch.h) builds what it returns.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lp {

enum class VideoPath {
  Cpu,         // system memory in, system encoder: scaled on the CPU (I420)
  CpuUpload,   // system memory in, CUDA encoder: scaled on the CPU (NV12), one cudaupload
  CudaFull,    // CUDA memory in, CUDA encoder: scaled by cudaconvertscale, never leaves the GPU
  CudaHybrid,  // CUDA memory in, system encoder: scaled on the GPU, one cudadownload (I420)
};

struct VideoChainPlan {
  VideoPath path = VideoPath::Cpu;
  // Input to the scaled frames: videorate, the scaler, the capsfilter that fixes size, rate
  // and format (a rendition's scaled_%u pads tap the frames after it).
  std::vector<std::string> scale;
  // Scaled frames to the muxer: [cudaupload | cudadownload], the encoder, the capsfilter of
  // its output caps, [the parser].
  std::vector<std::string> encode;
  size_t encoder_index = 0;  // the encoder's place in `encode`
  std::string format;        // raw format of the scaled frames: "I420" or "NV12"
  bool cuda_frames = false;  // the scaled frames are in CUDA memory
};

// `encoder`: the encoder's element factory; `parser`: its parser, null or empty for none.
VideoChainPlan plan_video_chain(bool cuda_input, bool cuda_encoder, const std::string& encoder, const char* parser);

// "cpu", "cpu-upload", "cuda-full", "cuda-hybrid": for logs.
const char* video_path_name(VideoPath path);

}  // namespace lp
