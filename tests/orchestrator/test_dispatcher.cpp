// lp::Dispatcher driven by fake workers: the test decides when (and how) each job ends, and
// runs the default GLib main context itself so deadlines fire. No GStreamer involved.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <ostream>
#include <string>
#include <vector>

#include <libsoup/soup.h>
#include <sys/socket.h>

#include "dispatcher.h"
#include "job_media.h"
#include "metrics.h"
#include "remote_transcoder.h"
#include "wire/transcoder_channel.h"

// Failed expectations print the code's name, not its bytes (found by ADL).
namespace lp {
void PrintTo(ErrorCode code, std::ostream* os) { *os << error_code_name(code); }
}  // namespace lp

namespace {

using namespace std::chrono_literals;
using lp::Dispatcher;
using lp::DispatcherConfig;
using lp::Error;
using lp::ErrorCode;
using lp::JobOutcome;
using lp::JobRequest;

lp::wire::Capabilities caps_of(std::vector<std::string> codecs) {
  lp::wire::Capabilities c;
  c.codecs = std::move(codecs);
  c.presets = {"P144p30fps16x9"};
  return c;
}

// A worker that records what it is asked to do and reports only when the test says so
// (never from inside start(), as worker.h requires).
class FakeWorker : public lp::Worker {
 public:
  FakeWorker(std::string id, int capacity, std::vector<std::string> codecs = {"H.264"})
      : Worker(id, "fake://" + id, capacity, caps_of(std::move(codecs)), false) {}
  FakeWorker(std::string id, int capacity, lp::wire::Capabilities caps)
      : Worker(id, "fake://" + id, capacity, std::move(caps), false) {}

  std::string start(const JobRequest& job) override {
    started.push_back(job);
    running.insert(job.job_id);
    return "fake-pipeline " + id() + " " + job.job_id;
  }
  void cancel(const std::string& job_id) override {
    cancelled.push_back(job_id);
    running.erase(job_id);
  }

  // Ends a job (the latest one started when `job_id` is empty) as a transcoder would.
  void succeed(std::string job_id = "") {
    if (job_id.empty()) job_id = latest();
    running.erase(job_id);
    lp::RenditionOutput r;
    r.name = "P144p30fps16x9";
    r.bytes = lp::share_bytes(g_bytes_new("ts", 2));
    r.frames = 30;
    r.pixels = 30 * 256 * 144;
    report(job_id, std::vector<lp::RenditionOutput>{r});
  }
  void fail(ErrorCode code, std::string message, std::string job_id = "") {
    if (job_id.empty()) job_id = latest();
    running.erase(job_id);
    report(job_id, Error{code, std::move(message)});
  }
  const std::string& latest() const {
    EXPECT_FALSE(started.empty()) << id() << " never started a job";
    static const std::string none;
    return started.empty() ? none : started.back().job_id;
  }

  std::optional<std::string> lacks(const std::vector<int>& required) const override {
    for (int bit : required)
      if (!std::count(bits.begin(), bits.end(), bit)) return "capability " + std::to_string(bit);
    return std::nullopt;
  }

  std::vector<JobRequest> started;
  std::vector<std::string> cancelled;
  std::set<std::string> running;   // started, not yet ended or cancelled
  std::vector<int> bits{0, 1, 2};  // go-livepeer capability bits it has (lacks())
};

struct Finish {
  JobOutcome outcome;
  std::string worker_id;
};

lp::Profile preset(const char* name) {
  auto p = lp::find_preset(name);
  EXPECT_TRUE(p.has_value()) << name;
  return p.value_or(lp::Profile{});
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }
  void TearDown() override {
    dispatcher_.reset();
    // Nothing of this test's may be left on the shared default context for the next one.
    while (g_main_context_iteration(nullptr, FALSE)) {
    }
  }

  void make(DispatcherConfig config) {
    dispatcher_.reset();
    dispatcher_ = std::make_unique<Dispatcher>(config, metrics_);
  }
  Dispatcher& d() { return *dispatcher_; }

  std::shared_ptr<FakeWorker> add(const std::string& id, int capacity, std::vector<std::string> codecs = {"H.264"}) {
    auto w = std::make_shared<FakeWorker>(id, capacity, std::move(codecs));
    workers_[id] = w;
    d().add_worker(w);
    return w;
  }

  // A worker gone: the dispatcher forgets it, and so does holder() (its fake still thinks
  // it runs what it had: nobody cancels a disconnected worker).
  void remove(const std::string& id, const std::string& why) {
    d().remove_worker(id, why);
    workers_.erase(id);
  }

  lp::Segment segment(const std::string& stream, int64_t seq, lp::Profile profile = preset("P144p30fps16x9")) {
    lp::Segment s;
    s.stream_id = stream;
    s.seq = seq;
    s.profiles = {profile};
    s.source = lp::share_bytes(g_bytes_new("segment", 7));
    return s;
  }
  std::string submit(lp::Segment s) {
    return d().submit(std::move(s), [this](JobOutcome outcome, const std::string& worker_id) {
      finished_.push_back({std::move(outcome), worker_id});
    });
  }

