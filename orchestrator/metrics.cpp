#include "metrics.h"

#include <array>
#include <charconv>
#include <cstddef>
#include <map>
#include <mutex>
#include <type_traits>

namespace lp {
namespace {

// Upper bounds (s): a 2 s segment on one GPU takes ~0.1 s, a busy CPU box can take tens.
constexpr std::array<double, 12> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60};

struct Histogram {
  std::array<uint64_t, kBuckets.size()> counts{};  // per bucket; cumulated when rendered
  double sum = 0;
  uint64_t count = 0;

  void observe(double v) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (v <= kBuckets[i]) {
        ++counts[i];
        break;
      }
    }
    sum += v;
    ++count;
  }
};

// Go's strconv.FormatFloat(v, 'g', -1, 64) is what Prometheus clients write; to_chars' shortest
// round-trip form matches it closely enough for any parser.
std::string format_double(double v) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf.data(), end);
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string escape_label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <typename T>
void sample(std::string& out, const std::string& name, T value) {
  out += name;
  out += ' ';
  if constexpr (std::is_same_v<T, std::string>) {
    out += value;  // already formatted
  } else if constexpr (std::is_floating_point_v<T>) {
    out += format_double(value);
  } else {
    out += std::to_string(value);
  }
  out += '\n';
}

void family(std::string& out, const char* name, const char* type, const char* help, int64_t value) {
  header(out, name, type, help);
  sample(out, name, value);
}

// One family per GPU measure, a sample per GPU labelled with its transcoder and index; the
// model and encoder path are labels of lpgst_gpu_info, as Prometheus "info" metrics do.
void render_gpus(std::string& out, const std::vector<OrchestratorMetrics::Gpu>& gpus) {
  if (gpus.empty()) return;
  auto labels = [](const OrchestratorMetrics::Gpu& g) {
    return "{transcoder=\"" + escape_label(g.transcoder) + "\",gpu=\"" + std::to_string(g.index) + "\"";
  };
  header(out, "lpgst_gpu_info", "gauge", "GPUs of the connected transcoders (model and encoder path: full or hybrid)");
  for (const auto& g : gpus)
    sample(
        out,
        "lpgst_gpu_info" + labels(g) + ",name=\"" + escape_label(g.name) + "\",path=\"" + escape_label(g.path) + "\"}",
        1);
  header(out, "lpgst_gpu_capacity", "gauge", "Sessions a GPU takes, from its start-up self-test");
  for (const auto& g : gpus) sample(out, "lpgst_gpu_capacity" + labels(g) + "}", g.capacity);
  header(out, "lpgst_gpu_sessions", "gauge", "Sessions on a GPU now");
  for (const auto& g : gpus) sample(out, "lpgst_gpu_sessions" + labels(g) + "}", g.sessions);
  header(out, "lpgst_gpu_load_ratio", "gauge",
         "A GPU's load by cost (width x height x fps of its sessions) over its capacity");
  for (const auto& g : gpus) sample(out, "lpgst_gpu_load_ratio" + labels(g) + "}", g.load_percent / 100.0);
  header(out, "lpgst_gpu_usable", "gauge", "1 when a GPU takes work, 0 while it waits on or failed a re-test");
  for (const auto& g : gpus) sample(out, "lpgst_gpu_usable" + labels(g) + "}", g.usable ? 1 : 0);
}

void histogram(std::string& out, const std::string& name, const char* help, const Histogram& h) {
  header(out, name.c_str(), "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += h.counts[i];
    sample(out, name + "_bucket{le=\"" + format_double(kBuckets[i]) + "\"}", cumulative);
  }
  sample(out, name + "_bucket{le=\"+Inf\"}", h.count);
  sample(out, name + "_sum", h.sum);
  sample(out, name + "_count", h.count);
}

}  // namespace

struct OrchestratorMetrics::State {
  mutable std::mutex mutex;
  int transcoders = 0;
  int capacity = 0;
  int load = 0;
  int sessions = 0;
  int gateway_sessions = 0;
  std::map<std::string, int> protocols;  // transcoders by protocol
  uint64_t received = 0;
  uint64_t transcoded = 0;
  uint64_t redispatched = 0;
  std::map<std::string, uint64_t> failed;  // by error code; sorted for a stable rendering
  Histogram transcode_time;
  Histogram overall_latency;
  std::vector<OrchestratorMetrics::Gpu> gpus;
};

void append_metric_family(std::string& out, const char* name, const char* type, const char* help,
                          const std::string& value) {
  header(out, name, type, help);
  sample(out, name, value);
}

