// GET /v1/info: round trip, forward compatibility, and an error naming each invalid field.
#include <gtest/gtest.h>

#include "wire/info.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

Info sample_info() {
  Info info;
  info.service_addr = "orch.example.com:8935";
  info.version = "0.1.0";
  info.capabilities = sample_capabilities();
  info.price = {1200, 1};
  info.capacity = {10, 3};
  info.auth_token = sample_token();
  return info;
}

TEST(Info, RoundTrip) {
  const Info info = sample_info();
  auto back = info_from_json(to_json(info));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, info);
  EXPECT_EQ(to_json(*back), to_json(info));
}

// Found while fuzzing (docs/fuzzing.md): json-glib 1.6 recurses once per level of nesting with
// no limit, so 100 KB of "[" from a peer overflowed the stack of whoever parsed it.
TEST(Info, DeeplyNestedJsonIsRefusedNotACrash) {
  EXPECT_TRUE(FailsWith(info_from_json(std::string(200000, '[')), ErrorCode::BadRequest,
                        "invalid JSON: nested deeper than 128 levels"));
  std::string json = to_json(sample_info());
  json.pop_back();  // the closing '}': add an unknown member 129 levels deep
  const std::string deep = json + ",\"future\":" + std::string(128, '[') + std::string(128, ']') + "}";
  EXPECT_TRUE(FailsWith(info_from_json(deep), ErrorCode::BadRequest, "invalid JSON: nested deeper"));
  // 128 levels (the object and 127 inside it) are read; brackets inside strings do not count.
  const std::string ok = json + ",\"future\":" + std::string(127, '[') + std::string(127, ']') + ",\"text\":\"" +
                         std::string(300, '[') + "\\\"{\"}";
  auto parsed = info_from_json(ok);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, sample_info());
}

TEST(Info, RoundTripOfDefaults) {
  Info info;
  info.service_addr = "127.0.0.1:8935";
  info.version = "0";
  info.auth_token = sample_token();
  auto back = info_from_json(to_json(info));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, info);
}

TEST(Info, SignerAndSignatureRoundTripAndKeepTheirCase) {
  Info info = sample_info();
  info.signer = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  info.signature = "0x" + hex_digits(130, 'a');
  const std::string json = to_json(info);
  EXPECT_NE(json.find("\"signer\":\"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\""), std::string::npos) << json;
  auto back = info_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, info);
}

// What the info signature covers, byte for byte (docs/protocol.md).
TEST(Info, SigningTextCoversIdentityTokenAndPriceOnly) {
  Info info = sample_info();
  info.signer = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  const AuthToken t = sample_token();
  EXPECT_EQ(info_signing_text(info), "lpgst-info-v1\norch.example.com:8935\n0.1.0\n" + t.session_id + "\n" +
                                         std::to_string(t.expiry) + "\n" + t.hmac +
                                         "\n1200\n1\n0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  Info busier = info;
  busier.capacity.in_use = 9;  // load changes by the second: not signed
  EXPECT_EQ(info_signing_text(busier), info_signing_text(info));
  Info elsewhere = info;
  elsewhere.service_addr = "evil.example.com:8935";
  EXPECT_NE(info_signing_text(elsewhere), info_signing_text(info));
}

TEST(Info, JsonShape) {
  const std::string json = to_json(sample_info());
  for (const char* part :
       {"\"service_addr\":\"orch.example.com:8935\"", "\"capacity\":{\"max\":10,\"in_use\":3}",
        "\"price\":{\"price_per_unit\":1200,\"pixels_per_unit\":1}", "\"codecs\":[\"H.264\",\"HEVC\"]",
        "{\"kind\":\"nvidia\",\"index\":1,\"name\":\"NVIDIA H100 80GB HBM3\"}",
        "\"auth_token\":{\"session_id\":\"sess-42_a\""}) {
    EXPECT_NE(json.find(part), std::string::npos) << part << " in " << json;
  }
}

TEST(Info, UnknownFieldsAreIgnored) {
  std::string json = to_json(sample_info());
  json = mutate(json, "fee_model", "{\"kind\":\"ticket\"}");
  json = mutate(json, "capacity.reserved", "2");
  json = mutate(json, "capabilities.hardware.1.memory_mb", "81559");
  json = mutate(json, "auth_token.kid", "\"k1\"");
  auto back = info_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample_info());
}

