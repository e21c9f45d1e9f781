// Auth tokens: issue/verify (expiry, tampering, wrong secret), their JSON and header forms,
// and the constant-time compare.
#include <gtest/gtest.h>

#include "wire/auth_token.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

// HMAC-SHA256(kSecret, "lpgst-auth-v1:sess-42_a:1767225600"), from Python's hmac module.
constexpr const char* kSampleHmac = "09ba79ab291f09e791c8c5b8b4af9f8f45be42197079aeb62f3bcd43517a703c";

TEST(AuthToken, IssueMatchesAnIndependentHmac) {
  const AuthToken t = sample_token();
  EXPECT_EQ(t.session_id, "sess-42_a");
  EXPECT_EQ(t.expiry, kExpiry);
  EXPECT_EQ(t.hmac, kSampleHmac);
}

TEST(AuthToken, VerifiesBeforeExpiry) {
  EXPECT_TRUE(verify_token(kSecret, sample_token(), kExpiry - 1).ok());
  EXPECT_TRUE(verify_token(kSecret, sample_token(), 0).ok());
}

TEST(AuthToken, ExpiredAtItsExpiry) {
  for (int64_t now : {kExpiry, kExpiry + 3600}) {
    const auto err = verify_token(kSecret, sample_token(), now);
    ASSERT_FALSE(err.ok());
    EXPECT_EQ(err.error().code, ErrorCode::Unauthorized);
    EXPECT_EQ(err.error().message.rfind("auth token: expired at 1767225600", 0), 0u) << err.error().message;
  }
}

TEST(AuthToken, TamperedTokensFail) {
  AuthToken other_session = sample_token();
  other_session.session_id = "sess-43_a";
  AuthToken later = sample_token();
  later.expiry += 86400;  // the obvious attack: push the expiry out
  AuthToken flipped = sample_token();
  flipped.hmac[10] = flipped.hmac[10] == '0' ? '1' : '0';
  AuthToken truncated = sample_token();
  truncated.hmac.pop_back();
  for (const AuthToken& t : {other_session, later, flipped, truncated}) {
    const auto err = verify_token(kSecret, t, kExpiry - 10);
    ASSERT_FALSE(err.ok()) << to_json(t);
    EXPECT_EQ(err.error().code, ErrorCode::Unauthorized);
    EXPECT_EQ(err.error().message.rfind("auth token: bad signature", 0), 0u) << err.error().message;
  }
}

TEST(AuthToken, WrongSecretFails) {
  const auto err = verify_token("another-secret", sample_token(), kExpiry - 10);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().code, ErrorCode::Unauthorized);
  EXPECT_FALSE(verify_token("", sample_token(), kExpiry - 10).ok());
}

TEST(AuthToken, IssueRefusesEmptySecretAndBadSessionIds) {
  EXPECT_TRUE(FailsWith(issue_token("", "s", kExpiry), ErrorCode::Internal, "auth token: empty secret"));
  for (const char* id : {"", "has space", "dot.ted", "slash/", "\xc3\xa9t\xc3\xa9",
                         "x123456789012345678901234567890123456789012345678901234567890abcd"}) {
    EXPECT_TRUE(FailsWith(issue_token(kSecret, id, kExpiry), ErrorCode::Internal, "auth token: session id")) << id;
  }
  EXPECT_TRUE(issue_token(kSecret, std::string(64, 'a'), kExpiry).ok());
}

TEST(AuthToken, JsonRoundTrip) {
  const AuthToken t = sample_token();
  const std::string json = to_json(t);
  EXPECT_EQ(json, std::string("{\"session_id\":\"sess-42_a\",\"expiry\":1767225600,\"hmac\":\"") + kSampleHmac + "\"}");
  auto back = auth_token_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, t);
}

