// The signed texts of docs/protocol.md ("What is signed"), recomputed with the public web3.js
// documentation key: the doc's signatures must be what the code produces, and must verify.
#include <gtest/gtest.h>

#include <fstream>

#include "eth_key.h"
#include "profile.h"
#include "wire/info.h"
#include "wire/segment.h"

namespace lp::wire {
namespace {

constexpr const char* kKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr const char* kAddress = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
constexpr const char* kInfoSignature =
    "0x0392d131683c6e2cac033b60908a4b8d98be02ecc6fe369c16e22bfe37b484ad73956cf901eeaf21bc10b7311221a6a1be2bdeb76710"
    "336e2f94bbcc3806aa561b";
constexpr const char* kSegmentSignature =
    "0x2b4c298540d3e75a1982a29d92c37e6979b71a06a5704b84412f79c83aee456157a1a470ca282ea80b2fadd1640726a6d290bb66a30a"
    "e00b58e21f582d35793c1c";

std::string protocol_doc() {
  std::ifstream in(std::string(LP_SOURCE_DIR) + "/docs/protocol.md");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Info doc_info() {
  Info info;
  info.service_addr = "orch.example.com:8935";
  info.version = "0.1.0";
  info.price = {0, 1};
  info.auth_token = {"a1b2c3d4", 1767225600, "bd3946f7f829e5633241e88e8199fcea181c5610b9a8fced4f96fd768423c021"};
  info.signer = kAddress;
  return info;
}

TEST(Signing, InfoWorkedExample) {
  auto key = eth::PrivateKey::from_hex(kKey);
  ASSERT_TRUE(key);
  ASSERT_EQ(key->address().checksummed(), kAddress);
  const std::string text = info_signing_text(doc_info());
  EXPECT_EQ(text,
            "lpgst-info-v1\norch.example.com:8935\n0.1.0\na1b2c3d4\n1767225600\n"
            "bd3946f7f829e5633241e88e8199fcea181c5610b9a8fced4f96fd768423c021\n0\n1\n"
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_EQ(eth::personal_sign(*key, eth::bytes_of(text)).hex(), kInfoSignature);
  const std::string doc = protocol_doc();
  EXPECT_NE(doc.find(kInfoSignature), std::string::npos) << "docs/protocol.md lost the info signature";
  EXPECT_NE(doc.find(text), std::string::npos) << "docs/protocol.md lost the info text";
}

TEST(Signing, SegmentWorkedExample) {
  auto key = eth::PrivateKey::from_hex(kKey);
  ASSERT_TRUE(key);
  SegmentHeaders s;
  s.stream_id = "stream-1";
  s.seq = 42;
  s.duration_ms = 2000;
  s.profiles = {*find_preset("P360p30fps16x9")};
  s.body_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string text = segment_signing_text(s);
  const auto sig = eth::personal_sign(*key, eth::bytes_of(text));
  EXPECT_EQ(sig.hex(), kSegmentSignature);
  auto signer = eth::personal_recover(eth::bytes_of(text), sig);
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->checksummed(), kAddress);
  const std::string doc = protocol_doc();
  EXPECT_NE(doc.find(kSegmentSignature), std::string::npos);
  EXPECT_NE(doc.find(text), std::string::npos) << "docs/protocol.md lost the segment text";
}

}  // namespace
}  // namespace lp::wire
