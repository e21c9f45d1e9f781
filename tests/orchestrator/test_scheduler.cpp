// lp::Scheduler::pick: sticky while the stream's worker has room, else least loaded by
// load / capacity (compared exactly), ties rotated, nullopt when nobody has a free slot.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scheduler.h"

namespace {

using lp::Scheduler;
using lp::WorkerLoad;

// The id pick() chose, or "" for nullopt (readable failure messages).
std::string picked(Scheduler& s, const std::vector<WorkerLoad>& workers, std::string_view sticky = "") {
  std::optional<size_t> i = s.pick(workers, sticky);
  if (!i) return "";
  EXPECT_LT(*i, workers.size());
  return *i < workers.size() ? workers[*i].id : "<out of range>";
}

TEST(Scheduler, StickyWorkerChosenWhileItHasRoom) {
  Scheduler s;
  // The sticky worker is the most loaded by far, yet it keeps the stream while it has room.
  std::vector<WorkerLoad> w = {{"a", 0, 4}, {"b", 3, 4}, {"c", 0, 4}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(picked(s, w, "b"), "b");
  w[1].load = 0;
  EXPECT_EQ(picked(s, w, "b"), "b");
}

TEST(Scheduler, StickyFullFallsBackToLeastLoaded) {
  Scheduler s;
  std::vector<WorkerLoad> w = {{"a", 2, 4}, {"b", 4, 4}, {"c", 1, 4}};
  EXPECT_EQ(picked(s, w, "b"), "c");
  // Over capacity (a worker whose capacity shrank) counts as full too.
  w[1].load = 5;
  EXPECT_EQ(picked(s, w, "b"), "c");
}

TEST(Scheduler, UnknownStickyIdFallsBackToLeastLoaded) {
  Scheduler s;
  std::vector<WorkerLoad> w = {{"a", 2, 4}, {"b", 1, 4}};
  EXPECT_EQ(picked(s, w, "gone"), "b");
}

TEST(Scheduler, NoStickyPicksLeastLoadedByRatio) {
  Scheduler s;
  // b has the most jobs but the lowest ratio: 2/10 < 1/4 < 1/2.
  std::vector<WorkerLoad> w = {{"a", 1, 2}, {"b", 2, 10}, {"c", 1, 4}};
  EXPECT_EQ(picked(s, w), "b");
  EXPECT_EQ(picked(s, w), "b");  // not a tie: no rotation away from it
}

TEST(Scheduler, RatioComparedExactly) {
  Scheduler s;
  // 1/3 < 1/2 (absolute loads are equal).
  EXPECT_EQ(picked(s, {{"half", 1, 2}, {"third", 1, 3}}), "third");
  EXPECT_EQ(picked(s, {{"third", 1, 3}, {"half", 1, 2}}), "third");
  // 2/3 vs 3/4 vs 5/7: 0.667 < 0.714 < 0.75.
  EXPECT_EQ(picked(s, {{"q", 3, 4}, {"s", 5, 7}, {"t", 2, 3}}), "t");
  // Ratios that differ by less than a double's epsilon at this scale still order correctly:
  // 999999999/1000000000 > 999999998/999999999.
  EXPECT_EQ(picked(s, {{"x", 999999999, 1000000000}, {"y", 999999998, 999999999}}), "y");
  EXPECT_EQ(picked(s, {{"y", 999999998, 999999999}, {"x", 999999999, 1000000000}}), "y");
}

TEST(Scheduler, EqualRatiosWithDifferentLoadsAreATie) {
  Scheduler s;
  // 1/2 == 2/4 == 3/6: all three are equally loaded and each must get a turn.
  std::vector<WorkerLoad> w = {{"a", 1, 2}, {"b", 2, 4}, {"c", 3, 6}, {"busy", 5, 6}};
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(picked(s, w));
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
}

TEST(Scheduler, TiesRotateOverAllEqualWorkers) {
  Scheduler s;
  const std::vector<WorkerLoad> w = {{"a", 0, 2}, {"b", 0, 2}, {"c", 0, 2}, {"d", 0, 2}};
  std::map<std::string, int> count;
  for (size_t i = 0; i < w.size(); ++i) ++count[picked(s, w)];
  // Over N picks among N equal workers, each is chosen exactly once.
  ASSERT_EQ(count.size(), w.size());
  for (const auto& [id, n] : count) EXPECT_EQ(n, 1) << id;
  // And over many rounds the spread stays even.
  for (size_t i = 0; i < 3 * w.size(); ++i) ++count[picked(s, w)];
  for (const auto& [id, n] : count) EXPECT_EQ(n, 4) << id;
}

TEST(Scheduler, IdleFleetFillsEvenlyWhenLoadIsFedBack) {
  Scheduler s;
  std::vector<WorkerLoad> w = {{"a", 0, 2}, {"b", 0, 2}, {"c", 0, 2}};
  for (int i = 0; i < 6; ++i) {
    std::optional<size_t> p = s.pick(w, "");
    ASSERT_TRUE(p.has_value()) << "pick " << i;
    ++w[*p].load;
    // After every pick no worker is more than one job ahead of another.
    int lo = w[0].load, hi = w[0].load;
    for (const auto& x : w) lo = std::min(lo, x.load), hi = std::max(hi, x.load);
    EXPECT_LE(hi - lo, 1) << "pick " << i;
  }
  for (const auto& x : w) EXPECT_EQ(x.load, 2) << x.id;
  EXPECT_FALSE(s.pick(w, "").has_value());
}

TEST(Scheduler, NulloptWhenAllFull) {
  Scheduler s;
  const std::vector<WorkerLoad> w = {{"a", 2, 2}, {"b", 1, 1}, {"c", 7, 4}};
  EXPECT_FALSE(s.pick(w, "").has_value());
  EXPECT_FALSE(s.pick(w, "a").has_value());  // a full sticky worker is not forced either
}

TEST(Scheduler, ZeroCapacityWorkerNeverChosen) {
  Scheduler s;
  EXPECT_FALSE(s.pick(std::vector<WorkerLoad>{{"z", 0, 0}}, "z").has_value());
  const std::vector<WorkerLoad> w = {{"z", 0, 0}, {"a", 3, 4}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(picked(s, w), "a");
}

TEST(Scheduler, ZeroWorkers) {
  Scheduler s;
  EXPECT_FALSE(s.pick({}, "").has_value());
  EXPECT_FALSE(s.pick({}, "a").has_value());
}

}  // namespace
