// Which protocol the orchestrator at --orch-addr speaks, asked at connect time (lpnode
// --transcoder --orch-protocol auto): an lpgst orchestrator answers GET /v1/info with its
// signed info document; a go-livepeer orchestrator has no such path (404) and serves gRPC.
#pragma once

#include <chrono>
#include <string>

#include "error.h"

namespace lp {

enum class OrchestratorProtocol { Lpgst, Livepeer };

const char* protocol_name(OrchestratorProtocol protocol);  // "lpgst", "livepeer"

// One try. An http:// address is lpgst (go-livepeer's port is always TLS). Errors:
// Unreachable (refused, TLS failure, no HTTP answer) or Timeout: ask again later.
Result<OrchestratorProtocol> probe_orchestrator_protocol(const std::string& orch_addr, const std::string& cert_pin,
                                                         std::chrono::milliseconds timeout);

}  // namespace lp
