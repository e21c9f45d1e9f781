// The orchestrator's Prometheus metrics (GET /metrics on --cli-addr), named after
// go-livepeer's (monitor/census.go) with an lpgst_ prefix, except where Prometheus's naming
// rules differ (a gauge has no _total: lpgst_current_sessions). Thread-safe: the API server
// and the workers' completion callbacks update them from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lp {

// Appends one Prometheus family with a single sample (HELP, TYPE, value): for metrics kept
// elsewhere (payment_report.h) in the same format as render()'s.
void append_metric_family(std::string& out, const char* name, const char* type, const char* help,
                          const std::string& value);

class OrchestratorMetrics {
 public:
  OrchestratorMetrics();
  ~OrchestratorMetrics();

  // Gauges, set whenever the transcoder set or the load changes.
  void set_transcoders(int number, int capacity, int load);
  void set_current_sessions(int sessions);
  // GPUs of the connected transcoders, as their heartbeats last described them.
  struct Gpu {
    std::string transcoder;  // its id
    int index = 0;
    std::string name;
    std::string path;  // "full" | "hybrid"
    int capacity = 0;
    int sessions = 0;
    int load_percent = 0;
    bool usable = true;  // false while it waits on (or failed) a re-test
  };
  void set_gpus(std::vector<Gpu> gpus);
  // Connected transcoders by protocol ("local", "lpgst", "livepeer"), and the go-livepeer
  // gateway sessions open now (what -maxSessions counts for them).
  void set_protocols(std::map<std::string, int> transcoders_by_protocol);
  void set_gateway_sessions(int sessions);

  // Counters.
  void segment_received();
  void segment_transcoded();
  void segment_failed(const std::string& code);  // error code name, a label
  void segment_redispatched();

  // Histograms, seconds: the transcode on a worker, and POST received -> answer sent.
  void observe_transcode_time(double seconds);
  void observe_overall_latency(double seconds);

  struct Totals {
    uint64_t received = 0;
    uint64_t transcoded = 0;
    uint64_t failed = 0;
    uint64_t redispatched = 0;
  };
  Totals totals() const;

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lp