TEST(AuthToken, JsonAcceptsUpperCaseHmacAndUnknownFields) {
  std::string upper = kSampleHmac;
  for (char& c : upper) c = g_ascii_toupper(c);
  auto json = mutate(mutate(to_json(sample_token()), "hmac", "\"" + upper + "\""), "kid", "7");
  auto back = auth_token_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample_token());
  EXPECT_TRUE(verify_token(kSecret, *back, kExpiry - 1).ok());
}

TEST(AuthToken, EachInvalidField) {
  ExpectFieldErrors(
      auth_token_from_json, to_json(sample_token()),
      {FieldCase{"session_id", kAbsent, "session_id: required"},
       FieldCase{"session_id", "\"\"", "session_id: expected a non-empty string"},
       FieldCase{"session_id", "42", "session_id: expected a non-empty string, got 42"},
       FieldCase{"session_id", "\"a b\"", "session_id: expected 1-64 of"},
       FieldCase{"expiry", kAbsent, "expiry: required"},
       FieldCase{"expiry", "-1", "expiry: expected a non-negative integer, got -1"},
       FieldCase{"expiry", "\"1767225600\"", "expiry: expected a non-negative integer"},
       FieldCase{"expiry", "1.5", "expiry: expected a non-negative integer"},
       FieldCase{"hmac", kAbsent, "hmac: required"}, FieldCase{"hmac", "\"abc\"", "hmac: expected 64 hex digits"},
       FieldCase{"hmac", "\"0x09ba79ab291f09e791c8c5b8b4af9f8f45be42197079aeb62f3bcd43517a70\"",
                 "hmac: expected 64 hex digits"},
       FieldCase{"hmac", "[]", "hmac: expected a non-empty string, got []"}});
}

TEST(AuthToken, JsonRejectsNonObjects) {
  EXPECT_TRUE(FailsWith(auth_token_from_json("[1]"), ErrorCode::BadRequest, "expected a JSON object, got [1]"));
  EXPECT_TRUE(FailsWith(auth_token_from_json("{"), ErrorCode::BadRequest, "invalid JSON: "));
  EXPECT_TRUE(FailsWith(auth_token_from_json(""), ErrorCode::BadRequest, "expected a JSON object"));
}

TEST(AuthToken, HeaderValueRoundTrip) {
  const AuthToken t = sample_token();
  EXPECT_EQ(to_header_value(t), std::string("sess-42_a.1767225600.") + kSampleHmac);
  auto back = auth_token_from_header_value(to_header_value(t));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, t);
}

TEST(AuthToken, BadHeaderValuesAreUnauthorized) {
  const std::string h = kSampleHmac;
  const std::pair<std::string, const char*> cases[] = {
      {"", "auth token: expected <session_id>.<expiry>.<hmac>"},
      {"sess." + h, "auth token: expected <session_id>.<expiry>.<hmac>"},
      {".1." + h, "auth token: session id"},
      {"a b.1." + h, "auth token: session id"},
      {"s..1." + h, "auth token: expiry"},
      {"s.." + h, "auth token: expiry"},
      {"s.-1." + h, "auth token: expiry"},
      {"s.+1." + h, "auth token: expiry"},
      {"s.1x." + h, "auth token: expiry"},
      {"s.99999999999999999999." + h, "auth token: expiry"},
      {"s.1." + h.substr(1), "auth token: hmac"},
      {"s.1.", "auth token: hmac"},
      {"s.1." + hex_digits(64, 'g'), "auth token: hmac"},
  };
  for (const auto& [value, message] : cases) {
    EXPECT_TRUE(FailsWith(auth_token_from_header_value(value), ErrorCode::Unauthorized, message)) << value;
  }
}

TEST(ConstantTimeEqual, ComparesContents) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(kSampleHmac, kSampleHmac));
  EXPECT_FALSE(constant_time_equal("abcd", "abce"));
  EXPECT_FALSE(constant_time_equal("bbcd", "abcd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("abcd", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  // A shorter input that matches as far as it goes, then NUL: still different.
  EXPECT_FALSE(constant_time_equal(std::string_view("ab\0", 3), "ab"));
}

}  // namespace
}  // namespace lp::wire