  // The worker currently running the job of (stream, seq), or nullptr.
  std::shared_ptr<FakeWorker> holder(const std::string& stream, int64_t seq) {
    for (auto& [id, w] : workers_)
      for (const auto& j : w->started)
        if (j.stream_id == stream && j.seq == seq && w->running.count(j.job_id)) return w;
    return nullptr;
  }
  std::string where(const std::string& stream, int64_t seq) {
    auto w = holder(stream, seq);
    return w ? w->id() : "";
  }
  // The job id of that segment's running attempt.
  std::string job_of(const std::string& stream, int64_t seq) {
    auto w = holder(stream, seq);
    if (!w) {
      ADD_FAILURE() << "segment " << stream << "/" << seq << " is not running";
      return "";
    }
    for (const auto& j : w->started)
      if (j.stream_id == stream && j.seq == seq && w->running.count(j.job_id)) return j.job_id;
    return "";
  }
  int load_of(const std::string& id) {
    for (const auto& w : d().workers())
      if (w.id == id) return w.load;
    ADD_FAILURE() << "no worker " << id;
    return -1;
  }

  // Runs the default main context until `done` or `limit` has passed; false on the limit.
  static bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const gint64 end = g_get_monotonic_time() + limit.count() * 1000;
    while (!done()) {
      if (g_get_monotonic_time() > end) return false;
      if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(1000);
    }
    return true;
  }
  static void run_for(std::chrono::milliseconds span) {
    run_until([] { return false; }, span);
  }

  lp::OrchestratorMetrics metrics_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::map<std::string, std::shared_ptr<FakeWorker>> workers_;
  std::vector<Finish> finished_;
};

TEST_F(DispatcherTest, SegmentRunsOnAWorkerAndItsOutcomeFinishes) {
  auto w = add("w1", 2);
  lp::Segment s = segment("stream", 7);
  GBytes* source = s.source.get();
  s.duration_ms = 5000;
  submit(std::move(s));

  ASSERT_EQ(w->started.size(), 1u);
  const JobRequest& job = w->started[0];
  EXPECT_EQ(job.stream_id, "stream");
  EXPECT_EQ(job.seq, 7);
  ASSERT_EQ(job.profiles.size(), 1u);
  EXPECT_EQ(job.profiles[0].name, "P144p30fps16x9");
  EXPECT_EQ(job.source.get(), source);  // shared, not copied
  EXPECT_EQ(job.timeout, 20000ms);      // max(8 s, 4 x 5 s)
  EXPECT_FALSE(job.job_id.empty());
  EXPECT_TRUE(finished_.empty());
  EXPECT_EQ(d().in_flight(), 1);
  EXPECT_EQ(d().worker_load(), 1);
  EXPECT_EQ(d().worker_capacity(), 2);

  auto streams = d().streams();
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].worker_id, "w1");
  EXPECT_EQ(streams[0].pipeline, "fake-pipeline w1 " + job.job_id);

  w->succeed();
  ASSERT_EQ(finished_.size(), 1u);
  ASSERT_TRUE(finished_[0].outcome.ok()) << finished_[0].outcome.error().message;
  EXPECT_EQ(finished_[0].worker_id, "w1");
  ASSERT_EQ(finished_[0].outcome->size(), 1u);
  EXPECT_EQ(finished_[0].outcome->at(0).frames, 30);
  EXPECT_EQ(d().in_flight(), 0);
  EXPECT_EQ(d().worker_load(), 0);
  ASSERT_EQ(d().workers().size(), 1u);
  EXPECT_EQ(d().workers()[0].segments_done, 1u);
  EXPECT_EQ(metrics_.totals().redispatched, 0u);

  // A second report for the same (finished) job changes nothing.
  w->succeed(job.job_id);
  EXPECT_EQ(finished_.size(), 1u);
  EXPECT_EQ(d().workers()[0].segments_done, 1u);
}

TEST_F(DispatcherTest, RequiredCapabilitiesPickTheWorkerThatHasThem) {
  auto plain = add("w1", 2);
  auto hevc = add("w2", 2);
  hevc->bits = {0, 1, 2, 15};  // HEVC_Decode
  lp::Segment s = segment("hevc-stream", 0);
  s.required_capabilities = {0, 15};
  s.livepeer_segment = "segdata";
  submit(std::move(s));
  EXPECT_TRUE(plain->started.empty());
  ASSERT_EQ(hevc->started.size(), 1u);
  EXPECT_EQ(hevc->started[0].livepeer_segment, "segdata");  // passed through to the worker
  // Nobody has it: the segment waits (and fails at its deadline), never on a worker without.
  lp::Segment t = segment("av-stream", 0);
  t.required_capabilities = {26};
  submit(std::move(t));
  EXPECT_TRUE(plain->started.empty());
  EXPECT_EQ(hevc->started.size(), 1u);
}