OrchestratorMetrics::OrchestratorMetrics() : state_(std::make_unique<State>()) {}
OrchestratorMetrics::~OrchestratorMetrics() = default;

void OrchestratorMetrics::set_gpus(std::vector<Gpu> gpus) {
  std::lock_guard lock(state_->mutex);
  state_->gpus = std::move(gpus);
}

void OrchestratorMetrics::set_transcoders(int number, int capacity, int load) {
  std::lock_guard lock(state_->mutex);
  state_->transcoders = number;
  state_->capacity = capacity;
  state_->load = load;
}

void OrchestratorMetrics::set_current_sessions(int sessions) {
  std::lock_guard lock(state_->mutex);
  state_->sessions = sessions;
}

void OrchestratorMetrics::segment_received() {
  std::lock_guard lock(state_->mutex);
  ++state_->received;
}

void OrchestratorMetrics::segment_transcoded() {
  std::lock_guard lock(state_->mutex);
  ++state_->transcoded;
}

void OrchestratorMetrics::segment_failed(const std::string& code) {
  std::lock_guard lock(state_->mutex);
  ++state_->failed[code];
}

void OrchestratorMetrics::segment_redispatched() {
  std::lock_guard lock(state_->mutex);
  ++state_->redispatched;
}

void OrchestratorMetrics::observe_transcode_time(double seconds) {
  std::lock_guard lock(state_->mutex);
  state_->transcode_time.observe(seconds);
}

void OrchestratorMetrics::observe_overall_latency(double seconds) {
  std::lock_guard lock(state_->mutex);
  state_->overall_latency.observe(seconds);
}

void OrchestratorMetrics::set_protocols(std::map<std::string, int> transcoders_by_protocol) {
  std::lock_guard lock(state_->mutex);
  state_->protocols = std::move(transcoders_by_protocol);
}

void OrchestratorMetrics::set_gateway_sessions(int sessions) {
  std::lock_guard lock(state_->mutex);
  state_->gateway_sessions = sessions;
}

OrchestratorMetrics::Totals OrchestratorMetrics::totals() const {
  std::lock_guard lock(state_->mutex);
  Totals t{state_->received, state_->transcoded, 0, state_->redispatched};
  for (const auto& [code, n] : state_->failed) t.failed += n;
  return t;
}

std::string OrchestratorMetrics::render() const {
  std::lock_guard lock(state_->mutex);
  const State& s = *state_;
  std::string out;
  out.reserve(4096);
  family(out, "lpgst_orchestrator_transcoders_number", "gauge", "Number of transcoders connected to the orchestrator",
         s.transcoders);
  family(out, "lpgst_orchestrator_transcoders_capacity", "gauge", "Total session capacity of the connected transcoders",
         s.capacity);
  family(out, "lpgst_orchestrator_transcoders_load", "gauge",
         "Sessions currently assigned to the connected transcoders", s.load);
  header(out, "lpgst_orchestrator_transcoders_by_protocol", "gauge",
         "Connected transcoders by the protocol they speak (local, lpgst, livepeer)");
  for (const char* protocol : {"local", "lpgst", "livepeer"}) {
    auto it = s.protocols.find(protocol);
    sample(out, std::string("lpgst_orchestrator_transcoders_by_protocol{protocol=\"") + protocol + "\"}",
           it == s.protocols.end() ? 0 : it->second);
  }
  family(out, "lpgst_current_sessions", "gauge", "Segments in flight (accepted, not yet answered)", s.sessions);
  family(out, "lpgst_livepeer_gateway_sessions", "gauge",
         "go-livepeer gateway sessions open (streams, as -maxSessions counts them)", s.gateway_sessions);
  family(out, "lpgst_segment_source_received_total", "counter", "Segments received from broadcasters",
         static_cast<int64_t>(s.received));
  family(out, "lpgst_segment_transcoded_total", "counter", "Segments transcoded successfully",
         static_cast<int64_t>(s.transcoded));

  header(out, "lpgst_segment_transcode_failed_total", "counter", "Segments that failed to transcode, by error code");
  for (const auto& [code, n] : s.failed) {
    sample(out, "lpgst_segment_transcode_failed_total{code=\"" + escape_label(code) + "\"}", n);
  }

  family(out, "lpgst_segment_redispatched_total", "counter",
         "Segments sent to another transcoder after the first one failed", static_cast<int64_t>(s.redispatched));
  histogram(out, "lpgst_transcode_time_seconds", "Time a transcoder spent on one segment", s.transcode_time);
  histogram(out, "lpgst_transcode_overall_latency_seconds", "Time from a segment's arrival to its answer being sent",
            s.overall_latency);
  render_gpus(out, s.gpus);
  return out;
}

}  // namespace lp
