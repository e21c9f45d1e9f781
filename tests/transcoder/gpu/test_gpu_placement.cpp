// Session placement on GPUs: least loaded by cost, sticky, spread on ties, full, failed GPUs
// out until re-tested, idle sessions forgotten, and many threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gpu_placement.h"
#include "session_cost.h"

namespace {

using namespace std::chrono_literals;
using Clock = lp::GpuPlacer::Clock;

constexpr int64_t kUnit = 1000;  // a session cost; only ratios matter

// Full-path GPUs 0, 1, ... with these capacities.
void add_full_gpus(lp::GpuPlacer& placer, std::initializer_list<int> capacities) {
  int id = 0;
  for (int capacity : capacities) placer.add_gpu(id++, capacity, lp::GpuPath::Full);
}

lp::GpuState state_of(const lp::GpuPlacer& placer, int gpu) {
  for (const auto& s : placer.snapshot())
    if (s.id == gpu) return s;
  ADD_FAILURE() << "no GPU " << gpu;
  return {};
}

TEST(SessionCost, SumsWidthTimesHeightTimesFps) {
  auto p720 = *lp::find_preset("P720p30fps16x9");
  auto p240 = *lp::find_preset("P240p30fps16x9");
  EXPECT_EQ(lp::session_cost({p720}), 1280 * 720 * 30);
  EXPECT_EQ(lp::session_cost({p720, p240}), 1280 * 720 * 30 + p240.width * p240.height * 30);
  p720.fps = 0;  // the source's rate: counted as 30
  EXPECT_EQ(lp::session_cost({p720}), 1280 * 720 * 30);
  p720.fps = 30000;
  p720.fps_den = 1001;
  EXPECT_EQ(lp::session_cost({p720}), int64_t{1280} * 720 * 30000 / 1001);
  EXPECT_EQ(lp::session_cost({}), 0);
  EXPECT_EQ(lp::reference_session_cost(), lp::session_cost(lp::reference_ladder()));
  EXPECT_EQ(lp::reference_ladder().size(), 3u);
}

TEST(GpuPlacement, NewSessionsGoToTheLeastLoadedByCost) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {4, 4});
  const int heavy = *placer.place("heavy", 3 * kUnit);
  const int other = heavy == 0 ? 1 : 0;
  // Two light sessions fit on the other GPU before it is as loaded as the heavy one's.
  EXPECT_EQ(placer.place("light-1", kUnit), other);
  EXPECT_EQ(placer.place("light-2", kUnit), other);
  EXPECT_EQ(state_of(placer, other).cost, 2 * kUnit);
  EXPECT_EQ(state_of(placer, heavy).cost, 3 * kUnit);
  // Compared with the new job on each: 3 there against 4 here.
  EXPECT_EQ(placer.place("light-3", kUnit), other);
  // 4 against 4 now: a tie, and the rotation's turn is the heavy one's GPU.
  EXPECT_EQ(placer.place("light-4", kUnit), heavy);
}

TEST(GpuPlacement, CapacityWeighsTheLoad) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {1, 3});
  // The 3-slot GPU takes three equal sessions before the 1-slot one is as loaded.
  std::map<int, int> count;
  for (int i = 0; i < 4; ++i) count[*placer.place("s" + std::to_string(i), kUnit)]++;
  EXPECT_EQ(count[0], 1);
  EXPECT_EQ(count[1], 3);
  EXPECT_DOUBLE_EQ(state_of(placer, 1).load, 1.0);  // 3 reference-sized sessions in 3 slots
}

TEST(GpuPlacement, ASessionStaysOnItsGpu) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {8, 8});
  const int home = *placer.place("stream", kUnit);
  const int other = home == 0 ? 1 : 0;
  ASSERT_EQ(placer.place("elsewhere", 10 * kUnit), other);
  placer.finish("stream");
  ASSERT_EQ(placer.place("filler", 10 * kUnit), home);
  placer.finish("elsewhere");
  // The other GPU is idle and home is busy, yet the stream comes back home.
  for (int segment = 0; segment < 5; ++segment) {
    EXPECT_EQ(placer.place("stream", kUnit), home) << "segment " << segment;
    placer.finish("stream");
  }
}