TEST_F(DispatcherTest, DeadlineIsAtLeastTheMinimum) {
  auto w = add("w1", 2);
  lp::Segment s = segment("stream", 1);
  s.duration_ms = 500;
  submit(std::move(s));
  ASSERT_EQ(w->started.size(), 1u);
  EXPECT_EQ(w->started[0].timeout, 8000ms);
}

TEST_F(DispatcherTest, SpreadsOverTheLeastLoaded) {
  add("a", 2);
  add("b", 2);
  add("c", 2);
  for (int i = 0; i < 3; ++i) submit(segment("s" + std::to_string(i), 0));
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(load_of(id), 1) << id;
  for (int i = 3; i < 6; ++i) submit(segment("s" + std::to_string(i), 0));
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(load_of(id), 2) << id;
  EXPECT_TRUE(finished_.empty());
}

TEST_F(DispatcherTest, SpreadFollowsLoadOverCapacity) {
  add("big", 6);
  add("small", 2);
  // Whichever takes the first (a tie), the ratios end balanced at big 3/6 and small 1/2;
  // comparing absolute loads would give 2 and 2.
  for (int i = 0; i < 4; ++i) submit(segment("s" + std::to_string(i), 0));
  EXPECT_EQ(load_of("big"), 3);
  EXPECT_EQ(load_of("small"), 1);
  EXPECT_TRUE(finished_.empty());
}

TEST_F(DispatcherTest, StreamsStickToTheirWorker) {
  auto a = add("a", 2);
  auto b = add("b", 2);
  submit(segment("one", 1));
  auto first = holder("one", 1);
  ASSERT_TRUE(first);
  auto other = first == a ? b : a;
  // Sticky although the other worker is idle.
  submit(segment("one", 2));
  EXPECT_EQ(where("one", 2), first->id());
  EXPECT_EQ(load_of(other->id()), 0);
  // A new stream goes where there is room.
  submit(segment("two", 1));
  EXPECT_EQ(where("two", 1), other->id());
  // The sticky worker is full: the stream moves, and sticks to where it moved, even once
  // its first worker is idle again.
  submit(segment("one", 3));
  EXPECT_EQ(where("one", 3), other->id());
  first->succeed(job_of("one", 1));
  first->succeed(job_of("one", 2));
  other->succeed(job_of("two", 1));
  EXPECT_EQ(load_of(first->id()), 0);
  EXPECT_EQ(load_of(other->id()), 1);
  submit(segment("one", 4));
  EXPECT_EQ(where("one", 4), other->id());
  EXPECT_EQ(finished_.size(), 3u);
  auto streams = d().streams();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].stream_id, "one");
  EXPECT_EQ(streams[0].worker_id, other->id());
  EXPECT_EQ(streams[0].segments, 4u);
}

TEST_F(DispatcherTest, QueuesWhileAllAreFullAndStartsWhenASlotFrees) {
  auto w = add("w", 1);
  for (int seq = 1; seq <= 3; ++seq) submit(segment("s", seq));
  ASSERT_EQ(w->started.size(), 1u);
  EXPECT_EQ(d().in_flight(), 3);
  EXPECT_EQ(d().worker_load(), 1);

  // Oldest first, one at a time as the slot frees.
  for (int seq = 1; seq <= 3; ++seq) {
    ASSERT_EQ(w->started.size(), size_t(seq));
    EXPECT_EQ(w->started.back().seq, seq);
    w->succeed();
    EXPECT_EQ(finished_.size(), size_t(seq));
  }
  EXPECT_EQ(d().in_flight(), 0);
  for (const auto& f : finished_) EXPECT_TRUE(f.outcome.ok());
}

TEST_F(DispatcherTest, QueuedSegmentStartsWhenAWorkerJoins) {
  submit(segment("s", 1));
  EXPECT_EQ(d().in_flight(), 1);
  auto w = add("late", 1);
  ASSERT_EQ(w->started.size(), 1u);
  w->succeed();
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_TRUE(finished_[0].outcome.ok());
}

TEST_F(DispatcherTest, QueuedSegmentFailsAtItsDeadline) {
  make({.max_attempts = 3, .min_deadline = 100ms, .deadline_per_duration = 4});
  lp::Segment s = segment("s", 1);
  s.duration_ms = 10;
  submit(std::move(s));  // no worker at all
  ASSERT_TRUE(run_until([&] { return !finished_.empty(); }));
  ASSERT_FALSE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].outcome.error().code, ErrorCode::NoTranscoder);
  EXPECT_EQ(finished_[0].worker_id, "");
  EXPECT_EQ(d().in_flight(), 0);
}

