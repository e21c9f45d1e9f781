// GPU transcoders as the orchestrator sees them. A GPU transcoder places each job on a GPU
// before it runs and frees it after (with the job's failure, which can send the GPU to a
// re-test); its GPUs' state (encoder path, capacity, sessions, load, a failed re-test) rides
// on every heartbeat into the orchestrator's /status and /metrics.
//
// The GPU is the one thing this machine lacks: here the transcoder is the real TranscoderClient
// in this process, against a real orchestrator process, with a stand-in placement that runs
// jobs on the CPU and reports made-up GPU figures. `lpnode --nvidia` on a machine without a
// GPU is tested for real, and so is a whole GPU transcoder where nvcodec has a decoder.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "job_placement.h"
#include "lp_register.h"
#include "node_cluster.h"
#include "transcoder_client.h"

namespace lp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class StandInGpus : public JobPlacement {
 public:
  Result<int> acquire(const wire::Job& job) override {
    std::lock_guard lock(mutex_);
    ++sessions_;
    ++acquired_;
    last_stream_ = job.stream_id;
    return -1;  // the CPU: there is no GPU to run it on
  }
  void release(const wire::Job&, int, const Result<void>& failure) override {
    std::lock_guard lock(mutex_);
    --sessions_;
    outcomes_.push_back(!failure.ok() ? error_code_name(failure.error().code) : "ok");
  }
  std::vector<wire::HardwareDevice> devices() const override {
    std::lock_guard lock(mutex_);
    return {{"nvidia", 0, "Stand-in GPU", "hybrid", 4, sessions_, 25 * sessions_, ""},
            {"nvidia", 1, "Stand-in GPU", "full", 2, 0, 0, "re-test failed: stand-in decode error"}};
  }
  int acquired() const {
    std::lock_guard lock(mutex_);
    return acquired_;
  }
  std::vector<std::string> outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }

 private:
  mutable std::mutex mutex_;
  int sessions_ = 0;
  int acquired_ = 0;
  std::string last_stream_;
  std::vector<std::string> outcomes_;
};

// The default main context, run on its own thread: the client lives there, as in lpnode.
class MainLoopThread {
 public:
  MainLoopThread() : loop_(g_main_loop_new(nullptr, FALSE)), thread_([this] { g_main_loop_run(loop_); }) {}
  ~MainLoopThread() {
    g_main_loop_quit(loop_);
    thread_.join();
    g_main_loop_unref(loop_);
  }
  // Runs `fn` on the loop's thread and waits for it.
  void run(std::function<void()> fn) {
    std::promise<void> done;
    auto call = [&] {
      fn();
      done.set_value();
    };
    g_main_context_invoke(
        nullptr,
        [](gpointer data) -> gboolean {
          (*static_cast<decltype(call)*>(data))();
          return G_SOURCE_REMOVE;
        },
        &call);
    done.get_future().wait();
  }

 private:
  GMainLoop* loop_;
  std::thread thread_;
};

bool wait_until(const std::function<bool()>& ok, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return ok();
}

