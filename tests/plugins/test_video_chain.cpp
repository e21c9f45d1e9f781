// The element chain of a rendition's video for each place the frames can be and each kind
// of encoder (plan_video_chain): what lprendition builds, without building it.
#include <gtest/gtest.h>

#include "video_chain.h"

namespace {

using Names = std::vector<std::string>;

TEST(VideoChain, SystemMemoryAndCpuEncoderStayOnTheCpu) {
  auto plan = lp::plan_video_chain(false, false, "x264enc", "h264parse");
  EXPECT_EQ(plan.path, lp::VideoPath::Cpu);
  EXPECT_EQ(plan.scale, (Names{"videorate", "videoconvertscale", "capsfilter"}));
  EXPECT_EQ(plan.encode, (Names{"x264enc", "capsfilter", "h264parse"}));
  EXPECT_EQ(plan.encoder_index, 0u);
  EXPECT_EQ(plan.format, "I420");
  EXPECT_FALSE(plan.cuda_frames);
  EXPECT_STREQ(lp::video_path_name(plan.path), "cpu");
}

TEST(VideoChain, SystemMemoryAndCudaEncoderUploadOnce) {
  auto plan = lp::plan_video_chain(false, true, "nvh265enc", "h265parse");
  EXPECT_EQ(plan.path, lp::VideoPath::CpuUpload);
  EXPECT_EQ(plan.scale, (Names{"videorate", "videoconvertscale", "capsfilter"}));
  EXPECT_EQ(plan.encode, (Names{"cudaupload", "nvh265enc", "capsfilter", "h265parse"}));
  EXPECT_EQ(plan.encoder_index, 1u);
  EXPECT_EQ(plan.format, "NV12");  // nvh265enc takes no I420
  EXPECT_FALSE(plan.cuda_frames);
}

TEST(VideoChain, CudaMemoryAndCudaEncoderNeverLeaveTheGpu) {
  auto plan = lp::plan_video_chain(true, true, "nvcudah264enc", "h264parse");
  EXPECT_EQ(plan.path, lp::VideoPath::CudaFull);
  EXPECT_EQ(plan.scale, (Names{"videorate", "cudaconvertscale", "capsfilter"}));
  EXPECT_EQ(plan.encode, (Names{"nvcudah264enc", "capsfilter", "h264parse"}));
  EXPECT_EQ(plan.encoder_index, 0u);
  EXPECT_EQ(plan.format, "NV12");
  EXPECT_TRUE(plan.cuda_frames);
  EXPECT_STREQ(lp::video_path_name(plan.path), "cuda-full");
}

TEST(VideoChain, CudaMemoryAndCpuEncoderIsTheHybridPath) {
  auto plan = lp::plan_video_chain(true, false, "x264enc", "h264parse");
  EXPECT_EQ(plan.path, lp::VideoPath::CudaHybrid);
  EXPECT_EQ(plan.scale, (Names{"videorate", "cudaconvertscale", "capsfilter"}));
  // One download per rendition, after scaling: the small frames cross the bus, not 1080p.
  EXPECT_EQ(plan.encode, (Names{"cudadownload", "x264enc", "capsfilter", "h264parse"}));
  EXPECT_EQ(plan.encoder_index, 1u);
  EXPECT_EQ(plan.format, "I420");
  EXPECT_TRUE(plan.cuda_frames);
  EXPECT_STREQ(lp::video_path_name(plan.path), "cuda-hybrid");
}

TEST(VideoChain, NoParserForVp8) {
  auto plan = lp::plan_video_chain(true, false, "vp8enc", nullptr);
  EXPECT_EQ(plan.encode, (Names{"cudadownload", "vp8enc", "capsfilter"}));
  EXPECT_EQ(lp::plan_video_chain(false, false, "vp8enc", "").encode, (Names{"vp8enc", "capsfilter"}));
}

}  // namespace