// The reconnect case: the segment must not go back to the worker that lost it while another
// one has room, even when the returning worker is idler.
TEST_F(DispatcherTest, RemovedWorkersSegmentGoesElsewhere) {
  auto a = add("a", 4);
  auto b = add("b", 4);
  submit(segment("s", 1));
  auto lost = holder("s", 1);
  ASSERT_TRUE(lost);
  const std::string lost_id = lost->id();
  auto survivor = lost == a ? b : a;

  remove(lost_id, "connection closed");
  EXPECT_EQ(d().worker_count(), 1u);
  EXPECT_TRUE(finished_.empty());
  ASSERT_EQ(survivor->started.size(), 1u);
  EXPECT_EQ(where("s", 1), survivor->id());
  EXPECT_NE(survivor->started[0].job_id, lost->started[0].job_id);
  EXPECT_EQ(metrics_.totals().redispatched, 1u);
  // The removed worker's own late answer goes nowhere.
  lost->succeed(lost->started[0].job_id);
  EXPECT_TRUE(finished_.empty());

  // A third worker takes one other stream; then the lost worker reconnects, idle.
  auto c = add("c", 4);
  submit(segment("t", 1));
  ASSERT_EQ(where("t", 1), c->id());
  auto back = add(lost_id, 4);
  // The survivor fails it: the next attempt goes to c (1/4), not to the idle worker it was
  // lost on first.
  survivor->fail(ErrorCode::Internal, "encoder crashed");
  EXPECT_EQ(where("s", 1), c->id());
  EXPECT_TRUE(back->started.empty());
  EXPECT_EQ(metrics_.totals().redispatched, 2u);
  c->succeed(job_of("s", 1));
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_TRUE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].worker_id, "c");
}

TEST_F(DispatcherTest, RetryableFailureIsRetriedElsewhereUpToMaxAttempts) {
  add("a", 2);
  add("b", 2);
  add("c", 2);
  submit(segment("s", 1));
  std::set<std::string> tried;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto w = holder("s", 1);
    ASSERT_TRUE(w) << "attempt " << attempt;
    EXPECT_TRUE(tried.insert(w->id()).second) << w->id() << " tried twice";
    EXPECT_TRUE(finished_.empty());
    w->fail(ErrorCode::Internal, "encoder crashed");
  }
  ASSERT_EQ(finished_.size(), 1u);
  ASSERT_FALSE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].outcome.error().code, ErrorCode::Internal);
  EXPECT_NE(finished_[0].outcome.error().message.find("encoder crashed"), std::string::npos);
  EXPECT_NE(finished_[0].outcome.error().message.find("(after 3 attempts)"), std::string::npos)
      << finished_[0].outcome.error().message;
  EXPECT_EQ(finished_[0].worker_id, "");
  EXPECT_EQ(metrics_.totals().redispatched, 2u);
  EXPECT_EQ(d().worker_load(), 0);
  EXPECT_EQ(d().in_flight(), 0);
}

TEST_F(DispatcherTest, LoneWorkerIsRetriedAsALastResort) {
  make({.max_attempts = 2});
  auto w = add("only", 1);
  submit(segment("s", 1));
  w->fail(ErrorCode::Timeout, "stalled");
  ASSERT_EQ(w->started.size(), 2u);
  EXPECT_TRUE(finished_.empty());
  w->fail(ErrorCode::Timeout, "stalled");
  ASSERT_EQ(finished_.size(), 1u);
  ASSERT_FALSE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].outcome.error().code, ErrorCode::Timeout);
  EXPECT_NE(finished_[0].outcome.error().message.find("(after 2 attempts)"), std::string::npos)
      << finished_[0].outcome.error().message;
}

TEST_F(DispatcherTest, SegmentFaultIsNotRetried) {
  auto a = add("a", 2);
  auto b = add("b", 2);
  submit(segment("s", 1));
  auto w = holder("s", 1);
  ASSERT_TRUE(w);
  w->fail(ErrorCode::BadSegment, "no video stream");
  ASSERT_EQ(finished_.size(), 1u);
  ASSERT_FALSE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].outcome.error().code, ErrorCode::BadSegment);
  EXPECT_EQ(finished_[0].outcome.error().message, "no video stream");
  EXPECT_EQ(a->started.size() + b->started.size(), 1u);
  EXPECT_EQ(metrics_.totals().redispatched, 0u);
  EXPECT_EQ(d().in_flight(), 0);
}