TEST(GpuTranscoder, PlacementAndGpuStateReachStatusAndMetrics) {
  media_register();
  OrchestratorOptions options;
  options.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(options);
  auto gpus = std::make_shared<StandInGpus>();
  MainLoopThread loop;
  std::unique_ptr<TranscoderClient> client;
  loop.run([&] {
    TranscoderClientConfig config;
    config.orch_addr = "127.0.0.1:" + std::to_string(orch.http_port);
    config.secret = "test-secret";
    config.capacity = 2;
    config.capabilities = {{"H.264"}, {"P144p30fps16x9"}, 1920, 1080, gpus->devices()};
    config.placement = gpus;
    client = std::make_unique<TranscoderClient>(config, [](const std::string& why) { ADD_FAILURE() << why; });
    client->start();
  });
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(10)));

  // A job is placed, runs, and is released with its outcome.
  const std::string token = auth_token(orch);
  HttpResponse ok = post_segment(orch, token, "gpu-stream", 0, small_segments()[0]);
  EXPECT_EQ(ok.status, 200) << ok.body;
  std::string corrupt = small_segments()[1];
  for (size_t i = 400; i < corrupt.size(); i += 7) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  HttpResponse bad = post_segment(orch, token, "gpu-stream", 1, corrupt);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(wait_until([&] { return gpus->outcomes().size() >= 2; }, seconds(10)));
  EXPECT_GE(gpus->acquired(), 2);
  const auto outcomes = gpus->outcomes();
  ASSERT_GE(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0], "ok");
  EXPECT_EQ(outcomes[1], "bad_segment");

  // The heartbeats carry the GPUs' state into /status (a heartbeat sent before the second
  // job's release still shows its session: wait for the one after) ...
  const std::string idle_gpu =
      "\"name\":\"Stand-in GPU\",\"path\":\"hybrid\",\"capacity\":4,\"sessions\":0,\"load_percent\":0,\"error\":\"\"";
  ASSERT_TRUE(wait_until([&] { return get_status(orch).raw.find(idle_gpu) != std::string::npos; }, seconds(10)))
      << get_status(orch).raw;
  const std::string status = get_status(orch).raw;
  EXPECT_NE(status.find("\"error\":\"re-test failed: stand-in decode error\""), std::string::npos) << status;
  // ... and /metrics.
  const std::string metrics = http_request("GET", orch.cli_url("/metrics")).body;
  EXPECT_NE(metrics.find(",gpu=\"0\",name=\"Stand-in GPU\",path=\"hybrid\"} 1"), std::string::npos) << metrics;
  EXPECT_EQ(metric_value(metrics, "lpgst_gpu_capacity"), 6);
  EXPECT_EQ(metric_value(metrics, "lpgst_gpu_usable"), 1);  // GPU 1 waits on its re-test
  EXPECT_EQ(metric_value(metrics, "lpgst_gpu_sessions"), 0);

  loop.run([&] { client.reset(); });
}

TEST(GpuTranscoder, NvidiaFlagWithoutAGpuExitsNamingWhatIsMissing) {
  if (gst_element_factory_find("nvh264dec")) GTEST_SKIP() << "this machine has an NVIDIA GPU";
  Orchestrator orch = start_orchestrator(OrchestratorOptions());
  const std::string addr = "127.0.0.1:" + std::to_string(orch.http_port);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--transcoder", "--orch-addr", addr, "--orch-secret", "test-secret", "--nvidia", "all"}, "no NVIDIA GPU found"},
      {{"-transcoder", "-orchAddr", addr, "-orchSecret", "test-secret", "-nvidia", "0"}, "GPU 0 not found"},
  };
  for (const auto& c : cases) {
    auto p = NodeProcess::start(lpnode_binary(), c.args, "nvidia");
    auto status = p->wait_exit(seconds(30));
    ASSERT_TRUE(status.has_value()) << p->log();
    EXPECT_NE(*status, 0) << p->log();
    EXPECT_NE(p->log().find(c.message), std::string::npos) << p->log();
  }
  EXPECT_TRUE(get_status(orch).transcoders.empty());
}

TEST(GpuTranscoder, RealGpuTranscoderSelfTestsAndTranscodes) {
  if (!gst_element_factory_find("nvh264dec"))
    GTEST_SKIP() << "no NVIDIA GPU: GStreamer's nvcodec plugin registered no decoder";
  OrchestratorOptions options;
  options.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(options);
  auto t = NodeProcess::start(lpnode_binary(),
                              {"--transcoder", "--orch-addr", "127.0.0.1:" + std::to_string(orch.http_port),
                               "--orch-secret", "test-secret", "--nvidia", "all", "--max-sessions", "8"},
                              "gpu-transcoder");
  ASSERT_TRUE(t->wait_for_log("registered with the orchestrator", seconds(120))) << t->log();
  EXPECT_NE(t->log().find("GPU 0: decode ok"), std::string::npos) << t->log();
  const std::string token = auth_token(orch);
  for (int64_t seq = 0; seq < 3; ++seq) {
    HttpResponse r = post_segment(orch, token, "gpu", seq, small_segments()[static_cast<size_t>(seq)],
                                  "P240p30fps16x9,P144p30fps16x9");
    EXPECT_EQ(r.status, 200) << r.body;
  }
  EXPECT_NE(t->log().find("on GPU "), std::string::npos) << t->log();
  EXPECT_TRUE(
      wait_until([&] { return get_status(orch).raw.find("\"kind\":\"nvidia\"") != std::string::npos; }, seconds(10)));
}

}  // namespace
}  // namespace lp::test
