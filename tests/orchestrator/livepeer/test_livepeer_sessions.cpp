// Sessions as go-livepeer counts them for -maxSessions: per auth-token session, 70 s idle.
#include <gtest/gtest.h>

#include "livepeer_sessions.h"

namespace lp::livepeer {
namespace {

using namespace std::chrono_literals;

TEST(LivepeerSessions, KnownSessionsFitNewOnesAreCappedUntilOthersGoIdle) {
  Sessions s;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  s.touch("a", t0);
  s.touch("b", t0 + 10s);
  EXPECT_FALSE(s.capped("a", 2, t0 + 20s));
  EXPECT_TRUE(s.capped("c", 2, t0 + 20s));
  EXPECT_FALSE(s.capped("c", 3, t0 + 20s));
  // "a" has been idle past 70 s: it no longer counts.
  EXPECT_FALSE(s.capped("c", 2, t0 + 71s));
  EXPECT_FALSE(s.contains("a"));
  EXPECT_TRUE(s.contains("b"));
  s.end("b");
  EXPECT_EQ(s.expire(t0 + 71s), 0u);
}

TEST(LivepeerSessions, EndedSessionsAreReportedOnce) {
  Sessions s;
  std::vector<std::string> ended;
  s.on_end([&](const std::string& id) { ended.push_back(id); });
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  s.touch("a", t0);
  s.touch("b", t0 + 30s);
  s.end("b");
  s.end("b");        // already over
  s.end("unknown");  // never was
  EXPECT_EQ(s.expire(t0 + 60s), 1u);
  EXPECT_EQ(s.expire(t0 + 71s), 0u);
  EXPECT_EQ(s.expire(t0 + 200s), 0u);
  EXPECT_EQ(ended, (std::vector<std::string>{"b", "a"}));
}

TEST(LivepeerSessions, ZeroMaxCapsEveryNewSession) {
  Sessions s;
  EXPECT_TRUE(s.capped("x", 0, std::chrono::steady_clock::now()));
}

}  // namespace
}  // namespace lp::livepeer
