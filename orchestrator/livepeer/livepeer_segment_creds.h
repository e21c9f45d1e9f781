// The headers of a go-livepeer gateway's POST /segment, checked in go-livepeer's order
// (server/segment_rpc.go processPaymentAndSegmentHeaders, verifySegCreds) before any body is
// read: Livepeer-Payment (402 when it does not parse), then Livepeer-Segment (403): base64 and
// protobuf, the profiles and duration, the gateway's signature when it names itself, our
// capabilities, the auth token, and capacity. Refusal texts are go-livepeer's, since gateways
// match some of them (OrchestratorCapped).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "address.h"
#include "livepeer_auth_tokens.h"
#include "lp_rpc.pb.h"
#include "profile.h"

namespace lp::livepeer {

struct SegmentCreds {
  net::SegData segment;
  net::Payment payment;
  std::vector<Profile> profiles;  // from fullProfiles3, 2 or 1
  std::vector<net::VideoProfile> net_profiles;
  int64_t duration_ms = 2000;
  std::optional<eth::Address> sender;  // from the payment; none offchain
  // On chain: the refreshed price and ticket params the answer's OrchestratorInfo carries
  // (ServeSegment's orchestratorInfo call, made before the body is used).
  std::optional<net::PriceInfo> price_info;
  std::optional<net::TicketParams> ticket_params;
};

struct Refusal {
  int status = 403;
  std::string message;
};

struct CredsContext {
  const AuthTokens* tokens = nullptr;
  net::Capabilities capabilities;  // ours
  int64_t now_unix = 0;
  // go-livepeer's CheckCapacity(session): true when a new session cannot start.
  std::function<bool(const std::string& session_id)> capped;
  // On chain every segment must be signed by the payment's sender (go-livepeer's onchain
  // VerifySig fails for a zero sender); offchain an unnamed sender is not checked.
  bool onchain = false;
};

std::variant<SegmentCreds, Refusal> check_segment_headers(const std::string& payment_header,
                                                          const std::string& segment_header,
                                                          const CredsContext& context);

// What a gateway signs for a segment (core/streamdata.go Flatten): manifestId, the sequence
// number as a 32-byte big-endian word, the body's keccak-256, then the hex text of the first 4
// bytes of keccak-256 of each profile's name. The signature is personal_sign over its keccak-256.
std::string flatten_segment(const net::SegData& segment, const std::vector<net::VideoProfile>& profiles);

// go-livepeer's profiles for a segment: fullProfiles3, else fullProfiles2, else fullProfiles.
std::vector<net::VideoProfile> segment_profiles(const net::SegData& segment);

}  // namespace lp::livepeer
