// Keys, raw and EIP-191 personal_sign signatures, recovery, and the rejection of malformed
// signatures.
#include <gtest/gtest.h>

#include <algorithm>

#include "eth_key.h"
#include "hex.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

// web3.js docs, web3.eth.accounts.sign('Some data', kWeb3Key).messageHash (kSomeDataSig is its
// signature); ethers 6.17.0 hashMessage and signMessage agree.
constexpr const char* kSomeDataHash = "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655";
// secp256k1's group order n.
constexpr const char* kOrder = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

PrivateKey test_key() { return std::move(PrivateKey::from_hex(kWeb3Key).value()); }
Address test_address() { return parse_address(kWeb3Address).value(); }

std::string sig_with(std::string hex, size_t byte, const std::string& value) {
  return hex.replace(2 + 2 * byte, value.size(), value);
}

// n - s, big-endian, so that (r, n - s, v ^ 1) is the same signature with a high s.
std::string negate_s(const Signature& sig) {
  auto n = from_hex(kOrder, "n", ErrorCode::Internal).value();
  Bytes b(sig.bytes().begin(), sig.bytes().end());
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[static_cast<size_t>(i)] - b[32 + static_cast<size_t>(i)] - borrow;
    borrow = d < 0;
    b[32 + static_cast<size_t>(i)] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  b[64] = b[64] == 27 ? 28 : 27;
  return to_hex_0x(b);
}

TEST(EthKey, PersonalSignKnownVector) {
  PrivateKey key = test_key();
  EXPECT_EQ(to_hex_0x(personal_message_hash(bytes_of("Some data"))), kSomeDataHash);
  Signature sig = personal_sign(key, bytes_of("Some data"));
  EXPECT_EQ(sig.hex(), kSomeDataSig);
  auto signer = personal_recover(bytes_of("Some data"), sig);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(signer->checksummed(), kWeb3Address);
}

TEST(EthKey, PersonalMessageHashes) {
  // web3.js docs (guides/wallet/signing): account.sign('hello world').messageHash.
  EXPECT_EQ(to_hex_0x(personal_message_hash(bytes_of("hello world"))),
            "0xd9eba16ed0ecae432b71fe008c98cc872bb4cc214d3220a36f365326cf807d68");
  // The length is counted in bytes, not characters; from ethers 6.17.0 hashMessage/signMessage.
  EXPECT_EQ(to_hex_0x(personal_message_hash(bytes_of("héllo ✓"))),
            "0xa92524dcf72de9f2771f170e519c7fcc3305b814c130bfe3cf288b3d4b8d5906");
  EXPECT_EQ(personal_sign(test_key(), bytes_of("héllo ✓")).hex(),
            "0xf6af7df4424f96c1e866018ad16f64cae105d0675377c3fb14acca14c89e87ab3073a4b410f6dcee48"
            "70b4eff27aa78682cfeca3e8f205bd13a22304ee7d9dd61b");
  EXPECT_EQ(personal_sign(test_key(), bytes_of("")).hex(),
            "0x8a68b4e66cd2b575338e16069d7b65f6f67c7ceae8945dccf8cb7bdb06278d933dd9c888f3444ca469"
            "8464079a067ad3cfffe96d493b8ecf56885169d0fdfe7d1b");
}

TEST(EthKey, RawDigestSignature) {
  // ethers 6.17.0: new SigningKey(kWeb3Key).sign(keccak256("abc")).serialized (no EIP-191 prefix).
  Signature sig = sign_bytes(test_key(), bytes_of("abc"));
  EXPECT_EQ(sig.hex(),
            "0x9b2b986d1267c9302412998c832ce751eb1ac159841830b84334e49c6993f4ee2aa312c1ada98dd37a"
            "f52d5112c33ecc9d67f78c5ddf922fdacc3c44d29b5b6d1b");
  EXPECT_EQ(sign_digest(test_key(), keccak256("abc")), sig);
  EXPECT_TRUE(verify_bytes(bytes_of("abc"), sig, test_address()).ok());
  EXPECT_TRUE(verify_digest(keccak256("abc"), sig, test_address()).ok());
  // A raw signature is not a personal_sign one over the same bytes.
  EXPECT_TRUE(
      Fails(verify_personal(bytes_of("abc"), sig, test_address()), ErrorCode::BadSignature, "signature is by 0x"));
}

