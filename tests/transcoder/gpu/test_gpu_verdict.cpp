// What the transcoder makes of a GPU's self-test (capacity, log line), and the search for how
// many NVENC sessions run at once: both without a GPU.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "gpu_session_probe.h"
#include "gpu_verdict.h"

namespace {

lp::GpuTestReport report_for(int device, std::optional<lp::GpuPath> path, std::string error = "") {
  lp::GpuTestReport r;
  r.device = device;
  r.decode_ok = r.scale_ok = path.has_value();
  r.path = path;
  r.error = std::move(error);
  r.seconds = 2.5;
  return r;
}

lp::GpuTestReport full(int device, int sessions, bool capped = false) {
  lp::GpuTestReport r = report_for(device, lp::GpuPath::Full);
  r.encode_sessions = sessions;
  r.sessions_capped = capped;
  return r;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST(GpuVerdict, FullPathCapacityIsEncodeSessionsPerSessionLadder) {
  const auto v = lp::judge_gpu(full(0, 12), 4, 8);
  EXPECT_TRUE(v.usable);
  EXPECT_EQ(v.capacity, 3);
  EXPECT_TRUE(starts_with(v.log_line,
                          "GPU 0: decode ok, scale ok, encode nvenc (full GPU), "
                          "12 simultaneous encode sessions -> capacity 3"))
      << v.log_line;
  EXPECT_NE(v.log_line.find("self-test 2.5 s"), std::string::npos) << v.log_line;
  EXPECT_EQ(lp::judge_gpu(full(0, 13), 4, 8).capacity, 3);  // rounds down: a 4th ladder would not fit
}

TEST(GpuVerdict, FullPathNeverBelowOneAndWarnsWhenTheLadderIsWiderThanTheCap) {
  const auto v = lp::judge_gpu(full(1, 3), 4, 8);
  EXPECT_TRUE(v.usable);
  EXPECT_EQ(v.capacity, 1);
  EXPECT_NE(v.log_line.find("warning: a session of 4 renditions needs more encode sessions"), std::string::npos)
      << v.log_line;
  EXPECT_EQ(lp::judge_gpu(full(1, 4), 0, 8).capacity, 4);  // renditions_per_session 0 counts as 1
}

TEST(GpuVerdict, NoLimitFoundMeansTheOperatorsFigure) {
  const auto v = lp::judge_gpu(full(2, 16, true), 4, 6);
  EXPECT_TRUE(v.usable);
  EXPECT_EQ(v.capacity, 6);
  EXPECT_NE(v.log_line.find("16 simultaneous encode sessions (the probe's cap, no limit found) -> capacity 6 "
                            "(operator's figure)"),
            std::string::npos)
      << v.log_line;
}

TEST(GpuVerdict, HybridTakesTheOperatorsFigureAndSaysWhyNotNvenc) {
  const auto hybrid = report_for(0, lp::GpuPath::Hybrid, "no codec adapter nvenc-h264");
  const auto v = lp::judge_gpu(hybrid, 4, 2);
  EXPECT_TRUE(v.usable);
  EXPECT_EQ(v.capacity, 2);
  EXPECT_TRUE(starts_with(v.log_line,
                          "GPU 0: decode ok, scale ok, encode x264 on the CPU (hybrid; no NVENC: "
                          "no codec adapter nvenc-h264) -> capacity 2"))
      << v.log_line;
  EXPECT_EQ(lp::judge_gpu(hybrid, 4, 0).capacity, 1);  // never 0 for a usable GPU
}

TEST(GpuVerdict, AFailedGpuIsExcludedWithTheReason) {
  const auto failed = report_for(1, std::nullopt, "decode failed: no NVDEC H.264 decoder for GPU 1");
  const auto v = lp::judge_gpu(failed, 4, 2);
  EXPECT_FALSE(v.usable);
  EXPECT_EQ(v.capacity, 0);
  EXPECT_TRUE(starts_with(v.log_line, "GPU 1 excluded: decode failed: no NVDEC H.264 decoder for GPU 1")) << v.log_line;
  EXPECT_TRUE(
      starts_with(lp::judge_gpu(report_for(3, std::nullopt), 4, 2).log_line, "GPU 3 excluded: self-test failed"));
}

// A fake GPU that opens at most `limit` sessions; records what the probe asked for.
struct FakeNvenc {
  int limit;
  std::vector<int> asked;
  bool operator()(int k) {
    asked.push_back(k);
    return k <= limit;
  }
};

lp::SessionProbe probe(int cap, FakeNvenc& gpu) {
  return lp::probe_encode_sessions(cap, [&](int k) { return gpu(k); });
}

TEST(GpuSessionProbe, FindsTheExactLimitByDoublingThenNarrowing) {
  for (int limit = 1; limit < 16; ++limit) {
    FakeNvenc gpu{limit, {}};
    const auto found = probe(16, gpu);
    EXPECT_EQ(found.sessions, limit);
    EXPECT_FALSE(found.capped);
    EXPECT_LE(gpu.asked.size(), 8u) << "limit " << limit;
  }
  FakeNvenc consumer{5, {}};
  probe(16, consumer);
  EXPECT_EQ(consumer.asked, (std::vector<int>{1, 2, 4, 8, 6, 5}));
}

TEST(GpuSessionProbe, StopsAtTheCapWithoutFailureAndSaysSo) {
  FakeNvenc datacentre{1000, {}};
  const auto found = probe(16, datacentre);
  EXPECT_EQ(found.sessions, 16);
  EXPECT_TRUE(found.capped);
  EXPECT_EQ(datacentre.asked, (std::vector<int>{1, 2, 4, 8, 16}));

  FakeNvenc odd_cap{1000, {}};
  EXPECT_EQ(probe(12, odd_cap).sessions, 12);
  EXPECT_EQ(odd_cap.asked, (std::vector<int>{1, 2, 4, 8, 12}));

  FakeNvenc exact{16, {}};
  EXPECT_TRUE(probe(16, exact).capped);  // a limit at the cap cannot be told from no limit
}

TEST(GpuSessionProbe, NoSessionAtAll) {
  FakeNvenc broken{0, {}};
  const auto found = probe(16, broken);
  EXPECT_EQ(found.sessions, 0);
  EXPECT_FALSE(found.capped);
  EXPECT_EQ(broken.asked, (std::vector<int>{1}));
}

}  // namespace
