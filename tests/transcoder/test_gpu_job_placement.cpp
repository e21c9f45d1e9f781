// A GPU transcoder's job placement: jobs take a GPU slot and give it back, a full set of GPUs
// is Busy, an excluded GPU reports why, and a job failure that points at the GPU (not at the
// segment) takes the GPU out until its re-test passes. Without a GPU here, that re-test fails
// for real (no NVDEC decoder) and the GPU stays out, saying so.
#include <gtest/gtest.h>
#include <gst/gst.h>

#include <chrono>
#include <thread>

#include "gpu_job_placement.h"
#include "lp_register.h"

namespace lp {
namespace {

wire::Job job(const std::string& id, const std::string& stream) {
  wire::Job j;
  j.job_id = id;
  j.stream_id = stream;
  j.profiles = {*find_preset("P240p30fps16x9")};
  return j;
}

TEST(GpuJobPlacement, FaultsThatPointAtTheGpu) {
  EXPECT_TRUE(GpuJobPlacement::gpu_fault({ErrorCode::Internal, "nvh264dec: CUDA error"}));
  EXPECT_TRUE(GpuJobPlacement::gpu_fault({ErrorCode::Timeout, "pipeline timed out"}));
  EXPECT_FALSE(GpuJobPlacement::gpu_fault({ErrorCode::BadSegment, "corrupt"}));
  EXPECT_FALSE(GpuJobPlacement::gpu_fault({ErrorCode::InvalidProfile, "width"}));
}

TEST(GpuJobPlacement, SlotsStateAndRetestAfterAGpuFault) {
  media_register();
  GpuJobPlacement placement({{0, "GPU zero"}, {1, "GPU one"}});
  placement.placer().add_gpu(0, 1, GpuPath::Hybrid);
  placement.placer().add_excluded_gpu(1, "decode failed: no NVDEC");

  auto first = placement.acquire(job("j1", "s1"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 0);
  auto second = placement.acquire(job("j2", "s2"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::Busy);

  auto devices = placement.devices();
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].kind, "nvidia");
  EXPECT_EQ(devices[0].name, "GPU zero");
  EXPECT_EQ(devices[0].path, "hybrid");
  EXPECT_EQ(devices[0].capacity, 1);
  EXPECT_EQ(devices[0].sessions, 1);
  EXPECT_GT(devices[0].load_percent, 0);
  EXPECT_EQ(devices[0].error, "");
  EXPECT_EQ(devices[1].error, "decode failed: no NVDEC");

  // A bad segment is the segment's fault: the GPU keeps working.
  placement.release(job("j1", "s1"), 0, Error{ErrorCode::BadSegment, "corrupt"});
  EXPECT_EQ(placement.devices()[0].sessions, 0);
  auto again = placement.acquire(job("j3", "s1"));
  ASSERT_TRUE(again.ok());

  // An internal error is the GPU's: out until a re-test passes, which cannot pass here.
  placement.release(job("j3", "s1"), 0, Error{ErrorCode::Internal, "nvh264dec: CUDA_ERROR_ILLEGAL_ADDRESS"});
  EXPECT_FALSE(placement.acquire(job("j4", "s3")).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string error;
  while (std::chrono::steady_clock::now() < deadline) {
    error = placement.devices()[0].error;
    if (error.rfind("re-test failed", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(error.rfind("re-test failed: decode failed", 0), 0u) << error;
  EXPECT_FALSE(placement.acquire(job("j5", "s3")).ok());
}

}  // namespace
}  // namespace lp
