// The go-livepeer side of the public port: gRPC methods for go-livepeer gateways
// (orchestrator/livepeer/livepeer_discovery.h), served over the port's HTTP/2 connections.
#include "livepeer/livepeer_discovery.h"
#include "orchestrator_impl.h"

namespace lp {

void Orchestrator::Impl::add_livepeer_methods() {
  livepeer::DiscoveryHooks hooks;
  // What /v1/info signs, never the request's :authority (anyone can set that).
  hooks.service_uri = [this](const std::string&) { return "https://" + signed_service_addr(); };
  hooks.capabilities = [this] { return livepeer_creds_context().capabilities; };
  // go-livepeer's CheckCapacity(""): capped once -maxSessions streams are open.
  hooks.capped = [this] {
    return draining || livepeer_sessions.capped("", static_cast<size_t>(std::max(0, max_sessions())),
                                                std::chrono::steady_clock::now());
  };
  hooks.end_session = [this](const std::string& id) {
    livepeer_sessions.end(id);
    g_message("go-livepeer session %s ended by its gateway", id.c_str());
  };
  livepeer::add_discovery_methods(h2_port->services(), config.key ? &*config.key : nullptr, livepeer_tokens,
                                  std::move(hooks));
}

}  // namespace lp
