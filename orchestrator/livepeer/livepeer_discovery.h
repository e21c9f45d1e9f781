// The calls a go-livepeer gateway makes on an orchestrator's gRPC port (server/rpc.go):
// net.Orchestrator/GetOrchestrator (discovery: where to post segments, who signs results,
// what the node can do, a session's auth token), Ping (signs what it is sent) and
// EndTranscodingSession. Offchain: no ticket parameters and a zero price.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "eth_key.h"
#include "http2/grpc_server.h"
#include "livepeer_auth_tokens.h"
#include "lp_rpc.pb.h"
#include "error.h"

namespace lp::livepeer {

struct DiscoveryHooks {
  // The service URI ("https://host:port") for a request that arrived with `authority`.
  std::function<std::string(const std::string& authority)> service_uri;
  // The node's go-livepeer capabilities (what its transcoders can do now).
  std::function<net::Capabilities()> capabilities;
  // True when no new session can be taken (go-livepeer's CheckCapacity: OrchestratorCapped).
  std::function<bool()> capped;
  // A gateway ended session `id` (EndTranscodingSession with a valid token).
  std::function<void(const std::string& id)> end_session;
};

// Registers the three methods on `services`. `key` (may be null: then no address and no
// signatures) and `tokens` must outlive the table.
void add_discovery_methods(grpc::ServiceTable& services, const eth::PrivateKey* key, const AuthTokens& tokens,
                           DiscoveryHooks hooks);

// go-livepeer's Orchestrator.Sign: personal_sign over keccak256(message).
eth::Signature orchestrator_sign(const eth::PrivateKey& key, std::string_view message);

// Whether a gateway's OrchestratorRequest signature holds (BadSignature says why not). An empty
// signature (an offchain gateway) is accepted, as go-livepeer's offchain VerifySig does.
Result<void> check_gateway_signature(const net::OrchestratorRequest& request);

}  // namespace lp::livepeer
