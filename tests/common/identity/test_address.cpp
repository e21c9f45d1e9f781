// Ethereum addresses: EIP-55 checksums and private key -> address pairs.
#include <gtest/gtest.h>

#include <cctype>

#include "address.h"
#include "eth_key.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

// The examples of EIP-55 itself (eips.ethereum.org/EIPS/eip-55): all caps, all lower, mixed.
constexpr const char* kEip55Examples[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(Address, Eip55Examples) {
  for (const char* example : kEip55Examples) {
    SCOPED_TRACE(example);
    auto parsed = parse_address(example);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->checksummed(), example);
    auto from_lower = parse_address(lower(example));
    ASSERT_TRUE(from_lower.ok());
    EXPECT_EQ(from_lower->checksummed(), example);
    EXPECT_EQ("0x" + from_lower->hex(), lower(example));
  }
}

TEST(Address, WrongChecksumIsRejected) {
  // One letter's case flipped in an EIP-55 example.
  auto r = parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
  EXPECT_TRUE(Fails(r, ErrorCode::BadKey, "wrong EIP-55 checksum"));
  EXPECT_TRUE(Fails(r, ErrorCode::BadKey, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
}

TEST(Address, MalformedText) {
  EXPECT_TRUE(Fails(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeZ"), ErrorCode::BadKey,
                    "bad hex in address: 'Z' at position 41"));
  EXPECT_TRUE(
      Fails(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"), ErrorCode::BadKey, "address must be 20 bytes"));
  EXPECT_TRUE(Fails(parse_address(""), ErrorCode::BadKey, "address must be 20 bytes"));
  EXPECT_TRUE(parse_address("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").ok());  // no 0x
}

TEST(Address, KnownPrivateKeys) {
  struct Pair {
    const char* key;
    const char* address;
  } pairs[] = {
      {kWeb3Key, kWeb3Address},
      // Keys 1, 2 and n-1 (the curve's edges) and the Web3 Secret Storage vector's key;
      // addresses from ethers 6.17.0 `new Wallet(key).address`.
      {"0x0000000000000000000000000000000000000000000000000000000000000001",
       "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"},
      {"0x0000000000000000000000000000000000000000000000000000000000000002",
       "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"},
      {"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
       "0x80C0dbf239224071c59dD8970ab9d542E3414aB2"},
      {"7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
       "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b"},
  };
  for (const auto& p : pairs) {
    auto key = PrivateKey::from_hex(p.key);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->address().checksummed(), p.address);
  }
}

}  // namespace
}  // namespace lp::eth
