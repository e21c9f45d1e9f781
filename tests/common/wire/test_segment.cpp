// POST /v1/segment headers: map round trip, case-insensitive names, and each bad header.
#include <gtest/gtest.h>

#include "wire/segment.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

SegmentHeaders sample_segment() {
  SegmentHeaders s;
  s.stream_id = "stream_1.main~x-y";
  s.seq = 1234567890123;
  s.duration_ms = 2000;
  s.profiles = sample_profiles();
  s.body_sha256 = hex_digits(64, 'e');
  s.auth_token = sample_token();
  return s;
}

void ExpectSame(const SegmentHeaders& a, const SegmentHeaders& b) {
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.duration_ms, b.duration_ms);
  EXPECT_EQ(profiles_text(a.profiles), profiles_text(b.profiles));
  EXPECT_EQ(a.body_sha256, b.body_sha256);
  EXPECT_EQ(a.auth_token, b.auth_token);
  EXPECT_EQ(a.signature, b.signature);
  EXPECT_EQ(a.signer, b.signer);
}

HeaderMap sample_headers() {
  HeaderMap h;
  write_headers(sample_segment(), h);
  return h;
}

TEST(SegmentHeaders, WritesTheNamedHeaders) {
  const HeaderMap h = sample_headers();
  EXPECT_EQ(h.at("Lp-Stream-Id"), "stream_1.main~x-y");
  EXPECT_EQ(h.at("Lp-Seq"), "1234567890123");
  EXPECT_EQ(h.at("Lp-Duration-Ms"), "2000");
  EXPECT_EQ(h.at("Lp-Body-Sha256"), hex_digits(64, 'e'));
  EXPECT_EQ(h.at("Lp-Auth-Token"), to_header_value(sample_token()));
  EXPECT_EQ(h.at("Lp-Profiles").rfind("[{\"name\":\"P720p30fps16x9\",\"width\":1280,", 0), 0u) << h.at("Lp-Profiles");
  EXPECT_EQ(h.at("Lp-Profiles").find('\n'), std::string::npos);
  EXPECT_EQ(h.count("Lp-Signature"), 0u);
  EXPECT_EQ(h.size(), 6u);
}

TEST(SegmentHeaders, ProfilesThatAreNotUtf8AreRefused) {
  HeaderMap h = sample_headers();
  h[header::kProfiles] = "[{\"name\":\"P\xF0\",\"width\":640,\"height\":360,\"bitrate\":1000000}]";
  auto r = segment_from_headers(h);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not UTF-8"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(header::kProfiles), std::string::npos) << r.error().message;
}

TEST(SegmentHeaders, RoundTrip) {
  auto back = segment_from_headers(sample_headers());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ExpectSame(*back, sample_segment());
}

TEST(SegmentHeaders, RoundTripWithSignatureAndOtherHeadersLeftAlone) {
  SegmentHeaders s = sample_segment();
  s.signature = "0x" + hex_digits(130, 'c');
  s.signer = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  HeaderMap h = {{"Content-Type", "video/mp2t"}, {"Lp-Seq", "stale"}};
  write_headers(s, h);
  EXPECT_EQ(h.at("Content-Type"), "video/mp2t");
  EXPECT_EQ(h.at("Lp-Signature"), s.signature);
  EXPECT_EQ(h.at("Lp-Signer"), s.signer);
  auto back = segment_from_headers(h);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ExpectSame(*back, s);
  // Writing an unsigned segment over the same map drops the old signature.
  write_headers(sample_segment(), h);
  EXPECT_EQ(h.count("Lp-Signature"), 0u);
  EXPECT_EQ(h.count("Lp-Signer"), 0u);
}

TEST(SegmentHeaders, NamesAreCaseInsensitiveAndHexIsNormalised) {
  HeaderMap h;
  for (const auto& [name, value] : sample_headers()) {
    g_autofree char* down = g_ascii_strdown(name.c_str(), -1);
    h[down] = value;
  }
  h["lp-body-sha256"] = hex_digits(64, 'E');
  h["LP-SIGNATURE"] = hex_digits(130, 'C');  // 0x optional on the way in
  h["lp-signer"] = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23";
  auto back = segment_from_headers(h);
  ASSERT_TRUE(back.ok()) << back.error().message;
  SegmentHeaders expected = sample_segment();
  expected.signature = "0x" + hex_digits(130, 'c');
  expected.signer = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23";
  ExpectSame(*back, expected);
}

