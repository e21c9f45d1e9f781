// Requests that cannot succeed are answered at once, on a real orchestrator with a real
// standalone transcoder (lpnode processes on loopback):
//  - a segment that cannot be demuxed or decoded is a 422 bad_segment from the first
//    transcoder, in well under the deadline, and is not tried elsewhere; the transcoder goes on
//    serving (it used to be held for the whole deadline, three times, then a 504);
//  - a request over the node's cost caps (pixels per frame, renditions per segment) is a 400
//    naming the limit before any transcoder sees it.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "node_cluster.h"

namespace lp::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// Segments are 1 s long, so the deadline is the 8 s minimum: "at once" is well under it.
constexpr double kPromptSeconds = 3.0;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One orchestrator and one standalone transcoder with two slots, shared by the suite.
class BadRequestsFast : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    OrchestratorOptions o;
    o.max_sessions = "auto";
    orch_ = new Orchestrator(start_orchestrator(o, "orch"));
    transcoder_ = start_transcoder(*orch_, 2, "transcoder").release();
    ASSERT_TRUE(wait_for_transcoders(*orch_, 1, seconds(10)));
  }
  static void TearDownTestSuite() {
    delete transcoder_;
    delete orch_;
    transcoder_ = nullptr;
    orch_ = nullptr;
  }
  const Orchestrator& orch() { return *orch_; }

  struct Timed {
    HttpResponse response;
    double seconds = 0;
  };
  Timed post(const std::string& stream, const std::string& body, const std::string& profiles = "P144p30fps16x9") {
    const auto t0 = Clock::now();
    HttpResponse r = post_segment(orch(), auth_token(orch()), stream, 0, body, profiles, seconds(60));
    return {r, seconds_since(t0)};
  }
  int64_t total(const std::string& name) { return get_status(orch()).totals[name]; }

  // A bad segment: 422 bad_segment, at once, on the first attempt, and the transcoder serves on.
  void expect_bad_segment_at_once(const std::string& stream, const std::string& body, const std::string& says) {
    const int64_t redispatched = total("segments_redispatched");
    const Timed t = post(stream, body);
    EXPECT_EQ(t.response.status, 422) << t.response.body;
    EXPECT_EQ(error_code(t.response), "bad_segment") << t.response.body;
    EXPECT_NE(t.response.body.find(says), std::string::npos) << t.response.body;
    EXPECT_LT(t.seconds, kPromptSeconds) << t.response.body;
    EXPECT_EQ(t.response.body.find("attempts"), std::string::npos) << "retried: " << t.response.body;
    EXPECT_EQ(total("segments_redispatched"), redispatched) << "a bad segment is not tried elsewhere";
    expect_still_serving(stream + "-after");
  }
  void expect_still_serving(const std::string& stream) {
    EXPECT_TRUE(transcoder_->running()) << transcoder_->log();
    EXPECT_EQ(get_status(orch()).transcoders.size(), 1u);
    const Timed ok = post(stream, small_segments()[0]);
    EXPECT_EQ(ok.response.status, 200) << ok.response.body;
  }

  // A request over a cost cap: 400 naming it, at once, and no transcoder was asked.
  void expect_refused_up_front(const std::string& profiles, const std::string& says) {
    const Timed t = post("capped", small_segments()[0], profiles);
    EXPECT_EQ(t.response.status, 400) << t.response.body;
    EXPECT_EQ(error_code(t.response), "invalid_profile") << t.response.body;
    EXPECT_NE(t.response.body.find(says), std::string::npos) << t.response.body;
    EXPECT_LT(t.seconds, 1.0) << t.response.body;
    EXPECT_EQ(transcoder_->log().find("(stream capped"), std::string::npos) << "dispatched: " << transcoder_->log();
  }

  static Orchestrator* orch_;
  static NodeProcess* transcoder_;
};
Orchestrator* BadRequestsFast::orch_ = nullptr;
NodeProcess* BadRequestsFast::transcoder_ = nullptr;

// The first 1,880 bytes (ten TS packets) of a real segment, with a valid hash: PAT, PMT and
// the start of a keyframe; the audio stream the PMT declares never carries a frame.
TEST_F(BadRequestsFast, TruncatedSegmentIs422AtOnce) {
  const std::string& whole = small_segments()[1];
  ASSERT_GT(whole.size(), 1880u);
  expect_bad_segment_at_once("truncated", whole.substr(0, 1880), "no decodable");
}

// A real segment with one video timestamp an hour off (a flipped bit in a PES header).
TEST_F(BadRequestsFast, CorruptTimestampIs422AtOnce) {
  std::string segment = small_segments()[2];
  ASSERT_TRUE(shift_video_pes_time(reinterpret_cast<uint8_t*>(segment.data()), segment.size(), 10));
  expect_bad_segment_at_once("corrupt", segment, "corrupt timestamps");
}

// Two bad segments at once on a node with two slots: both answered at once, neither holds a
// slot, and a good segment right after is transcoded.
TEST_F(BadRequestsFast, TwoBadSegmentsDoNotHoldTheSlots) {
  std::string corrupt = small_segments()[3];
  ASSERT_TRUE(shift_video_pes_time(reinterpret_cast<uint8_t*>(corrupt.data()), corrupt.size(), 5));
  const std::string truncated = small_segments()[4].substr(0, 1880);
  auto a = std::async(std::launch::async, [&] { return post("bad-a", corrupt); });
  auto b = std::async(std::launch::async, [&] { return post("bad-b", truncated); });
  for (const Timed& t : {a.get(), b.get()}) {
    EXPECT_EQ(t.response.status, 422) << t.response.body;
    EXPECT_LT(t.seconds, kPromptSeconds) << t.response.body;
  }
  const Status s = get_status(orch());
  EXPECT_EQ(s.sessions_in_use, 0) << s.raw;
  expect_still_serving("after-two");
}

// One 8192x8192 rendition used to take 5 GB and a slot for the whole deadline.
TEST_F(BadRequestsFast, HugeRenditionIs400AtOnceNamingTheLimit) {
  expect_refused_up_front(R"([{"name":"huge","width":8192,"height":8192,"bitrate":1000000,"fps":30}])",
                          "pixels per frame");
}

// Forty renditions in one request used to start 299 threads.
TEST_F(BadRequestsFast, FortyRenditionsAre400AtOnce) {
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += (forty.empty() ? "" : ",") + std::string("P144p30fps16x9");
  expect_refused_up_front(forty, "40 renditions");
}

}  // namespace
}  // namespace lp::test