TEST_F(DispatcherTest, SilentWorkerIsCancelledAtTheDeadlineAndTheSegmentRedispatched) {
  make({.max_attempts = 3, .min_deadline = 100ms, .deadline_per_duration = 4});
  auto a = add("a", 1);
  auto b = add("b", 1);
  lp::Segment s = segment("s", 1);
  s.duration_ms = 10;  // 4 x 10 ms < 100 ms: the minimum applies
  submit(std::move(s));
  auto silent = holder("s", 1);
  ASSERT_TRUE(silent);
  auto other = silent == a ? b : a;
  const std::string first_job = silent->started[0].job_id;
  EXPECT_EQ(silent->started[0].timeout, 100ms);

  const gint64 t0 = g_get_monotonic_time();
  ASSERT_TRUE(run_until([&] { return !other->started.empty(); })) << "never re-dispatched";
  EXPECT_GE(g_get_monotonic_time() - t0, 90 * 1000);  // not before the deadline
  EXPECT_EQ(silent->cancelled, std::vector<std::string>{first_job});
  EXPECT_NE(other->started[0].job_id, first_job);
  EXPECT_EQ(load_of(silent->id()), 0);
  EXPECT_EQ(load_of(other->id()), 1);
  EXPECT_EQ(metrics_.totals().redispatched, 1u);
  EXPECT_TRUE(finished_.empty());

  // The silent worker wakes up and answers the cancelled job: ignored, loads untouched.
  silent->succeed(first_job);
  silent->fail(ErrorCode::Internal, "late", first_job);
  EXPECT_TRUE(finished_.empty());
  EXPECT_EQ(load_of(silent->id()), 0);
  EXPECT_EQ(load_of(other->id()), 1);

  other->succeed();
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_TRUE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].worker_id, other->id());
}

TEST_F(DispatcherTest, EveryAttemptMissingTheDeadlineFailsWithTimeout) {
  make({.max_attempts = 2, .min_deadline = 50ms, .deadline_per_duration = 0});
  auto w = add("w", 1);
  submit(segment("s", 1));
  ASSERT_TRUE(run_until([&] { return !finished_.empty(); }));
  ASSERT_FALSE(finished_[0].outcome.ok());
  EXPECT_EQ(finished_[0].outcome.error().code, ErrorCode::Timeout);
  EXPECT_NE(finished_[0].outcome.error().message.find("(after 2 attempts)"), std::string::npos)
      << finished_[0].outcome.error().message;
  EXPECT_EQ(w->cancelled.size(), 2u);
  EXPECT_TRUE(w->running.empty());
  EXPECT_EQ(d().worker_load(), 0);
}

TEST_F(DispatcherTest, CheckCapable) {
  const lp::Profile h264 = preset("P144p30fps16x9");
  lp::Profile hevc = h264;
  hevc.codec = lp::VideoCodec::HEVC;

  auto none = d().check_capable({h264});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::NoTranscoder);

  add("h264-only", 2, {"H.264"});
  EXPECT_TRUE(d().check_capable({h264}).ok());
  auto unsupported = d().check_capable({hevc});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.error().code, ErrorCode::Unsupported);
  EXPECT_NE(unsupported.error().message.find("HEVC"), std::string::npos) << unsupported.error().message;
  // One incapable profile in the list is enough to refuse.
  EXPECT_FALSE(d().check_capable({h264, hevc}).ok());

  add("both", 2, {"H.264", "HEVC"});
  EXPECT_TRUE(d().check_capable({hevc}).ok());
  EXPECT_TRUE(d().check_capable({h264, hevc}).ok());
}

TEST_F(DispatcherTest, SegmentsGoOnlyToCapableWorkers) {
  auto h264 = add("h264-only", 4, {"H.264"});
  auto both = add("both", 1, {"H.264", "HEVC"});
  lp::Profile hevc = preset("P144p30fps16x9");
  hevc.codec = lp::VideoCodec::HEVC;
  submit(segment("x", 1, hevc));
  submit(segment("y", 1, hevc));  // "both" is full: waits rather than go to h264-only
  EXPECT_EQ(where("x", 1), both->id());
  EXPECT_EQ(where("y", 1), "");
  EXPECT_TRUE(h264->started.empty());
  both->succeed();
  EXPECT_EQ(where("y", 1), both->id());
  EXPECT_TRUE(h264->started.empty());
}

// A segment whose HEVC worker is full does not hold back the H.264 ones queued after it.
TEST_F(DispatcherTest, AnUnplaceableSegmentDoesNotBlockTheQueue) {
  auto both = add("both", 1, {"H.264", "HEVC"});
  lp::Profile hevc = preset("P144p30fps16x9");
  hevc.codec = lp::VideoCodec::HEVC;
  submit(segment("x", 1, hevc));
  submit(segment("y", 1, hevc));  // waits for "both"
  auto h264 = add("h264-only", 1, {"H.264"});
  submit(segment("z", 1));  // behind y in the queue, but h264-only can take it
  EXPECT_EQ(where("z", 1), "h264-only");
  EXPECT_EQ(where("y", 1), "");
  both->succeed();
  EXPECT_EQ(where("y", 1), "both");
}

