// GET /v1/info: what an orchestrator offers and the token that POST /v1/segment requires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "error.h"
#include "wire/auth_token.h"
#include "wire/capabilities.h"

namespace lp::wire {

// Placeholders until fees land; named and typed as go-livepeer's PriceInfo (wei per
// pixels_per_unit pixels).
struct Price {
  int64_t price_per_unit = 0;
  int64_t pixels_per_unit = 1;

  bool operator==(const Price&) const = default;
};

// Sessions (concurrent segments) the orchestrator takes and has running. in_use may briefly
// exceed max when a transcoder leaves, so it is not checked against it.
struct Capacity {
  int max = 0;
  int in_use = 0;

  bool operator==(const Capacity&) const = default;
};

struct Info {
  std::string service_addr;  // where to POST segments, as --service-addr gives it (host:port)
  std::string version;       // lpgst's version ("0.1.0")
  Capabilities capabilities;
  Price price;
  Capacity capacity;
  AuthToken auth_token;
  // The orchestrator's 0x address (EIP-55) and its personal_sign over info_signing_text():
  // who the client is talking to. Both "" when the node signs nothing.
  std::string signer;
  std::string signature;

  bool operator==(const Info&) const = default;
};

// {"service_addr":"...","version":"...","capabilities":{...},"price":{...},
//  "capacity":{"max":10,"in_use":3},"auth_token":{...},"signer":"0x...","signature":"0x..."};
// all members but signer and signature required.
std::string to_json(const Info& info);

// The exact text the info signature covers (docs/protocol.md, "What is signed"):
//   "lpgst-info-v1\n" + service_addr + "\n" + version + "\n" + session_id + "\n" +
//   decimal(expiry) + "\n" + hmac + "\n" + decimal(price_per_unit) + "\n" +
//   decimal(pixels_per_unit) + "\n" + signer
// Capabilities and capacity change from second to second and are not covered; the token
// and its expiry make a signed info fresh and bind it to that token.
std::string info_signing_text(const Info& info);
Result<Info> info_from_json(std::string_view text);

}  // namespace lp::wire
