// A standalone transcoder's operator view (lpnode --transcoder --cli-addr HOST:PORT, as
// go-livepeer's transcoder serves its cliAddr): GET /status (JSON) and GET /metrics
// (Prometheus text) about the orchestrator it serves, the protocol, and its segments.
#pragma once

#include <functional>
#include <string>

#include "error.h"
#include "http/http_listen.h"

namespace lp {

struct TranscoderStatus {
  std::string orchestrator;  // --orch-addr
  std::string protocol;      // "lpgst" or "livepeer"
  bool connected = false;
  int capacity = 0;
  int64_t running = 0;
  int64_t segments_done = 0;
  int64_t segments_failed = 0;
  int64_t registrations = 0;
  std::string last_error;
};

std::string transcoder_status_json(const TranscoderStatus& status);
std::string transcoder_metrics_text(const TranscoderStatus& status);

class TranscoderStatusServer {
 public:
  // Serves on the default main context; `snapshot` runs there for each request.
  static Result<std::unique_ptr<TranscoderStatusServer>> start(const std::string& addr,
                                                               std::function<TranscoderStatus()> snapshot);
  std::string address() const;

 private:
  TranscoderStatusServer() = default;
  ServerPtr server_;
  std::function<TranscoderStatus()> snapshot_;
};

}  // namespace lp
