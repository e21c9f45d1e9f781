// The go-livepeer side of the public port: gRPC methods for go-livepeer gateways
// (orchestrator/livepeer/livepeer_discovery.h) and transcoders (livepeer_transcoder_server.h),
// served over the port's HTTP/2 connections.
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
  if (config.payments) {
    hooks.add_payment_info = [this](net::OrchestratorInfo info, const eth::Address& gateway,
                                    const grpc::ServerCall& call) { add_payment_info(std::move(info), gateway, call); };
  }
  livepeer::add_discovery_methods(h2_port->services(), config.key ? &*config.key : nullptr, livepeer_tokens,
                                  std::move(hooks));
  livepeer::TranscoderServerSettings settings;
  settings.secret = config.secret;
  settings.source_base = [this](const std::string& authority) { return base_for_host(authority); };
  settings.max_rendition_bytes = config.max_segment_bytes;
  livepeer_transcoders = std::make_unique<livepeer::TranscoderServer>(public_server.get(), h2_port->services(),
                                                                      dispatcher, media, std::move(settings));
  // Sessions that end (idle 70 s, or ended by their gateway) are ended on the transcoders too.
  livepeer_sessions.on_end([this](const std::string& id) {
    if (livepeer_transcoders) livepeer_transcoders->end_session(id);
  });
}

}  // namespace lp
