#include "wire/auth_token.h"

#include <glib.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "wire/json_fields.h"

namespace lp::wire {
namespace {

constexpr size_t kMaxSessionId = 64;
constexpr size_t kHmacHexDigits = 64;  // SHA-256

// The charset keeps the id safe inside a header value, a URL and the "." separated form.
bool valid_session_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionId) return false;
  for (char c : id) {
    if (!g_ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string mac_hex(std::string_view secret, std::string_view session_id, int64_t expiry) {
  const std::string message = "lpgst-auth-v1:" + std::string(session_id) + ":" + std::to_string(expiry);
  g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(secret.data()), secret.size());
  g_hmac_update(hmac, reinterpret_cast<const guchar*>(message.data()), static_cast<gssize>(message.size()));
  return g_hmac_get_string(hmac);  // lower-case hex, owned by the GHmac
}

Error unauthorized(std::string message) { return Error{ErrorCode::Unauthorized, "auth token: " + std::move(message)}; }

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Walk the longer input whole and fold every difference in: no early exit on a mismatch.
  const size_t n = std::max(a.size(), b.size());
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = diff | static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Result<AuthToken> issue_token(std::string_view secret, std::string_view session_id, int64_t expiry) {
  if (secret.empty()) return Error{ErrorCode::Internal, "auth token: empty secret"};
  if (!valid_session_id(session_id)) {
    return Error{ErrorCode::Internal,
                 "auth token: session id must be 1-64 of A-Z a-z 0-9 _ -, got \"" + std::string(session_id) + "\""};
  }
  return AuthToken{std::string(session_id), expiry, mac_hex(secret, session_id, expiry)};
}

Result<void> verify_token(std::string_view secret, const AuthToken& token, int64_t now) {
  if (secret.empty()) return unauthorized("no secret to check it with");
  // The MAC first, so "expired" is only ever said of a token we really issued.
  if (!constant_time_equal(mac_hex(secret, token.session_id, token.expiry), token.hmac)) {
    return unauthorized("bad signature (not issued by this orchestrator, or altered)");
  }
  if (now >= token.expiry) {
    return unauthorized("expired at " + std::to_string(token.expiry) + " (now " + std::to_string(now) + ")");
  }
  return {};
}

namespace json {
namespace {

template <typename Io, typename Self>
void map_token(Io& io, Self& t) {
  io.string("session_id", t.session_id);
  io.check("session_id", valid_session_id(t.session_id), "expected 1-64 of A-Z a-z 0-9 _ -");
  io.integer("expiry", t.expiry, 0, std::numeric_limits<int64_t>::max());
  io.hex("hmac", t.hmac, kHmacHexDigits, Hex::Bare);
}

}  // namespace

void describe(Reader& io, AuthToken& token) { map_token(io, token); }
void describe(Writer& io, const AuthToken& token) { map_token(io, token); }

}  // namespace json

std::string to_json(const AuthToken& token) { return json::write(token); }

Result<AuthToken> auth_token_from_json(std::string_view text) { return json::parse<AuthToken>(text); }

std::string to_header_value(const AuthToken& token) {
  return token.session_id + "." + std::to_string(token.expiry) + "." + token.hmac;
}

Result<AuthToken> auth_token_from_header_value(std::string_view value) {
  const auto first = value.find('.');
  const auto last = value.rfind('.');
  if (first == std::string_view::npos || first == last) {
    return unauthorized("expected <session_id>.<expiry>.<hmac>");
  }
  AuthToken token;
  token.session_id = std::string(value.substr(0, first));
  if (!valid_session_id(token.session_id)) {
    return unauthorized("session id: expected 1-64 of A-Z a-z 0-9 _ -");
  }
  const std::string_view expiry = value.substr(first + 1, last - first - 1);
  const auto [end, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), token.expiry);
  if (ec != std::errc() || end != expiry.data() + expiry.size() || expiry.empty() || token.expiry < 0) {
    return unauthorized("expiry: expected unix seconds, got \"" + std::string(expiry) + "\"");
  }
  auto hex = json::normalize_hex(value.substr(last + 1), kHmacHexDigits, false);
  if (!hex) return unauthorized("hmac: expected 64 hex digits (HMAC-SHA256)");
  token.hmac = std::move(*hex);
  return token;
}

}  // namespace lp::wire