TEST(EthKey, RoundTripWithFreshKeys) {
  for (int i = 0; i < 8; ++i) {
    auto key = PrivateKey::generate();
    ASSERT_TRUE(key.ok());
    std::string message = "round trip " + std::to_string(i);
    Signature sig = personal_sign(*key, bytes_of(message));
    EXPECT_TRUE(sig.bytes()[64] == 27 || sig.bytes()[64] == 28);
    auto reparsed = Signature::parse(sig.hex());  // also proves low s
    ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
    auto signer = verify_personal(bytes_of(message), *reparsed, key->address());
    ASSERT_TRUE(signer.ok()) << signer.error().message;
    EXPECT_TRUE(Fails(verify_personal(bytes_of(message + "!"), sig, key->address()), ErrorCode::BadSignature,
                      "not " + key->address().checksummed()));
  }
}

TEST(EthKey, WrongSignerNamesBoth) {
  auto sig = Signature::parse(kSomeDataSig).value();
  auto other = parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").value();
  auto r = verify_personal(bytes_of("Some data"), sig, other);
  EXPECT_TRUE(
      Fails(r, ErrorCode::BadSignature,
            std::string("signature is by ") + kWeb3Address + ", not 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
}

TEST(EthKey, MalformedSignatures) {
  const std::string good = kSomeDataSig;
  auto bad = [](const std::string& hex, const std::string& why) {
    return Fails(Signature::parse(hex), ErrorCode::BadSignature, why);
  };
  EXPECT_TRUE(Signature::parse(good).ok());
  EXPECT_TRUE(Signature::parse(good.substr(2)).ok());  // no 0x
  EXPECT_TRUE(bad(sig_with(good, 10, "zz"), "bad hex in signature: 'z' at position 22"));
  EXPECT_TRUE(bad(good.substr(0, good.size() - 1), "odd number of hex digits"));
  EXPECT_TRUE(bad(good.substr(0, good.size() - 2), "must be 65 bytes"));
  EXPECT_TRUE(bad(good + "00", "must be 65 bytes"));
  EXPECT_TRUE(bad("", "must be 65 bytes"));
  EXPECT_TRUE(bad(sig_with(good, 64, "00"), "v must be 27 or 28, got 0"));
  EXPECT_TRUE(bad(sig_with(good, 64, "01"), "v must be 27 or 28, got 1"));
  EXPECT_TRUE(bad(sig_with(good, 64, "1d"), "v must be 27 or 28, got 29"));
  EXPECT_TRUE(bad(sig_with(good, 0, std::string(64, '0')), "r or s is zero"));
  EXPECT_TRUE(bad(sig_with(good, 32, std::string(64, '0')), "r or s is zero"));
  EXPECT_TRUE(bad(sig_with(good, 0, std::string(64, 'f')), "not below the secp256k1 group order"));
  EXPECT_TRUE(bad(sig_with(good, 32, kOrder), "not below the secp256k1 group order"));
}

TEST(EthKey, HighSIsRejected) {
  // The same signature with s' = n - s and v flipped still verifies mathematically (ECDSA
  // malleability); EIP-2 makes it invalid, and so do we.
  auto sig = Signature::parse(kSomeDataSig).value();
  EXPECT_TRUE(Fails(Signature::parse(negate_s(sig)), ErrorCode::BadSignature, "upper half of the group order"));
}

TEST(EthKey, PrivateKeyValidation) {
  EXPECT_TRUE(Fails(PrivateKey::from_hex(std::string(64, '0')), ErrorCode::BadKey,
                    "zero or not below the secp256k1 group order"));
  EXPECT_TRUE(Fails(PrivateKey::from_hex(kOrder), ErrorCode::BadKey, "not below"));
  EXPECT_TRUE(Fails(PrivateKey::from_hex(std::string(62, '1')), ErrorCode::BadKey, "private key must be 32 bytes"));
  EXPECT_TRUE(Fails(PrivateKey::from_hex("0xnothex"), ErrorCode::BadKey, "bad hex in private key"));
  EXPECT_TRUE(Fails(PrivateKey::from_bytes(Bytes(33, 1)), ErrorCode::BadKey, "got 33"));
}

TEST(EthKey, MovedFromKeyIsWiped) {
  PrivateKey a = test_key();
  PrivateKey b = std::move(a);
  auto secret = a.secret();  // NOLINT(bugprone-use-after-move): checking the wipe
  EXPECT_TRUE(std::all_of(secret.begin(), secret.end(), [](uint8_t v) { return v == 0; }));
  EXPECT_EQ(b.address().checksummed(), kWeb3Address);
  auto g1 = PrivateKey::generate(), g2 = PrivateKey::generate();
  EXPECT_FALSE(g1->address() == g2->address());
}

}  // namespace
}  // namespace lp::eth
