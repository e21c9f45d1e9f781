// --nvidia's value against the GPUs present, as go-livepeer's -nvidia takes it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu_list.h"

namespace {

using Ids = std::vector<int>;

Ids resolved(std::string_view value, const Ids& present) {
  auto ids = lp::resolve_gpu_list(value, present);
  EXPECT_TRUE(ids.ok()) << value << ": " << ids.error().message;
  return ids.ok() ? *ids : Ids{};
}

std::string refusal(std::string_view value, const Ids& present) {
  auto ids = lp::resolve_gpu_list(value, present);
  EXPECT_FALSE(ids.ok()) << value;
  return ids.ok() ? "" : ids.error().message;
}

TEST(GpuList, IdsComeBackSortedWithoutRepeats) {
  EXPECT_EQ(resolved("0,2", {0, 1, 2}), (Ids{0, 2}));
  EXPECT_EQ(resolved("2,0,2", {0, 1, 2}), (Ids{0, 2}));
  EXPECT_EQ(resolved("1", {0, 1}), (Ids{1}));
  EXPECT_EQ(resolved(" 1, 0 ", {0, 1}), (Ids{0, 1}));
}

TEST(GpuList, AllIsEveryPresentGpu) { EXPECT_EQ(resolved("all", {3, 0, 1}), (Ids{0, 1, 3})); }

TEST(GpuList, AMissingGpuIsNamedWithThePresentOnes) {
  EXPECT_EQ(refusal("0,3", {0, 1}), "--nvidia: GPU 3 not found (present: 0, 1)");
  EXPECT_EQ(refusal("5,3", {0, 1}), "--nvidia: GPUs 3, 5 not found (present: 0, 1)");
  EXPECT_EQ(lp::resolve_gpu_list("3", {0}).error().code, lp::ErrorCode::NotFound);
}

TEST(GpuList, NoGpuPresentSaysWhyNvcodecFoundNone) {
  EXPECT_EQ(refusal("all", {}),
            "--nvidia all: no NVIDIA GPU found (GStreamer's nvcodec plugin registered no decoder: no driver, "
            "or a registry cache written before the driver was installed — see docs/gpu.md)");
  const std::string msg = refusal("0", {});
  EXPECT_EQ(msg.rfind("--nvidia: GPU 0 not found (present: none; GStreamer's nvcodec plugin", 0), 0u) << msg;
  EXPECT_NE(msg.find("docs/gpu.md"), std::string::npos) << msg;
}

TEST(GpuList, MalformedValuesAreRefused) {
  for (const char* bad : {"", "x", "0,,1", "0,", "-1", "1.5", "0 1", "ALL", "0,all"}) {
    const std::string msg = refusal(bad, {0, 1});
    EXPECT_NE(msg.find("is not a GPU list (give ids like 0,2 or all)"), std::string::npos) << bad << ": " << msg;
  }
}

}  // namespace
