// go-livepeer's session auth tokens (core/orchestrator.go): OrchestratorInfo.auth_token names a
// fresh session, expires 30 minutes on, and is an HMAC-SHA256, under a key this process makes
// at start, of session_id followed by the expiration's minimal big-endian bytes. A gateway
// echoes it with every segment; like go-livepeer's, tokens do not survive a restart.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "lp_rpc.pb.h"
#include "error.h"

namespace lp::livepeer {

class AuthTokens {
 public:
  static constexpr std::chrono::seconds kValidFor{30 * 60};

  AuthTokens();                                                           // a fresh random key
  explicit AuthTokens(const std::array<uint8_t, 32>& key) : key_(key) {}  // for tests
  // A token for a new session (8 hex digits, as go-livepeer's RandomManifestID), valid from
  // `now_unix` for kValidFor.
  net::AuthToken issue(int64_t now_unix) const;
  // The token for `session_id` expiring at `expiration`.
  net::AuthToken make(const std::string& session_id, int64_t expiration) const;
  // Whether `token` is one of ours and unexpired at `now_unix`; an Unauthorized error's message
  // is go-livepeer's word for why not ("invalid", "expired").
  Result<void> check(const net::AuthToken& token, int64_t now_unix) const;

 private:
  std::array<uint8_t, 32> key_{};
};

}  // namespace lp::livepeer
