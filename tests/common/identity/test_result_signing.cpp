// Result signatures as go-livepeer makes them: personal_sign over
// keccak256(keccak256(r0) ‖ keccak256(r1) ‖ ...).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hex.h"
#include "result_signing.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

// Computed with ethers 6.17.0, independently of this code:
//   h_i = keccak256(toUtf8Bytes(r_i)); digest = keccak256(concat([h0, h1]));
//   sig = new Wallet(kWeb3Key).signMessageSync(getBytes(digest))
constexpr const char* kRendition0 = "rendition 0: 720p";
constexpr const char* kRendition1 = "rendition 1: 360p";
constexpr const char* kHash0 = "0x8640bfe8b049ad6acdb851bacd37e9593866a5c8b804de442c5c9d3bdbd62692";
constexpr const char* kHash1 = "0x50be243ebacd5d4ef4dd589d6d9dcbd5420b0b1aae86d90932307038e7e358d9";
constexpr const char* kDigest = "0x9e11bfb0da1a62efc9af691945f9329a1914a71c4ac839df22e3c8e3b9af86e7";
constexpr const char* kSignedHash = "0x07d3b6e564f5684f277741b6e507d02fbc76c41e75880450144e5d1290c9d755";
constexpr const char* kSignature =
    "0x0dc8a47cf6c6500a44095ca04e5b34a76dac06396620f99faca7d6a185df63901375ab017422f9cf90b9706e3c"
    "89c7d34b07d5d5572bfdbd23fbd73a44800c741b";

class ResultSigning : public ::testing::Test {
 protected:
  PrivateKey key = std::move(PrivateKey::from_hex(kWeb3Key).value());
  std::string r0 = kRendition0, r1 = kRendition1;
  std::vector<std::span<const uint8_t>> renditions() const { return {bytes_of(r0), bytes_of(r1)}; }
};

TEST_F(ResultSigning, KnownVector) {
  auto hashes = rendition_hashes(renditions());
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(to_hex_0x(hashes[0]), kHash0);
  EXPECT_EQ(to_hex_0x(hashes[1]), kHash1);
  Digest digest = results_digest(hashes);
  EXPECT_EQ(to_hex_0x(digest), kDigest);
  EXPECT_EQ(to_hex_0x(personal_message_hash(digest)), kSignedHash);
  EXPECT_EQ(sign_results(key, renditions()).hex(), kSignature);
  EXPECT_EQ(sign_results(key, hashes).hex(), kSignature);
  EXPECT_TRUE(verify_results(renditions(), Signature::parse(kSignature).value(), key.address()).ok());
}

TEST_F(ResultSigning, TamperingIsDetected) {
  Signature sig = sign_results(key, renditions());
  const Address& who = key.address();
  ASSERT_TRUE(verify_results(renditions(), sig, who).ok());

  r1[3] ^= 1;  // one bit of one rendition
  EXPECT_TRUE(Fails(verify_results(renditions(), sig, who), ErrorCode::BadSignature, "not 0x"));
  r1 = kRendition1;

  std::vector<std::span<const uint8_t>> swapped = {bytes_of(r1), bytes_of(r0)};
  std::vector<std::span<const uint8_t>> dropped = {bytes_of(r0)};
  std::vector<std::span<const uint8_t>> extra = {bytes_of(r0), bytes_of(r1), bytes_of(r1)};
  for (const auto* set : {&swapped, &dropped, &extra})
    EXPECT_TRUE(Fails(verify_results(*set, sig, who), ErrorCode::BadSignature, "not 0x"));
}

TEST_F(ResultSigning, NoRenditions) {
  // keccak256 of nothing: still a well-defined message to sign.
  EXPECT_EQ(to_hex(results_digest({})), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  std::vector<Digest> none;
  EXPECT_TRUE(verify_results(none, sign_results(key, none), key.address()).ok());
}

}  // namespace
}  // namespace lp::eth