// Found by fuzz_wire_info: json-glib took a raw 0xF0 inside a string, then to_json wrote text
// that no longer parsed. Text that is not UTF-8 is refused, saying where.
TEST(Info, TextThatIsNotUtf8IsRefused) {
  std::string json = to_json(sample_info());
  const size_t at = json.find("P720p");
  ASSERT_NE(at, std::string::npos);
  json[at + 1] = '\xF0';
  auto back = info_from_json(json);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::BadRequest);
  EXPECT_NE(back.error().message.find("not UTF-8 text (byte 0xF0 at offset " + std::to_string(at + 1) + ")"),
            std::string::npos)
      << back.error().message;
}

TEST(Info, OptionalCapabilityFieldsDefault) {
  std::string json = to_json(sample_info());
  for (const char* key : {"max_width", "max_height", "hardware"}) {
    json = mutate(json, std::string("capabilities.") + key, kAbsent);
  }
  json = mutate(json, "capabilities.hardware", "null");  // null reads as absent
  auto back = info_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->capabilities.max_width, 0);
  EXPECT_EQ(back->capabilities.max_height, 0);
  EXPECT_TRUE(back->capabilities.hardware.empty());
  json = mutate(json, "capabilities.hardware", "[{\"kind\":\"cpu\"}]");
  back = info_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->capabilities.hardware, (std::vector<HardwareDevice>{{"cpu", 0, "", "", 0, 0, 0, ""}}));
}

TEST(Info, EachInvalidField) {
  ExpectFieldErrors(
      info_from_json, to_json(sample_info()),
      {FieldCase{"service_addr", kAbsent, "service_addr: required"},
       FieldCase{"service_addr", "\"\"", "service_addr: expected a non-empty string"},
       FieldCase{"version", "1", "version: expected a non-empty string, got 1"},
       FieldCase{"capabilities", kAbsent, "capabilities: required"},
       FieldCase{"capabilities", "[]", "capabilities: expected an object, got []"},
       FieldCase{"capabilities.codecs", kAbsent, "capabilities.codecs: required"},
       FieldCase{"capabilities.codecs", "\"H.264\"", "capabilities.codecs: expected an array"},
       FieldCase{"capabilities.codecs", "[\"H.264\",7]", "capabilities.codecs[1]: expected a non-empty string, got 7"},
       FieldCase{"capabilities.presets", "[\"\"]", "capabilities.presets[0]: expected a non-empty"},
       FieldCase{"capabilities.max_width", "-1", "capabilities.max_width: expected an integer from 0"},
       FieldCase{"capabilities.max_height", "1e3", "capabilities.max_height: expected an integer"},
       FieldCase{"capabilities.hardware", "{}", "capabilities.hardware: expected an array"},
       FieldCase{"capabilities.hardware", "[1]", "capabilities.hardware[0]: expected an object"},
       FieldCase{"capabilities.hardware.1.kind", kAbsent, "capabilities.hardware[1].kind: required"},
       FieldCase{"capabilities.hardware.1.index", "-2",
                 "capabilities.hardware[1].index: expected an integer from 0 to 1023, got -2"},
       FieldCase{"capabilities.hardware.0.name", "false",
                 "capabilities.hardware[0].name: expected a string, got false"},
       FieldCase{"price", kAbsent, "price: required"},
       FieldCase{"price.price_per_unit", "-5", "price.price_per_unit: expected a non-negative integer"},
       FieldCase{"price.pixels_per_unit", "0", "price.pixels_per_unit: expected a positive integer"},
       FieldCase{"capacity", "7", "capacity: expected an object, got 7"},
       FieldCase{"capacity.max", "-1", "capacity.max: expected a non-negative integer, got -1"},
       FieldCase{"capacity.max", "3000000000", "capacity.max: expected a non-negative integer"},
       FieldCase{"capacity.in_use", kAbsent, "capacity.in_use: required"},
       FieldCase{"capacity.in_use", "\"3\"", "capacity.in_use: expected a non-negative integer"},
       FieldCase{"auth_token", kAbsent, "auth_token: required"},
       FieldCase{"auth_token.expiry", "true", "auth_token.expiry: expected a non-negative integer"},
       FieldCase{"auth_token.hmac", "\"zz\"", "auth_token.hmac: expected 64 hex digits"}});
}

}  // namespace
}  // namespace lp::wire
