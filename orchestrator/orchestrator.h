// An orchestrator: the public API (--http-addr: /v1/info, /v1/segment, result downloads, job
// media, the transcoder channel) and the operator API (--cli-addr: /status, /metrics, /),
// over a dispatcher whose workers are remote transcoders and, in combined mode, itself.
// Everything runs on the global default main context (lpnode's main loop).
#pragma once

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "eth_key.h"
#include "http/http_limits.h"
#include "profile.h"
#include "transcode.h"
#include "wire/info.h"

namespace lp::pm {
class PaymentService;
}

namespace lp {

class TlsIdentity;

struct OrchestratorConfig {
  std::string http_addr = "0.0.0.0:8935";  // host:port; port 0 picks one
  std::string cli_addr = "127.0.0.1:7935";
  std::string service_addr;  // advertised; "" = the address requests come in on
  std::string secret;        // transcoders' shared secret; "" = no remote transcoders
  // The key that makes and checks auth tokens: its own secret, never the transcoders' (lpnode
  // keeps it under --data-dir so tokens survive a restart). "" = random for this process.
  std::string token_key;
  // TLS on the public port (the default for lpnode); null = plain HTTP (-httpAddr http://...).
  std::shared_ptr<TlsIdentity> tls;
  HttpLimits http_limits;  // public and operator ports
  int max_sessions = 10;
  bool max_sessions_auto = false;
  int local_capacity = 0;         // > 0: combined mode, this many in-process jobs
  std::string pipeline_template;  // "" = default
  TranscodeOptions transcode_options;
  size_t max_segment_bytes = 64u << 20;
  std::chrono::seconds result_ttl{300};
  size_t max_result_bytes = size_t{2} << 30;
  std::chrono::seconds token_ttl{3600};
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::seconds drain_timeout{30};
  // A job's deadline is max(this, 4 x segment duration), as go-livepeer's; then it is
  // re-dispatched. The embedded VOD node, where nobody waits live, allows more.
  std::chrono::milliseconds min_job_deadline{8000};
  std::optional<eth::PrivateKey> key;  // signs results and /v1/info when set
  // Renditions for segments that name none (no Lp-Profiles header): --transcoding-options.
  std::vector<Profile> default_profiles;
  wire::Price price;  // announced in /v1/info
  // On chain (-network devenv|arbitrum-one-mainnet): prices, tickets and redemption for
  // go-livepeer gateways (payment_service.h); null = offchain, nothing charged.
  std::shared_ptr<pm::PaymentService> payments;
  bool require_client_signature = false;
  // What one request may cost (0 = the dispatcher's defaults; dispatcher.h).
  int max_renditions = 0;
  int64_t max_frame_pixels = 0;
  int64_t max_pixels_per_second = 0;
};

class Orchestrator {
 public:
  static Result<std::unique_ptr<Orchestrator>> start(OrchestratorConfig config);
  ~Orchestrator();
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  // Where the servers listen, with the ports actually bound.
  std::string http_address() const;
  std::string cli_address() const;
  // "https://host:port" or "http://host:port": the public API as clients reach it here.
  std::string http_url() const;

  // SIGTERM: refuse new segments, let the ones in flight finish (bounded by drain_timeout),
  // then call `done`.
  void drain(std::function<void()> done);

  struct Impl;

 private:
  explicit Orchestrator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp
