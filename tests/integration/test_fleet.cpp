// An orchestrator and several standalone transcoders, all real lpnode processes on loopback:
// spreading, SIGKILL mid-segment, a frozen transcoder, an orchestrator restart, a wrong secret.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "node_cluster.h"

namespace lp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

struct Outcome {
  int status = 0;
  std::string body;
};

// Sends `count` segments over `streams` streams with `parallel` requests in flight; every
// segment is retried on 503 (as a client honouring Retry-After would), nothing else is.
std::vector<Outcome> send_segments(const Orchestrator& orch, int count, int streams, int parallel,
                                   const std::string& profiles = "P144p30fps16x9",
                                   const std::vector<std::string>& bodies = small_segments(),
                                   std::function<void(int done)> progress = nullptr) {
  std::vector<Outcome> out(count);
  std::atomic<int> next{0}, done{0};
  const std::string token = auth_token(orch);
  auto worker = [&] {
    for (int i = next++; i < count; i = next++) {
      const std::string stream = "stream-" + std::to_string(i % streams);
      const int64_t seq = i / streams;
      HttpResponse r;
      for (int attempt = 0; attempt < 150; ++attempt) {  // up to 15 s of 503s: capacity drops when a transcoder dies
        r = post_segment(orch, token, stream, seq, bodies[static_cast<size_t>(seq) % bodies.size()], profiles);
        if (r.status != 503) break;
        std::this_thread::sleep_for(milliseconds(100));
      }
      out[i] = {r.status, r.body};
      if (progress) progress(++done);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < parallel; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return out;
}

// Jobs a transcoder's log shows started ("job X (stream ...): <pipeline>") and not finished.
int jobs_running(const std::string& log) {
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  return count(" (stream ") - count(" done in ") - count(" failed: ");
}

int count_ok(const std::vector<Outcome>& outcomes) {
  int ok = 0;
  for (const auto& o : outcomes) ok += o.status == 200;
  return ok;
}

std::string failures(const std::vector<Outcome>& outcomes) {
  std::string text;
  for (size_t i = 0; i < outcomes.size(); ++i)
    if (outcomes[i].status != 200)
      text +=
          "segment " + std::to_string(i) + ": " + std::to_string(outcomes[i].status) + " " + outcomes[i].body + "\n";
  return text;
}

TEST(Fleet, HundredSegmentsSpreadOverThreeTranscoders) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  std::vector<std::unique_ptr<NodeProcess>> transcoders;
  for (int i = 0; i < 3; ++i) transcoders.push_back(start_transcoder(orch, 2, "t" + std::to_string(i)));
  ASSERT_TRUE(wait_for_transcoders(orch, 3, seconds(5)));

  auto outcomes = send_segments(orch, 100, 6, 6);
  EXPECT_EQ(count_ok(outcomes), 100) << failures(outcomes);
  Status s = get_status(orch);
  ASSERT_EQ(s.transcoders.size(), 3u);
  int total = 0;
  for (const auto& t : s.transcoders) {
    // Least-loaded with sticky streams: 6 streams over 3 transcoders of capacity 2 give each
    // about a third. None may sit idle.
    EXPECT_GE(t.segments, 15) << t.id << "\n" << s.raw;
    total += t.segments;
  }
  EXPECT_EQ(total, 100);
  EXPECT_EQ(s.totals["segments_transcoded"], 100);
}

// The goal: 0 segments lost when a transcoder is killed mid-segment under load.
TEST(Fleet, SigkillMidSegmentLosesNoSegment) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  std::vector<std::unique_ptr<NodeProcess>> transcoders;
  for (int i = 0; i < 3; ++i) transcoders.push_back(start_transcoder(orch, 2, "k" + std::to_string(i)));
  ASSERT_TRUE(wait_for_transcoders(orch, 3, seconds(5)));

  // Heavier renditions so jobs last long enough to be caught mid-way.
  std::atomic<bool> killed{false};
  std::mutex kill_mutex;
  auto victim = transcoders[1].get();
  auto outcomes = send_segments(orch, 40, 6, 6, "P360p30fps16x9,P240p30fps16x9", small_segments(), [&](int done) {
    std::lock_guard lock(kill_mutex);
    // After a few segments, as soon as the victim is running a job, kill it without warning.
    if (killed || done < 6 || jobs_running(victim->log()) == 0) return;
    victim->signal(SIGKILL);
    killed = true;
  });
  ASSERT_TRUE(killed) << "the victim never had a job in flight";
  EXPECT_EQ(count_ok(outcomes), 40) << failures(outcomes);
  EXPECT_TRUE(orch.process->wait_for_log("lost its transcoder", seconds(1))) << orch.process->log();
  EXPECT_TRUE(wait_for_transcoders(orch, 2, seconds(5)));
  const std::string metrics = http_request("GET", orch.cli_url("/metrics")).body;
  EXPECT_GE(metric_value(metrics, "lpgst_segment_redispatched_total"), 1);
}

