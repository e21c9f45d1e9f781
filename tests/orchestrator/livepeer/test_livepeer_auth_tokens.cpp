// go-livepeer's auth tokens: HMAC-SHA256(key, session_id ‖ big-endian minimal expiration),
// checked here against GLib's HMAC as an independent computation.
#include <gtest/gtest.h>
#include <glib.h>

#include "livepeer_auth_tokens.h"

namespace lp::livepeer {
namespace {

// The refusal reason, or "" when the token checks.
std::string refusal(const Result<void>& checked) { return checked.ok() ? "" : checked.error().message; }

using namespace std::string_literals;

std::array<uint8_t, 32> test_key() {
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 3 + 1);
  return key;
}

std::string glib_hmac(const std::array<uint8_t, 32>& key, const std::string& message) {
  g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256, key.data(), key.size());
  g_hmac_update(hmac, reinterpret_cast<const guchar*>(message.data()), static_cast<gssize>(message.size()));
  guint8 digest[32];
  gsize size = sizeof digest;
  g_hmac_get_digest(hmac, digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

TEST(LivepeerAuthTokens, TokenIsTheHmacOfSessionAndMinimalExpirationBytes) {
  AuthTokens tokens(test_key());
  // 1700000000 = 0x6553F100: four bytes, no leading zero.
  net::AuthToken t = tokens.make("a1b2c3d4", 1700000000);
  EXPECT_EQ(t.session_id(), "a1b2c3d4");
  EXPECT_EQ(t.expiration(), 1700000000);
  EXPECT_EQ(t.token(), glib_hmac(test_key(), std::string("a1b2c3d4") + "\x65\x53\xF1\x00"s));
  // 255 is one byte; 0 is none (Go's big.Int.Bytes()).
  EXPECT_EQ(tokens.make("s", 255).token(), glib_hmac(test_key(), "s\xff"));
  EXPECT_EQ(tokens.make("s", 0).token(), glib_hmac(test_key(), "s"));
}

TEST(LivepeerAuthTokens, IssuedTokensCheckAndTamperedOrExpiredOnesDoNot) {
  AuthTokens tokens;
  const int64_t now = 1800000000;
  net::AuthToken t = tokens.issue(now);
  EXPECT_EQ(t.expiration(), now + 1800);
  EXPECT_EQ(t.session_id().size(), 8u);
  EXPECT_TRUE(tokens.check(t, now).ok());
  EXPECT_TRUE(tokens.check(t, now + 1800).ok());
  EXPECT_EQ(refusal(tokens.check(t, now + 1801)), "expired");
  net::AuthToken other_session = t;
  other_session.set_session_id("00000000");
  EXPECT_EQ(refusal(tokens.check(other_session, now)), "invalid");
  net::AuthToken short_token = t;
  short_token.set_token(t.token().substr(0, 16));
  EXPECT_EQ(refusal(tokens.check(short_token, now)), "invalid");
  // Another process's key (a restart) does not accept it.
  EXPECT_EQ(refusal(AuthTokens().check(t, now)), "invalid");
}

}  // namespace
}  // namespace lp::livepeer