TEST(GpuPlacement, TiesSpreadRoundRobin) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {4, 4, 4});
  // Each job finishes before the next arrives, so every placement sees three idle GPUs.
  std::vector<int> used;
  for (int i = 0; i < 6; ++i) {
    const std::string session = "s" + std::to_string(i);
    used.push_back(*placer.place(session, kUnit));
    placer.finish(session);
  }
  EXPECT_EQ(used, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(GpuPlacement, FullGpusTakeNothingMore) {
  lp::GpuPlacer placer(60s, kUnit);
  placer.add_gpu(0, 1, lp::GpuPath::Full);
  placer.add_gpu(1, 2, lp::GpuPath::Hybrid);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(placer.place("s" + std::to_string(i), kUnit)) << i;
  EXPECT_EQ(placer.place("one-too-many", kUnit), std::nullopt);
  EXPECT_EQ(placer.place("s0", kUnit), std::nullopt);  // a second job of a session needs a slot too
  EXPECT_EQ(state_of(placer, 1).sessions, 2);
  EXPECT_EQ(state_of(placer, 1).jobs, 2);

  placer.finish("s2");
  EXPECT_TRUE(placer.place("now-there-is-room", kUnit));
}

TEST(GpuPlacement, AStickySessionMovesWhenItsGpuIsFull) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {1, 1});
  const int home = *placer.place("stream", kUnit);
  const int other = home == 0 ? 1 : 0;
  // Home's only slot is busy (with the stream's previous segment): the next job moves...
  EXPECT_EQ(placer.place("stream", kUnit), other);
  placer.finish("stream");  // the oldest job, home's, ends first
  EXPECT_EQ(state_of(placer, home).jobs, 0);
  EXPECT_EQ(state_of(placer, other).jobs, 1);
  placer.finish("stream");
  // ...and the session is sticky to its new GPU from then on.
  EXPECT_EQ(placer.place("stream", kUnit), other);
}

TEST(GpuPlacement, NoGpuMeansNoPlacement) {
  lp::GpuPlacer placer;
  EXPECT_EQ(placer.place("s", kUnit), std::nullopt);
  placer.add_excluded_gpu(0, "decode failed: no NVDEC");
  EXPECT_EQ(placer.place("s", kUnit), std::nullopt);
  const auto s = state_of(placer, 0);
  EXPECT_FALSE(s.usable);
  EXPECT_FALSE(s.path);
  EXPECT_EQ(s.last_error, "decode failed: no NVDEC");
  placer.mark_failed(0, "x");  // nothing to re-test on a GPU that never passed
  EXPECT_FALSE(placer.needs_retest(0));
}

TEST(GpuPlacement, AFailedGpuTakesNoNewWorkUntilRetestedGood) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {4, 4});
  const int bad = *placer.place("stream", kUnit);
  const int good = bad == 0 ? 1 : 0;
  placer.mark_failed(bad, "CUDA error: an illegal memory access was encountered");
  EXPECT_TRUE(placer.needs_retest(bad));
  EXPECT_FALSE(placer.needs_retest(good));

  // The running job keeps its slot until it ends; the stream's next job moves.
  EXPECT_EQ(state_of(placer, bad).jobs, 1);
  placer.finish("stream");
  EXPECT_EQ(state_of(placer, bad).jobs, 0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(placer.place("new" + std::to_string(i), kUnit), good);
  EXPECT_EQ(placer.place("stream", kUnit), std::nullopt);  // the good GPU is full now

  auto s = state_of(placer, bad);
  EXPECT_FALSE(s.usable);
  EXPECT_TRUE(s.awaiting_retest);
  EXPECT_EQ(s.last_error, "CUDA error: an illegal memory access was encountered");

  placer.retest_done(bad, false, "decode failed: CUDA_ERROR_NO_DEVICE");
  EXPECT_TRUE(placer.needs_retest(bad));
  EXPECT_EQ(state_of(placer, bad).last_error, "re-test failed: decode failed: CUDA_ERROR_NO_DEVICE");
  EXPECT_EQ(placer.place("stream", kUnit), std::nullopt);

  placer.retest_done(bad, true);
  EXPECT_FALSE(placer.needs_retest(bad));
  s = state_of(placer, bad);
  EXPECT_TRUE(s.usable);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(placer.place("stream", kUnit), bad);
}

