#include "video_chain.h"

namespace lp {

VideoChainPlan plan_video_chain(bool cuda_input, bool cuda_encoder, const std::string& encoder, const char* parser) {
  VideoChainPlan plan;
  plan.path = cuda_input ? (cuda_encoder ? VideoPath::CudaFull : VideoPath::CudaHybrid)
                         : (cuda_encoder ? VideoPath::CpuUpload : VideoPath::Cpu);
  // videorate handles any memory (it only drops and repeats buffers), so the rate is fixed
  // first on both paths; the scaler then works on exactly the frames that are encoded.
  plan.scale = {"videorate", cuda_input ? "cudaconvertscale" : "videoconvertscale", "capsfilter"};
  // NVENC reads NV12 natively (nvh265enc takes no I420); the CPU encoders want I420.
  plan.format = cuda_encoder ? "NV12" : "I420";
  plan.cuda_frames = cuda_input;
  // One transfer per rendition, at its output size: the smallest copy there can be.
  if (plan.path == VideoPath::CpuUpload) plan.encode.push_back("cudaupload");
  if (plan.path == VideoPath::CudaHybrid) plan.encode.push_back("cudadownload");
  plan.encoder_index = plan.encode.size();
  plan.encode.push_back(encoder);
  plan.encode.push_back("capsfilter");
  if (parser && *parser) plan.encode.push_back(parser);
  return plan;
}

const char* video_path_name(VideoPath path) {
  switch (path) {
    case VideoPath::Cpu: return "cpu";
    case VideoPath::CpuUpload: return "cpu-upload";
    case VideoPath::CudaFull: return "cuda-full";
    case VideoPath::CudaHybrid: return "cuda-hybrid";
  }
  return "cpu";
}

}  // namespace lp