TEST(SegmentHeaders, SignatureNeedsItsSigner) {
  HeaderMap h = sample_headers();
  h["Lp-Signature"] = "0x" + hex_digits(130, 'c');
  EXPECT_TRUE(FailsWith(segment_from_headers(h), ErrorCode::BadRequest, "Lp-Signer: required with Lp-Signature"));
  h["Lp-Signer"] = "2c7536e3605d9c16a7a3d7b1898e529396a65c23";
  EXPECT_TRUE(FailsWith(segment_from_headers(h), ErrorCode::BadRequest, "Lp-Signer: expected 0x and 40 hex digits"));
}

// The text a client signs names every field once, profiles in their canonical form, so a
// header that spells the same profiles differently signs the same.
TEST(SegmentHeaders, SigningTextIsCanonical) {
  SegmentHeaders s = sample_segment();
  const std::string text = segment_signing_text(s);
  EXPECT_EQ(text.rfind("lpgst-segment-v1\nstream_1.main~x-y\n1234567890123\n2000\n" + hex_digits(64, 'e') +
                           "\n[{\"name\":\"P720p30fps16x9\",",
                       0),
            0u)
      << text;
  HeaderMap h = sample_headers();
  h["Lp-Profiles"] =
      "[ {\"width\":1280, \"name\":\"P720p30fps16x9\", \"height\":720, \"bitrate\":4000000, "
      "\"fps\":30} ]";
  s.profiles.resize(1);
  auto back = segment_from_headers(h);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(segment_signing_text(*back), segment_signing_text(s));
  s.seq += 1;
  EXPECT_NE(segment_signing_text(*back), segment_signing_text(s));
}

TEST(SegmentHeaders, TokenProblemsAreUnauthorizedWhateverElseIsWrong) {
  EXPECT_TRUE(FailsWith(segment_from_headers({}), ErrorCode::Unauthorized, "Lp-Auth-Token: required"));
  EXPECT_TRUE(FailsWith(segment_from_headers({{"Lp-Auth-Token", "garbage"}}), ErrorCode::Unauthorized,
                        "Lp-Auth-Token: auth token: expected"));
  HeaderMap h = sample_headers();
  h["Lp-Auth-Token"] = "s.1.xyz";
  EXPECT_TRUE(FailsWith(segment_from_headers(h), ErrorCode::Unauthorized, "Lp-Auth-Token: auth token: hmac"));
}

// Found while fuzzing (docs/fuzzing.md): Lp-Profiles went to json-glib as it came, and 100 KB of
// "[" overflowed the orchestrator's stack.
TEST(SegmentHeaders, DeeplyNestedProfilesAreRefusedNotACrash) {
  HeaderMap h = sample_headers();
  h["Lp-Profiles"] = std::string(200000, '[');
  EXPECT_TRUE(FailsWith(segment_from_headers(h), ErrorCode::BadRequest,
                        "Lp-Profiles: invalid JSON: nested deeper than 128 levels"));
}

// json-glib would cut the name at the escaped NUL and a truncated name would be transcoded.
TEST(SegmentHeaders, EscapedNulInAProfileIsRefusedNamingTheField) {
  HeaderMap h = sample_headers();
  h["Lp-Profiles"] = R"([{"name":"P240\u0000evil","width":426,"height":240,"bitrate":600000}])";
  EXPECT_TRUE(
      FailsWith(segment_from_headers(h), ErrorCode::BadRequest, "Lp-Profiles[0].name: contains a NUL character"));
}

TEST(SegmentHeaders, EachRequiredHeader) {
  for (const char* name : {"Lp-Stream-Id", "Lp-Seq", "Lp-Duration-Ms", "Lp-Profiles", "Lp-Body-Sha256"}) {
    HeaderMap h = sample_headers();
    h.erase(name);
    EXPECT_TRUE(FailsWith(segment_from_headers(h), ErrorCode::BadRequest, std::string(name) + ": required"));
  }
}

