// Placeholder: being written.
#include "metrics.h"

namespace lp {
struct OrchestratorMetrics::State {};
OrchestratorMetrics::OrchestratorMetrics() : state_(std::make_unique<State>()) {}
OrchestratorMetrics::~OrchestratorMetrics() = default;
void OrchestratorMetrics::set_transcoders(int, int, int) {}
void OrchestratorMetrics::set_current_sessions(int) {}
void OrchestratorMetrics::segment_received() {}
void OrchestratorMetrics::segment_transcoded() {}
void OrchestratorMetrics::segment_failed(const std::string&) {}
void OrchestratorMetrics::segment_redispatched() {}
void OrchestratorMetrics::observe_transcode_time(double) {}
void OrchestratorMetrics::observe_overall_latency(double) {}
std::string OrchestratorMetrics::render() const { return ""; }
}  // namespace lp