TEST(GpuPlacement, IdleSessionsAreForgottenAfterTheTimeout) {
  lp::GpuPlacer placer(30s, kUnit);
  add_full_gpus(placer, {4, 4});
  const int home = *placer.place("stream", kUnit);
  const auto t0 = Clock::now();
  placer.finish("stream", t0);

  placer.expire(t0 + 29s);  // still sticky: comes back home, then leaves again
  ASSERT_EQ(placer.place("stream", kUnit), home);
  placer.finish("stream", t0);
  placer.expire(t0 + 31s);
  // Forgotten: it is a new session now, and the round-robin tie-break sends it elsewhere.
  EXPECT_NE(placer.place("stream", kUnit), home);
}

TEST(GpuPlacement, ARunningSessionIsNeverExpired) {
  lp::GpuPlacer placer(1s, kUnit);
  placer.add_gpu(0, 4, lp::GpuPath::Full);
  ASSERT_TRUE(placer.place("long", kUnit));
  placer.expire(Clock::now() + 1h);
  EXPECT_EQ(state_of(placer, 0).sessions, 1);
  placer.finish("long");
  EXPECT_EQ(state_of(placer, 0).jobs, 0);
  placer.finish("long");  // an extra or unknown finish is harmless
  placer.finish("never-placed");
  EXPECT_EQ(state_of(placer, 0).jobs, 0);
}

TEST(GpuPlacement, SnapshotShowsEachGpu) {
  lp::GpuPlacer placer(60s, 100);
  placer.add_gpu(0, 4, lp::GpuPath::Full);
  placer.add_gpu(1, 2, lp::GpuPath::Hybrid);
  ASSERT_EQ(placer.place("a", 100), 0);
  ASSERT_EQ(placer.place("b", 100), 1);
  ASSERT_EQ(placer.place("c", 100), 0);
  const auto all = placer.snapshot();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 0);
  EXPECT_EQ(all[0].path, lp::GpuPath::Full);
  EXPECT_STREQ(lp::gpu_path_name(*all[0].path), "full");
  EXPECT_EQ(all[0].capacity, 4);
  EXPECT_EQ(all[0].sessions, 2);
  EXPECT_DOUBLE_EQ(all[0].load, 0.5);
  EXPECT_TRUE(all[0].usable);
  EXPECT_STREQ(lp::gpu_path_name(*all[1].path), "hybrid");
  EXPECT_EQ(all[1].sessions, 1);
  EXPECT_DOUBLE_EQ(all[1].load, 0.5);
}

TEST(GpuPlacement, ManyThreadsAtOnceKeepTheBooksStraight) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {3, 3, 3, 3});
  std::atomic<int> placed{0}, refused{0}, over_capacity{0};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < 8; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < 500; ++i) {
          const std::string session = "t" + std::to_string(t) + "-" + std::to_string(i % 7);
          if (!placer.place(session, kUnit * (1 + i % 3))) {
            refused++;
            continue;
          }
          placed++;
          for (const auto& s : placer.snapshot())
            if (s.jobs > s.capacity) over_capacity++;
          if (i % 5 == 0) placer.expire();
          if (t == 0 && i % 50 == 0) {
            placer.mark_failed(3, "test");
            placer.retest_done(3, true);
          }
          placer.finish(session);
        }
      });
    }
  }
  EXPECT_EQ(placed + refused, 8 * 500);
  EXPECT_GT(placed.load(), 0);
  EXPECT_EQ(over_capacity.load(), 0);
  for (const auto& s : placer.snapshot()) {
    EXPECT_EQ(s.jobs, 0) << "GPU " << s.id;
    EXPECT_EQ(s.cost, 0) << "GPU " << s.id;
    EXPECT_EQ(s.sessions, 0) << "GPU " << s.id;
  }
}

}  // namespace

namespace {

TEST(GpuPlacer, FinishOnAGpuFreesTheSlotTheJobHadThere) {
  lp::GpuPlacer placer(60s, kUnit);
  add_full_gpus(placer, {1, 1});
  ASSERT_EQ(placer.place("s", kUnit), 0);
  ASSERT_EQ(placer.place("s", kUnit), 1);  // GPU 0 is full: the session's second job moves
  placer.finish("s", 1);                   // the job on GPU 1 ended first
  EXPECT_EQ(state_of(placer, 0).jobs, 1);
  EXPECT_EQ(state_of(placer, 1).jobs, 0);
  placer.finish("s", 0);
  EXPECT_EQ(state_of(placer, 0).jobs, 0);
}

}  // namespace
