// Error bodies: the code -> HTTP status table, names both ways, JSON round trip.
#include <gtest/gtest.h>

#include "wire/error_body.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

struct StatusRow {
  ErrorCode code;
  const char* name;
  int status;
};

// Every ErrorCode. A new code must be added here (and to error_body.cpp's list).
constexpr StatusRow kTable[] = {
    {ErrorCode::BadRequest, "bad_request", 400},
    {ErrorCode::InvalidProfile, "invalid_profile", 400},
    {ErrorCode::UnknownProfile, "unknown_profile", 400},
    {ErrorCode::BadKey, "bad_key", 400},
    {ErrorCode::Unauthorized, "unauthorized", 401},
    {ErrorCode::BadSignature, "bad_signature", 403},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::TooLarge, "too_large", 413},
    {ErrorCode::Unsupported, "unsupported", 415},
    {ErrorCode::BadSegment, "bad_segment", 422},
    {ErrorCode::HashMismatch, "hash_mismatch", 422},
    {ErrorCode::Internal, "internal", 500},
    {ErrorCode::Unreachable, "unreachable", 502},
    {ErrorCode::VerificationFailed, "verification_failed", 502},
    {ErrorCode::Busy, "busy", 503},
    {ErrorCode::NoTranscoder, "no_transcoder", 503},
    {ErrorCode::Timeout, "timeout", 504},
};

TEST(ErrorBody, StatusAndNameOfEveryCode) {
  for (const auto& row : kTable) {
    EXPECT_EQ(http_status(row.code), row.status) << row.name;
    EXPECT_STREQ(error_code_name(row.code), row.name);
    EXPECT_EQ(error_code_from_name(row.name), row.code) << row.name;
  }
  EXPECT_EQ(error_code_from_name("no_such_code"), std::nullopt);
  EXPECT_EQ(error_code_from_name("Busy"), std::nullopt);  // names are exact
}

TEST(ErrorBody, JsonShapeAndRoundTrip) {
  const ErrorBody body = error_body(Error{ErrorCode::Busy, "at capacity (10 of 10 sessions)"});
  EXPECT_EQ(body.code, "busy");
  const std::string json = to_json(body);
  EXPECT_EQ(json, "{\"error\":{\"code\":\"busy\",\"message\":\"at capacity (10 of 10 sessions)\"}}");
  auto back = error_body_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, body);
  const Error e = to_error(*back);
  EXPECT_EQ(e.code, ErrorCode::Busy);
  EXPECT_EQ(e.message, body.message);
}

TEST(ErrorBody, EmptyOrAbsentMessageAndUnknownFieldsAreFine) {
  for (const char* json : {"{\"error\":{\"code\":\"timeout\",\"message\":\"\",\"retry_after\":2},"
                           "\"request_id\":\"x\"}",
                           "{\"error\":{\"code\":\"timeout\"}}"}) {
    auto back = error_body_from_json(json);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, (ErrorBody{"timeout", ""}));
  }
}

TEST(ErrorBody, UnknownCodesSurviveAsText) {
  auto back = error_body_from_json("{\"error\":{\"code\":\"quota_exceeded\",\"message\":\"m\"}}");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->code, "quota_exceeded");
  const Error e = to_error(*back);
  EXPECT_EQ(e.code, ErrorCode::Internal);
  EXPECT_EQ(e.message, "quota_exceeded: m");
}

TEST(ErrorBody, EachInvalidField) {
  ExpectFieldErrors(error_body_from_json, to_json(ErrorBody{"bad_segment", "no video"}),
                    {FieldCase{"error", kAbsent, "error: required"},
                     FieldCase{"error", "\"busy\"", "error: expected an object, got \"busy\""},
                     FieldCase{"error.code", kAbsent, "error.code: required"},
                     FieldCase{"error.code", "\"\"", "error.code: expected a non-empty string"},
                     FieldCase{"error.code", "503", "error.code: expected a non-empty string"},
                     FieldCase{"error.message", "{}", "error.message: expected a string"}});
}

}  // namespace
}  // namespace lp::wire