// A transcoder that stops answering (SIGSTOP keeps its TCP connection open) is found dead by
// the heartbeat within seconds, and its segment completes elsewhere.
TEST(Fleet, FrozenTranscoderIsDetectedByHeartbeat) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  auto frozen = start_transcoder(orch, 1, "frozen");
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(5)));
  frozen->signal(SIGSTOP);
  auto healthy = start_transcoder(orch, 1, "healthy");
  ASSERT_TRUE(wait_for_transcoders(orch, 2, seconds(5)));
  const auto start = Clock::now();
  EXPECT_TRUE(wait_for_transcoders(orch, 1, seconds(8)));
  const auto detected = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_LT(detected.count(), 6000);
  EXPECT_TRUE(orch.process->wait_for_log("missed 3 heartbeats", seconds(1))) << orch.process->log();
  EXPECT_EQ(post_segment(orch, auth_token(orch), "after-freeze", 0, small_segments()[0]).status, 200);
  frozen->signal(SIGCONT);
  // Thawed, it notices its channel is gone and registers again.
  EXPECT_TRUE(wait_for_transcoders(orch, 2, seconds(10)));
}

TEST(Fleet, TranscodersAreBackWithinThreeSecondsOfAnOrchestratorRestart) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o, "first-life");
  std::vector<std::unique_ptr<NodeProcess>> transcoders;
  for (int i = 0; i < 3; ++i) transcoders.push_back(start_transcoder(orch, 1, "r" + std::to_string(i)));
  ASSERT_TRUE(wait_for_transcoders(orch, 3, seconds(5)));

  orch.process->signal(SIGKILL);
  ASSERT_TRUE(orch.process->wait_exit(seconds(5)).has_value());
  std::this_thread::sleep_for(seconds(3));  // down long enough for the backoff to grow
  o.http_port = orch.http_port;
  o.cli_port = orch.cli_port;
  Orchestrator again = start_orchestrator(o, "second-life");
  const auto start = Clock::now();
  ASSERT_TRUE(wait_for_transcoders(again, 3, seconds(10))) << get_status(again).raw;
  const auto back = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_LE(back.count(), 3000);
  auto outcomes = send_segments(again, 6, 3, 3);
  EXPECT_EQ(count_ok(outcomes), 6) << failures(outcomes);
  for (auto& t : transcoders) EXPECT_TRUE(t->running()) << t->log();
}

// A segment that does not decode fails alone, on a remote transcoder too: 422 for it, and the
// transcoder, still registered, goes on with the next ones.
TEST(Fleet, OneBadSegmentFailsOnlyItself) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  auto t = start_transcoder(orch, 2, "bad-segment-t");
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(5)));
  const std::string token = auth_token(orch);
  std::string corrupt = small_segments()[0];
  for (size_t i = 400; i < corrupt.size(); i += 7) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  auto bad = std::async(std::launch::async, [&] { return post_segment(orch, token, "bad", 0, corrupt); });
  auto good = std::async(std::launch::async, [&] { return post_segment(orch, token, "good", 0, small_segments()[1]); });
  HttpResponse b = bad.get();
  EXPECT_EQ(b.status, 422) << b.body;
  EXPECT_EQ(error_code(b), "bad_segment");
  EXPECT_EQ(good.get().status, 200);
  EXPECT_EQ(post_segment(orch, token, "good", 1, small_segments()[2]).status, 200);
  EXPECT_TRUE(t->running());
  EXPECT_EQ(get_status(orch).transcoders.size(), 1u);
  EXPECT_EQ(get_status(orch).totals["segments_redispatched"], 0);  // a bad segment is not retried
}

TEST(Fleet, WrongSecretIsFatal) {
  OrchestratorOptions o;
  Orchestrator orch = start_orchestrator(o);
  auto t = start_transcoder(orch, 1, "wrong-secret", "not-the-secret", false);
  auto status = t->wait_exit(seconds(10));
  ASSERT_TRUE(status.has_value()) << t->log();
  EXPECT_NE(*status, 0);
  EXPECT_NE(t->log().find("secret rejected"), std::string::npos) << t->log();
  EXPECT_EQ(get_status(orch).transcoders.size(), 0u);
  EXPECT_TRUE(orch.process->wait_for_log("transcoder logins refused: 1 wrong secret", seconds(1)))
      << orch.process->log();
}

TEST(Fleet, TranscoderSigtermDrainsItsJobsAndExitsZero) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  auto t = start_transcoder(orch, 2, "draining");
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(5)));
  auto in_flight = std::async(std::launch::async, [&] {
    return post_segment(orch, auth_token(orch), "drain", 0, small_segments()[0], "P360p30fps16x9,P240p30fps16x9");
  });
  ASSERT_TRUE(t->wait_for_log("job ", seconds(10)));
  t->signal(SIGTERM);
  EXPECT_EQ(in_flight.get().status, 200);
  auto status = t->wait_exit(seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << t->log();
}

}  // namespace
}  // namespace lp::test
