// The GPU self-test runner: its generated segment, a GPU that does not exist (everywhere), and
// the real test on an NVIDIA GPU (skipped, with the reason, on machines without one).
#include <gtest/gtest.h>

#include <string>

#include "gpu_self_test.h"
#include "media.h"
#include "nv_elements.h"
#include "self_test_segment.h"

namespace {

TEST(GpuSelfTest, TheTestSegmentIsOneSecondOf720p30H264InMpegTs) {
  auto segment = lp::self_test_segment();
  ASSERT_TRUE(segment.ok()) << segment.error().message;
  const auto info = lp::test::inspect_media_bytes(*segment);
  EXPECT_EQ(info.container, "video/mpegts");
  EXPECT_EQ(info.video_caps_name, "video/x-h264");
  EXPECT_EQ(info.width, 1280);
  EXPECT_EQ(info.height, 720);
  EXPECT_EQ(info.fps_n * 1.0 / info.fps_d, 30.0);
  EXPECT_EQ(info.decoded_frames, 30);
  EXPECT_TRUE(info.first_is_idr);

  auto again = lp::self_test_segment();  // made once, then the same bytes
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *segment);
}

TEST(GpuSelfTest, AGpuThatDoesNotExistIsExcludedQuicklyWithAClearError) {
  const lp::GpuTestReport report = lp::run_gpu_self_test(97);
  EXPECT_EQ(report.device, 97);
  EXPECT_FALSE(report.path);
  EXPECT_FALSE(report.decode_ok);
  EXPECT_FALSE(report.scale_ok);
  EXPECT_EQ(report.encode_sessions, 0);
  EXPECT_EQ(report.error.rfind("decode failed: no NVDEC H.264 decoder for GPU 97", 0), 0u) << report.error;
  EXPECT_LT(report.seconds, 20.0);

  const lp::GpuVerdict verdict = lp::judge_gpu(report, 3, 4);
  EXPECT_FALSE(verdict.usable);
  EXPECT_EQ(verdict.log_line.rfind("GPU 97 excluded: decode failed: no NVDEC H.264 decoder for GPU 97", 0), 0u)
      << verdict.log_line;
}

// Runs for real where GStreamer's nvcodec found a GPU: whatever the card, it decodes, scales
// and encodes the ladder on one of the two paths.
TEST(GpuSelfTest, ARealGpuPassesOnTheFullOrHybridPath) {
  const auto gpus = lp::nv_devices(lp::installed_nv_factories());
  if (gpus.empty()) {
    GTEST_SKIP() << "no NVIDIA GPU: GStreamer's nvcodec plugin registered no element "
                    "(no GPU or driver here, or a registry cache written before the driver)";
  }
  const int device = gpus.front().id;
  const lp::GpuTestReport report = lp::run_gpu_self_test(device);
  const lp::GpuVerdict verdict = lp::judge_gpu(report, static_cast<int>(lp::reference_ladder().size()), 2);
  std::printf("%s\n", verdict.log_line.c_str());
  ASSERT_TRUE(report.path) << report.error;
  EXPECT_TRUE(report.decode_ok);
  EXPECT_TRUE(report.scale_ok);
  EXPECT_TRUE(verdict.usable);
  EXPECT_GE(verdict.capacity, 1);
  if (*report.path == lp::GpuPath::Full) {
    EXPECT_GE(report.encode_sessions, 1);
  }
}

}  // namespace
