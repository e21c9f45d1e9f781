#include "livepeer_discovery.h"

#include <glib.h>

#include <span>

namespace lp::livepeer {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string as_string(std::span<const uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

int64_t now_unix() { return g_get_real_time() / G_USEC_PER_SEC; }

}  // namespace

eth::Signature orchestrator_sign(const eth::PrivateKey& key, std::string_view message) {
  const eth::Digest digest = eth::keccak256(message);
  return eth::personal_sign(key, digest);
}

Result<void> check_gateway_signature(const net::OrchestratorRequest& request, bool onchain) {
  if (request.sig().empty() && !onchain) return {};
  if (request.address().size() != 20) return Error{ErrorCode::BadSignature, "the address is not 20 bytes"};
  eth::Address address;
  std::copy(request.address().begin(), request.address().end(), address.bytes.begin());
  auto sig = eth::Signature::from_bytes(bytes_of(request.sig()));
  if (!sig) return sig.error();
  // B.Sign(addr.Hex()): personal_sign over keccak256 of the checksummed "0x..." text.
  const eth::Digest digest = eth::keccak256(address.checksummed());
  if (auto who = eth::verify_personal(digest, *sig, address); !who) return who.error();
  return {};
}

void add_discovery_methods(grpc::ServiceTable& services, const eth::PrivateKey* key, const AuthTokens& tokens,
                           DiscoveryHooks hooks) {
  services.add(
      "/net.Orchestrator/GetOrchestrator", [key, &tokens, hooks](std::string bytes, const grpc::ServerCall& call) {
        net::OrchestratorRequest request;
        if (!request.ParseFromString(bytes)) return call.finish(grpc::kInternal, "grpc: error unmarshalling request");
        // go-livepeer's order (verifyOrchestratorReq): the signature, then capacity.
        if (auto why = check_gateway_signature(request, static_cast<bool>(hooks.add_payment_info)); !why.ok()) {
          g_message("GetOrchestrator: signature check failed: %s", why.error().message.c_str());
          return call.finish(grpc::kUnknown, "Invalid orchestrator request (orchestrator req sig check failed)");
        }
        if (!request.ignorecapacitycheck() && hooks.capped())
          return call.finish(grpc::kUnknown, "Invalid orchestrator request (OrchestratorCapped)");
        net::OrchestratorInfo info;
        info.set_transcoder(hooks.service_uri(h2::header_value(call.request_headers(), ":authority")));
        if (key) info.set_address(as_string(key->address().bytes));
        *info.mutable_capabilities() = hooks.capabilities();
        *info.mutable_auth_token() = tokens.issue(now_unix());
        if (hooks.add_payment_info) {
          eth::Address gateway;
          std::copy(request.address().begin(), request.address().end(), gateway.bytes.begin());
          return hooks.add_payment_info(std::move(info), gateway, call);
        }
        info.mutable_price_info()->set_priceperunit(0);
        info.mutable_price_info()->set_pixelsperunit(1);
        call.reply(info.SerializeAsString());
      });

  services.add("/net.Orchestrator/Ping", [key](std::string bytes, const grpc::ServerCall& call) {
    net::PingPong ping;
    if (!ping.ParseFromString(bytes)) return call.finish(grpc::kInternal, "grpc: error unmarshalling request");
    net::PingPong pong;
    if (key) {
      const eth::Signature sig = orchestrator_sign(*key, ping.value());
      pong.set_value(as_string(sig.bytes()));
    }
    call.reply(pong.SerializeAsString());
  });

  services.add("/net.Orchestrator/EndTranscodingSession",
               [&tokens, hooks](std::string bytes, const grpc::ServerCall& call) {
                 net::EndTranscodingSessionRequest request;
                 if (!request.ParseFromString(bytes))
                   return call.finish(grpc::kInternal, "grpc: error unmarshalling request");
                 if (!request.has_auth_token()) return call.finish(grpc::kUnknown, "missing auth token");
                 if (auto why = tokens.check(request.auth_token(), now_unix()); !why.ok())
                   return call.finish(grpc::kUnknown,
                                      why.error().message == "expired" ? "expired auth token" : "invalid auth token");
                 if (hooks.end_session) hooks.end_session(request.auth_token().session_id());
                 call.reply(net::EndTranscodingSessionResponse().SerializeAsString());
               });
}

}  // namespace lp::livepeer