// A client gone: its segment's job is cancelled, the slot is free at once, and nothing is
// reported for it.
TEST_F(DispatcherTest, AbandonedSegmentFreesItsSlot) {
  auto a = add("a", 1);
  const std::string running = submit(segment("s", 1));
  const std::string queued = submit(segment("s", 2));
  EXPECT_EQ(load_of("a"), 1);
  d().abandon(queued);  // still queued: just gone
  EXPECT_EQ(d().in_flight(), 1);
  d().abandon(running);
  EXPECT_EQ(a->cancelled.size(), 1u);
  EXPECT_EQ(load_of("a"), 0);
  EXPECT_EQ(d().in_flight(), 0);
  a->succeed(a->cancelled.front());  // a late answer for it is ignored
  run_for(50ms);
  EXPECT_TRUE(finished_.empty());
  submit(segment("t", 1));
  EXPECT_EQ(where("t", 1), "a");
}

TEST_F(DispatcherTest, OnlyDrainingWorkersMeansBusy) {
  auto a = add("a", 2);
  a->set_draining();
  auto e = d().check_capable({preset("P144p30fps16x9")});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::Busy);
  EXPECT_EQ(d().worker_capacity(), 0);
  add("b", 1);
  EXPECT_TRUE(d().check_capable({preset("P144p30fps16x9")}).ok());
  submit(segment("s", 1));
  EXPECT_EQ(where("s", 1), "b");
}

TEST_F(DispatcherTest, MetricsCountRedispatchesAndGauges) {
  auto a = add("a", 2);
  auto b = add("b", 3);
  submit(segment("s", 1));
  holder("s", 1)->fail(ErrorCode::Internal, "boom");
  holder("s", 1)->fail(ErrorCode::Internal, "boom");
  EXPECT_EQ(metrics_.totals().redispatched, 2u);
  const std::string text = metrics_.render();
  EXPECT_NE(text.find("\nlpgst_segment_redispatched_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nlpgst_orchestrator_transcoders_number 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nlpgst_orchestrator_transcoders_capacity 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nlpgst_orchestrator_transcoders_load 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nlpgst_current_sessions 1\n"), std::string::npos) << text;
  // Two failed attempts were timed.
  EXPECT_NE(text.find("\nlpgst_transcode_time_seconds_count 2\n"), std::string::npos) << text;

  remove("a", "gone");
  remove("b", "gone");
  ASSERT_EQ(finished_.size(), 1u);  // the third attempt was the last one
  EXPECT_NE(finished_[0].outcome.error().message.find("(after 3 attempts)"), std::string::npos)
      << finished_[0].outcome.error().message;
  const std::string after = metrics_.render();
  EXPECT_NE(after.find("\nlpgst_orchestrator_transcoders_number 0\n"), std::string::npos) << after;
  EXPECT_NE(after.find("\nlpgst_orchestrator_transcoders_load 0\n"), std::string::npos) << after;
  EXPECT_NE(after.find("\nlpgst_current_sessions 0\n"), std::string::npos) << after;
}

TEST_F(DispatcherTest, DestroyedWithJobsInFlightLeavesNoTimerBehind) {
  make({.max_attempts = 3, .min_deadline = 20ms, .deadline_per_duration = 0});
  auto w = add("w", 1);
  submit(segment("s", 1));  // running
  submit(segment("s", 2));  // queued, with its own deadline
  workers_.clear();
  dispatcher_.reset();
  run_for(100ms);  // a deadline firing now would touch a destroyed dispatcher
  EXPECT_TRUE(finished_.empty());
  EXPECT_TRUE(w->cancelled.empty());
}

// ---- request limits (check_limits, run by check_capable before anything else) ---------------

lp::Profile sized(const std::string& name, int width, int height, int fps = 30) {
  lp::Profile p = preset("P144p30fps16x9");
  p.name = name;
  p.width = width;
  p.height = height;
  p.fps = fps;
  return p;
}

std::shared_ptr<FakeWorker> sized_worker(const std::string& id, int max_width, int max_height) {
  lp::wire::Capabilities caps = caps_of({"H.264"});
  caps.max_width = max_width;
  caps.max_height = max_height;
  return std::make_shared<FakeWorker>(id, 2, caps);
}

