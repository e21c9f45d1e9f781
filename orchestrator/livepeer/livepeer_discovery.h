// The calls a go-livepeer gateway makes on an orchestrator's gRPC port (server/rpc.go):
// net.Orchestrator/GetOrchestrator (discovery: where to post segments, who signs results,
// what the node can do, a session's auth token), Ping (signs what it is sent) and
// EndTranscodingSession. Offchain: no ticket parameters and a zero price; on chain the
// answer's price_info and ticket_params come from the payments hook.
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
  // On chain (payments on; null offchain): the gateway must sign its request (go-livepeer's
  // onchain VerifySig), and this hook adds price_info and ticket_params for that gateway to
  // `info` and sends it on `call`, now or later (orchestratorInfo's errors end the call).
  std::function<void(net::OrchestratorInfo info, const eth::Address& gateway, const grpc::ServerCall& call)>
      add_payment_info;
};

// Registers the three methods on `services`. `key` (may be null: then no address and no
// signatures) and `tokens` must outlive the table.
void add_discovery_methods(grpc::ServiceTable& services, const eth::PrivateKey* key, const AuthTokens& tokens,
                           DiscoveryHooks hooks);

// go-livepeer's Orchestrator.Sign: personal_sign over keccak256(message).
eth::Signature orchestrator_sign(const eth::PrivateKey& key, std::string_view message);

// Whether a gateway's OrchestratorRequest signature holds (BadSignature says why not). An empty
// signature (an offchain gateway) is accepted unless `onchain`, as go-livepeer's VerifySig does.
Result<void> check_gateway_signature(const net::OrchestratorRequest& request, bool onchain = false);

}  // namespace lp::livepeer
