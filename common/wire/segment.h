// The metadata of POST /v1/segment, carried in request headers (the body is the segment
// itself). A plain name -> value map stands in for SoupMessageHeaders so this layer has no
// libsoup dependency; names are looked up case-insensitively, as HTTP requires.
//
// Body hash: SHA-256, not Keccak-256. The orchestrator must hash every body before dispatch
// and has a budget of ~1 ms CPU per segment: OpenSSL's SHA-256 runs at ~1.6 GB/s here (SHA-NI)
// against ~80 MB/s for our Keccak (common/identity/keccak.cpp), 20x slower. Keccak stays
// where Ethereum needs it: signatures hash renditions with it (docs/identity.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "profile.h"
#include "wire/auth_token.h"

namespace lp::wire {

using HeaderMap = std::map<std::string, std::string>;

namespace header {
inline constexpr const char* kStreamId = "Lp-Stream-Id";      // manifest id
inline constexpr const char* kSeq = "Lp-Seq";                 // segment number in the stream
inline constexpr const char* kDurationMs = "Lp-Duration-Ms";  // media duration
inline constexpr const char* kProfiles = "Lp-Profiles";       // JSON array of profiles
inline constexpr const char* kBodySha256 = "Lp-Body-Sha256";  // hex SHA-256 of the body
inline constexpr const char* kAuthToken = "Lp-Auth-Token";    // <session>.<expiry>.<hmac>
inline constexpr const char* kSignature = "Lp-Signature";     // optional, 0x + 130 hex
inline constexpr const char* kSigner = "Lp-Signer";           // with Lp-Signature: 0x address
}  // namespace header

struct SegmentHeaders {
  std::string stream_id;  // 1-128 of A-Z a-z 0-9 . _ ~ - (it ends up in result URLs)
  int64_t seq = 0;
  int64_t duration_ms = 0;        // 1 ms to 1 h
  std::vector<Profile> profiles;  // at least one, go-livepeer JSON objects
  std::string body_sha256;        // 64 lower-case hex digits
  AuthToken auth_token;
  // The sender's personal_sign over segment_signing_text(), "0x" + 130 hex digits, and its
  // 0x address; both or neither ("").
  std::string signature;
  std::string signer;
};

// The exact text a client signature covers (docs/protocol.md, "What is signed"):
//   "lpgst-segment-v1\n" + stream_id + "\n" + decimal(seq) + "\n" + decimal(duration_ms) +
//   "\n" + body_sha256 + "\n" + profiles
// where profiles is the canonical JSON array of the profiles (profile_to_json, joined by ","),
// so the signature does not depend on how the header spelled them.
std::string segment_signing_text(const SegmentHeaders& segment);

// Adds (or replaces) the headers above in `headers`; other entries are left alone.
void write_headers(const SegmentHeaders& segment, HeaderMap& headers);

// Reads them back; other headers are ignored. The token is checked first, so a request
// without a usable one is refused as Unauthorized whatever else is wrong; the other errors
// are BadRequest (InvalidProfile/UnknownProfile for profiles), each naming the header.
Result<SegmentHeaders> segment_from_headers(const HeaderMap& headers);

}  // namespace lp::wire
