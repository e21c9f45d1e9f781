#include "livepeer_segment_creds.h"

#include "eth_key.h"
#include "go_base64.h"
#include "hex.h"
#include "keccak.h"
#include "livepeer_capabilities.h"
#include "livepeer_profiles.h"

namespace lp::livepeer {
namespace {

constexpr int64_t kMaxDurationMs = 5 * 60 * 1000;  // go-livepeer's common.MaxDuration

Refusal forbidden(std::string message) { return Refusal{403, std::move(message)}; }

}  // namespace

std::vector<net::VideoProfile> segment_profiles(const net::SegData& segment) {
  const auto& chosen = segment.fullprofiles3_size() > 0   ? segment.fullprofiles3()
                       : segment.fullprofiles2_size() > 0 ? segment.fullprofiles2()
                                                          : segment.fullprofiles();
  return {chosen.begin(), chosen.end()};
}

std::string flatten_segment(const net::SegData& segment, const std::vector<net::VideoProfile>& profiles) {
  std::string flat = segment.manifestid();
  std::string seq(32, '\0');
  auto v = static_cast<uint64_t>(segment.seq());
  for (int i = 31; i >= 24; --i, v >>= 8) seq[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  flat += seq;
  flat += segment.hash();
  std::string names;
  for (const auto& p : profiles) {
    const eth::Digest d = eth::keccak256(p.name());
    names.append(reinterpret_cast<const char*>(d.data()), 4);
  }
  flat += eth::to_hex(std::span(reinterpret_cast<const uint8_t*>(names.data()), names.size()));
  return flat;
}

std::variant<SegmentCreds, Refusal> check_segment_headers(const std::string& payment_header,
                                                          const std::string& segment_header,
                                                          const CredsContext& context) {
  SegmentCreds creds;
  // 1. The payment (402). Offchain gateways send an empty one.
  auto payment = go_base64_decode(payment_header);
  if (!payment) return Refusal{402, payment.error().message};
  if (!creds.payment.ParseFromString(*payment)) return Refusal{402, "protobuf unmarshal error"};
  if (creds.payment.sender().size() == 20) {
    eth::Address a;
    std::copy(creds.payment.sender().begin(), creds.payment.sender().end(), a.bytes.begin());
    if (a.bytes != eth::Address{}.bytes) creds.sender = a;
  }
  // 2. The segment (403), in verifySegCreds' order.
  auto segment = go_base64_decode(segment_header);
  if (!segment) return forbidden("ErrorSegEncoding");
  if (!creds.segment.ParseFromString(*segment)) return forbidden("proto: cannot parse invalid wire-format data");
  const net::SegData& seg = creds.segment;
  creds.net_profiles = segment_profiles(seg);
  auto profiles = profiles_from_segment(seg);
  if (!profiles) return forbidden(profiles.error().message);
  if (profiles->empty()) return forbidden("no profiles");
  creds.profiles = std::move(*profiles);
  if (seg.duration() < 0 || seg.duration() > kMaxDurationMs) return forbidden("invalid duration");
  creds.duration_ms = seg.duration() == 0 ? 2000 : seg.duration();
  if (context.onchain && !creds.sender) return forbidden("ErrSegSig");
  if (creds.sender) {
    // VerifySig: the gateway's personal_sign over keccak256(Flatten()).
    auto sig =
        eth::Signature::from_bytes(std::span(reinterpret_cast<const uint8_t*>(seg.sig().data()), seg.sig().size()));
    const std::string flat = flatten_segment(seg, creds.net_profiles);
    if (!sig || !eth::verify_personal(eth::keccak256(flat), *sig, *creds.sender)) return forbidden("ErrSegSig");
  }
  if (incompatible(seg.capabilities(), context.capabilities)) return forbidden("incompatible capabilities");
  if (!seg.has_auth_token()) return forbidden("missing auth token");
  if (auto why = context.tokens->check(seg.auth_token(), context.now_unix); !why.ok())
    return forbidden(why.error().message == "expired" ? "expired auth token" : "invalid auth token");
  if (context.capped && context.capped(seg.auth_token().session_id())) return forbidden("OrchestratorCapped");
  return creds;
}

}  // namespace lp::livepeer