TEST_F(DispatcherTest, LimitDefaultsFollowTheTranscodersAnnouncements) {
  // Nobody connected, or nobody stating a size: the defaults.
  lp::RequestLimits l = d().limits();
  EXPECT_EQ(l.max_renditions, lp::kDefaultMaxRenditions);
  EXPECT_EQ(l.max_frame_pixels, lp::kDefaultMaxFramePixels);
  EXPECT_EQ(l.max_pixels_per_second, lp::kDefaultMaxFramePixels * lp::kDefaultLadderFramesPerSecond);
  add("unsized", 2);
  EXPECT_EQ(d().limits().max_frame_pixels, lp::kDefaultMaxFramePixels);
  // lpnode's transcoders announce 8192x8192: more than the default, which stays.
  d().add_worker(sized_worker("big", 8192, 8192));
  EXPECT_EQ(d().limits().max_frame_pixels, lp::kDefaultMaxFramePixels);
  remove("unsized", "test");
  d().remove_worker("big", "test");
  // A fleet of 1080p transcoders: 1920x1080 per frame, 120 such frames a second per ladder.
  d().add_worker(sized_worker("hd", 1920, 1080));
  l = d().limits();
  EXPECT_EQ(l.max_frame_pixels, 1920 * 1080);
  EXPECT_EQ(l.max_pixels_per_second, int64_t{1920} * 1080 * 120);
  // The largest any of them makes counts (the dispatcher places each segment on one that can).
  d().add_worker(sized_worker("uhd", 3840, 2160));
  EXPECT_EQ(d().limits().max_frame_pixels, 3840 * 2160);
}

TEST_F(DispatcherTest, HugeFrameIsRefusedUpFrontNamingTheLimit) {
  d().add_worker(sized_worker("t", 8192, 8192));
  auto e = d().check_capable({sized("huge", 8192, 8192)});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::InvalidProfile) << e.error().message;  // 400: the request's fault
  EXPECT_NE(e.error().message.find("huge"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("67108864 pixels per frame"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find(std::to_string(lp::kDefaultMaxFramePixels)), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("--max-frame-pixels"), std::string::npos) << e.error().message;
  // Refused even with no transcoder connected: no transcoder would be asked anyway.
  d().remove_worker("t", "test");
  auto alone = d().check_capable({sized("huge", 8192, 8192)});
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().code, ErrorCode::InvalidProfile);
  // The largest default frame still passes.
  add("w", 2);
  EXPECT_TRUE(d().check_capable({sized("uhd", 4096, 2304)}).ok());
}

