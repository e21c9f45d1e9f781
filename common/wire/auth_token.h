// The auth token an orchestrator hands out in GET /v1/info and requires on POST /v1/segment,
// modelled on go-livepeer's AuthToken (session id + expiration + MAC). Stateless: any
// process holding the secret can check a token, so no session table is needed to verify.
//
//   hmac = hex(HMAC-SHA256(secret, "lpgst-auth-v1:" + session_id + ":" + decimal(expiry)))
//
// The "lpgst-auth-v1" tag keeps these MACs apart from anything else the same secret signs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "error.h"
#include "wire/json_fwd.h"

namespace lp::wire {

struct AuthToken {
  std::string session_id;  // 1-64 of [A-Za-z0-9_-]
  int64_t expiry = 0;      // unix seconds; the token is valid while now < expiry
  std::string hmac;        // 64 lower-case hex digits

  bool operator==(const AuthToken&) const = default;
};

// A signed token. Errors (Internal) for an empty secret or a session id outside the charset.
Result<AuthToken> issue_token(std::string_view secret, std::string_view session_id, int64_t expiry);

// Success when `token` was issued with `secret` and `now` (unix seconds) is before its expiry;
// otherwise an Unauthorized error that says which (bad MAC, expired).
Result<void> verify_token(std::string_view secret, const AuthToken& token, int64_t now);

// JSON: {"session_id":"...","expiry":1767225600,"hmac":"..."}
std::string to_json(const AuthToken& token);
Result<AuthToken> auth_token_from_json(std::string_view text);

// Header form, one token per header value: "<session_id>.<expiry>.<hmac>". Errors are
// Unauthorized: a request with a mangled token is refused like one without.
std::string to_header_value(const AuthToken& token);
Result<AuthToken> auth_token_from_header_value(std::string_view value);

// Equal contents, in time that depends on the lengths only (not on where they differ).
// For MACs and for the transcoder's shared secret.
bool constant_time_equal(std::string_view a, std::string_view b);

// For messages that embed a token (see json_fields.h).
namespace json {
void describe(Reader& io, AuthToken& token);
void describe(Writer& io, const AuthToken& token);
}  // namespace json

}  // namespace lp::wire
