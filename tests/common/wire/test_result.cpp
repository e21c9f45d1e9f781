// Transcode results: round trip (unsigned and signed), forward compatibility, invalid fields.
#include <gtest/gtest.h>

#include "wire/result.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

TranscodeResult sample_result() {
  TranscodeResult r;
  r.renditions = {
      {"P720p30fps16x9", "http://orch:8935/v1/results/abc/0", 1048576, 60, 55296000, hex_digits(64, 'a')},
      {"low", "", 0, 0, 0, hex_digits(64, '0')},
  };
  return r;
}

TranscodeResult signed_result() {
  TranscodeResult r = sample_result();
  r.signature = "0x" + hex_digits(128, 'b') + "1c";
  r.signer = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  return r;
}

TEST(TranscodeResult, RoundTripUnsigned) {
  const TranscodeResult r = sample_result();
  const std::string json = to_json(r);
  EXPECT_NE(json.find("\"signature\":\"\",\"signer\":\"\""), std::string::npos) << json;
  auto back = transcode_result_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, r);
}

TEST(TranscodeResult, RoundTripSigned) {
  const TranscodeResult r = signed_result();
  auto back = transcode_result_from_json(to_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, r);
}

TEST(TranscodeResult, HexIsNormalisedButTheSignerKeepsItsChecksumCase) {
  std::string json = to_json(signed_result());
  json = mutate(json, "renditions.0.sha256", "\"" + hex_digits(64, 'A') + "\"");
  json = mutate(json, "signature", "\"0x" + hex_digits(128, 'B') + "1C\"");
  auto back = transcode_result_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, signed_result());
}

TEST(TranscodeResult, WritersLowerCaseHexButNotTheSigner) {
  TranscodeResult r = signed_result();
  r.renditions[0].sha256 = hex_digits(64, 'A');
  r.signature = "0x" + hex_digits(128, 'B') + "1C";
  const std::string json = to_json(r);
  EXPECT_NE(json.find(hex_digits(64, 'a')), std::string::npos) << json;
  EXPECT_NE(json.find("\"0x" + hex_digits(128, 'b') + "1c\""), std::string::npos) << json;
  EXPECT_NE(json.find(signed_result().signer), std::string::npos) << json;
}

TEST(TranscodeResult, UnknownAndOptionalFields) {
  std::string json = to_json(signed_result());
  json = mutate(json, "renditions.0.duration_ms", "2000");
  json = mutate(json, "renditions.1.url", kAbsent);
  json = mutate(json, "signature", kAbsent);
  json = mutate(json, "signer", "null");
  json = mutate(json, "ticket", "{}");
  auto back = transcode_result_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample_result());
}

TEST(TranscodeResult, EachInvalidField) {
  ExpectFieldErrors(
      transcode_result_from_json, to_json(signed_result()),
      {FieldCase{"renditions", kAbsent, "renditions: required"},
       FieldCase{"renditions", "[]", "renditions: expected a non-empty array"},
       FieldCase{"renditions", "{}", "renditions: expected an array, got {}"},
       FieldCase{"renditions", "[\"x\"]", "renditions[0]: expected an object, got \"x\""},
       FieldCase{"renditions.1.name", kAbsent, "renditions[1].name: required"},
       FieldCase{"renditions.1.name", "\"\"", "renditions[1].name: expected a non-empty string"},
       FieldCase{"renditions.0.url", "3", "renditions[0].url: expected a string, got 3"},
       FieldCase{"renditions.0.bytes", "-1", "renditions[0].bytes: expected a non-negative integer"},
       FieldCase{"renditions.0.bytes", kAbsent, "renditions[0].bytes: required"},
       FieldCase{"renditions.0.frames", "2.5", "renditions[0].frames: expected a non-negative"},
       FieldCase{"renditions.0.pixels", "\"9\"", "renditions[0].pixels: expected a non-negative"},
       FieldCase{"renditions.0.sha256", kAbsent, "renditions[0].sha256: required"},
       FieldCase{"renditions.0.sha256", "\"abc\"", "renditions[0].sha256: expected 64 hex digits"},
       FieldCase{"signature", "\"0x1234\"", "signature: expected 0x and 130 hex digits"},
       FieldCase{"signature", "7", "signature: expected a string, got 7"},
       FieldCase{"signer", "\"2c7536E3605D9C16a7a3D7b1898e529396a65c23\"", "signer: expected 0x and 40 hex digits"},
       FieldCase{"signer", "\"0x2c7536E3605D9C16a7a3D7b1898e529396a65cZZ\"", "signer: expected 0x and 40 hex digits"}});
}

}  // namespace
}  // namespace lp::wire