TEST_F(DispatcherTest, TooManyRenditionsAreRefusedUpFront) {
  add("w", 2);
  std::vector<lp::Profile> ladder(lp::kDefaultMaxRenditions, preset("P144p30fps16x9"));
  EXPECT_TRUE(d().check_capable(ladder).ok());
  std::vector<lp::Profile> forty(40, preset("P144p30fps16x9"));
  auto e = d().check_capable(forty);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::InvalidProfile);
  EXPECT_NE(e.error().message.find("40 renditions"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("limit of 10"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("--max-renditions"), std::string::npos) << e.error().message;
}

TEST_F(DispatcherTest, LadderPixelRateIsCapped) {
  add("w", 2);
  const int64_t cap = lp::kDefaultMaxFramePixels * lp::kDefaultLadderFramesPerSecond;
  // Two renditions of the largest frame at 60 fps: exactly the cap.
  EXPECT_TRUE(d().check_capable({sized("a", 4096, 2304, 60), sized("b", 4096, 2304, 60)}).ok());
  auto e = d().check_capable({sized("a", 4096, 2304, 60), sized("b", 4096, 2304, 60), sized("c", 640, 360, 30)});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::InvalidProfile);
  EXPECT_NE(e.error().message.find("pixels per second"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find(std::to_string(cap)), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("--max-pixels-per-second"), std::string::npos) << e.error().message;
  // fps 0 keeps the source's rate, unknown here: counted as 60.
  EXPECT_TRUE(d().check_capable({sized("a", 4096, 2304, 0), sized("b", 4096, 2304, 0)}).ok());
  EXPECT_FALSE(d().check_capable({sized("a", 4096, 2304, 0), sized("b", 4096, 2304, 0), sized("c", 256, 144, 0)}).ok());
  // fps is fps/fpsDen.
  lp::Profile ntsc = sized("ntsc", 4096, 2304, 60000);
  ntsc.fps_den = 1001;
  EXPECT_TRUE(d().check_capable({ntsc, ntsc}).ok());
}

TEST_F(DispatcherTest, ConfiguredLimitsOverrideTheDefaults) {
  DispatcherConfig config;
  config.max_renditions = 2;
  config.max_frame_pixels = 1280 * 720;
  config.max_pixels_per_second = int64_t{1280} * 720 * 30;
  make(config);
  d().add_worker(sized_worker("t", 8192, 8192));
  const lp::RequestLimits l = d().limits();
  EXPECT_EQ(l.max_renditions, 2);
  EXPECT_EQ(l.max_frame_pixels, 1280 * 720);
  EXPECT_EQ(l.max_pixels_per_second, int64_t{1280} * 720 * 30);
  EXPECT_TRUE(d().check_capable({sized("hd", 1280, 720, 30)}).ok());
  EXPECT_FALSE(d().check_capable({sized("a", 256, 144), sized("b", 256, 144), sized("c", 256, 144)}).ok());
  EXPECT_FALSE(d().check_capable({sized("fhd", 1920, 1080, 30)}).ok());
  EXPECT_FALSE(d().check_capable({sized("hd60", 1280, 720, 60)}).ok());
}

// ---- RemoteTranscoder's heartbeat over a real WebSocket (a socketpair, no HTTP) ---------------

// The orchestrator's end (a RemoteTranscoder) and a scripted transcoder's end of one channel.
class HeartbeatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    GUri* uri = g_uri_parse("ws://127.0.0.1/v1/transcoder", G_URI_FLAGS_NONE, nullptr);
    for (int i = 0; i < 2; ++i) {
      GSocket* socket = g_socket_new_from_fd(fds[i], nullptr);
      ASSERT_NE(socket, nullptr);
      GSocketConnection* stream = g_socket_connection_factory_create_connection(socket);
      g_object_unref(socket);
      ends_[i] = soup_websocket_connection_new(
          G_IO_STREAM(stream), uri, i == 0 ? SOUP_WEBSOCKET_CONNECTION_SERVER : SOUP_WEBSOCKET_CONNECTION_CLIENT,
          nullptr, nullptr, nullptr);
      g_object_unref(stream);
    }
    g_uri_unref(uri);
    g_signal_connect(ends_[1], "message", G_CALLBACK(on_ping), this);
  }
  void TearDown() override {
    transcoder_.reset();
    for (auto* end : ends_) {
      if (soup_websocket_connection_get_state(end) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(end, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
    run_for(50ms);
    for (auto* end : ends_) g_object_unref(end);
    while (g_main_context_iteration(nullptr, FALSE)) {
    }
  }

  void start() {
    lp::wire::Hello hello;
    hello.capacity = 1;
    hello.capabilities = caps_of({"H.264"});
    lp::ChannelSettings settings;
    settings.heartbeat = 50ms;
    transcoder_ = std::make_shared<lp::RemoteTranscoder>("t1", "127.0.0.1:1", ends_[0], hello, "http://127.0.0.1:1",
                                                         media_, settings);
    transcoder_->on_closed([this](const std::string& why) { closed_ = why; });
  }

  // The scripted transcoder: answers each ping as `answer` says (nullopt: stays silent).
  static void on_ping(SoupWebsocketConnection* conn, gint, GBytes* message, gpointer data) {
    auto* self = static_cast<HeartbeatTest*>(data);
    gsize size = 0;
    const char* text = static_cast<const char*>(g_bytes_get_data(message, &size));
    auto parsed = lp::wire::parse_channel_message(std::string_view(text ? text : "", size));
    if (!parsed) return;
    auto* ping = std::get_if<lp::wire::Ping>(&*parsed);
    if (!ping) return;
    ++self->pings_;
    if (auto seq = self->answer(ping->seq))
      soup_websocket_connection_send_text(conn, lp::wire::to_json(lp::wire::Pong{*seq, {}}).c_str());
  }

  static void run_for(std::chrono::milliseconds span) {
    const gint64 end = g_get_monotonic_time() + span.count() * 1000;
    while (g_get_monotonic_time() < end)
      if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(1000);
  }
  bool run_until_closed(std::chrono::milliseconds limit) {
    const gint64 end = g_get_monotonic_time() + limit.count() * 1000;
    while (!closed_ && g_get_monotonic_time() < end)
      if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(1000);
    return closed_.has_value();
  }

  std::function<std::optional<int64_t>(int64_t ping_seq)> answer;
  int pings_ = 0;
  std::optional<std::string> closed_;
  SoupWebsocketConnection* ends_[2] = {nullptr, nullptr};
  lp::JobMedia media_;
  std::shared_ptr<lp::RemoteTranscoder> transcoder_;
};

TEST_F(HeartbeatTest, AnsweringTranscoderStays) {
  answer = [](int64_t seq) { return std::optional<int64_t>(seq); };
  start();
  EXPECT_FALSE(run_until_closed(750ms)) << *closed_;
  EXPECT_GE(pings_, 5);
}

TEST_F(HeartbeatTest, SilentTranscoderIsDropped) {
  answer = [](int64_t) { return std::optional<int64_t>(); };
  start();
  ASSERT_TRUE(run_until_closed(2s));
  EXPECT_NE(closed_->find("missed 3 heartbeats"), std::string::npos) << *closed_;
}

// One pong with a sequence number no ping had, then silence: the pong must not count for
// pings not yet sent, or the transcoder is never dropped.
TEST_F(HeartbeatTest, PongFromTheFutureDoesNotKeepASilentTranscoderAlive) {
  answer = [n = 0](int64_t) mutable {
    return ++n == 1 ? std::optional<int64_t>(int64_t{1} << 62) : std::optional<int64_t>();
  };
  start();
  ASSERT_TRUE(run_until_closed(2s)) << "still registered after " << pings_ << " pings";
  EXPECT_NE(closed_->find("missed 3 heartbeats"), std::string::npos) << *closed_;
}

}  // namespace