struct HeaderCase {
  const char* name;
  std::string value;
  const char* message;
  ErrorCode code = ErrorCode::BadRequest;
};

void PrintTo(const HeaderCase& c, std::ostream* os) { *os << c.name << ": " << c.value; }

class SegmentHeader : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(SegmentHeader, Rejected) {
  const HeaderCase& c = GetParam();
  HeaderMap h = sample_headers();
  h[c.name] = c.value;
  EXPECT_TRUE(FailsWith(segment_from_headers(h), c.code, c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Wire, SegmentHeader,
    ::testing::Values(HeaderCase{"Lp-Stream-Id", "", "Lp-Stream-Id: expected 1-128 of"},
                      HeaderCase{"Lp-Stream-Id", "a/b", "Lp-Stream-Id: expected 1-128 of"},
                      HeaderCase{"Lp-Stream-Id", "a b", "Lp-Stream-Id: expected 1-128 of"},
                      HeaderCase{"Lp-Stream-Id", std::string(129, 's'), "Lp-Stream-Id: expected 1-128 of"},
                      HeaderCase{"Lp-Seq", "", "Lp-Seq: expected a non-negative integer, got \"\""},
                      HeaderCase{"Lp-Seq", "-1", "Lp-Seq: expected a non-negative integer"},
                      HeaderCase{"Lp-Seq", "12a", "Lp-Seq: expected a non-negative integer"},
                      HeaderCase{"Lp-Seq", " 12", "Lp-Seq: expected a non-negative integer"},
                      HeaderCase{"Lp-Seq", "99999999999999999999", "Lp-Seq: expected a non-negative integer"},
                      HeaderCase{"Lp-Duration-Ms", "0", "Lp-Duration-Ms: expected milliseconds from 1"},
                      HeaderCase{"Lp-Duration-Ms", "3600001", "Lp-Duration-Ms: expected milliseconds from 1"},
                      HeaderCase{"Lp-Duration-Ms", "2.0", "Lp-Duration-Ms: expected milliseconds from 1"},
                      HeaderCase{"Lp-Profiles", "[", "Lp-Profiles: invalid JSON"},
                      HeaderCase{"Lp-Profiles", "P720p30fps16x9", "Lp-Profiles: invalid JSON"},
                      HeaderCase{"Lp-Profiles", "{\"width\":1,\"height\":1,\"bitrate\":1}",
                                 "Lp-Profiles: expected a JSON array"},
                      HeaderCase{"Lp-Profiles", "[]", "Lp-Profiles: expected at least one profile"},
                      HeaderCase{"Lp-Profiles", "[1]", "Lp-Profiles[0]: expected a profile object, got 1"},
                      HeaderCase{"Lp-Profiles", "[{\"width\":640,\"height\":360,\"bitrate\":1},{\"width\":0}]",
                                 "Lp-Profiles[1].width: expected an integer from 1 to 8192", ErrorCode::InvalidProfile},
                      HeaderCase{"Lp-Profiles", "[{\"width\":640,\"height\":360,\"bitrate\":1,\"x\":1}]",
                                 "Lp-Profiles[0].x: unknown field", ErrorCode::InvalidProfile},
                      HeaderCase{"Lp-Body-Sha256", "abc", "Lp-Body-Sha256: expected 64 hex digits"},
                      HeaderCase{"Lp-Body-Sha256", "0x" + std::string(64, 'a'), "Lp-Body-Sha256: expected 64"},
                      HeaderCase{"Lp-Body-Sha256", std::string(64, 'g'), "Lp-Body-Sha256: expected 64"},
                      HeaderCase{"Lp-Signature", "", "Lp-Signature: expected 0x and 130 hex digits"},
                      HeaderCase{"Lp-Signature", "0x1234", "Lp-Signature: expected 0x and 130 hex digits"}));

}  // namespace
}  // namespace lp::wire
