#include "eth_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <memory>

#include "hex.h"
#include "owned.h"

namespace lp::eth {
namespace {

using ContextPtr = Owned<secp256k1_context, secp256k1_context_destroy>;

// One context for the process: after creation libsecp256k1 only reads it, so threads may share it.
const secp256k1_context* context() {
  static const ContextPtr ctx = [] {
    ContextPtr c(secp256k1_context_create(SECP256K1_CONTEXT_NONE));
    // Randomising blinds the signing computations against side channels.
    std::array<unsigned char, 32> seed{};
    if (RAND_bytes(seed.data(), seed.size()) == 1) {
      [[maybe_unused]] int ok = secp256k1_context_randomize(c.get(), seed.data());
    }
    OPENSSL_cleanse(seed.data(), seed.size());
    return c;
  }();
  return ctx.get();
}

Error bad_signature(const std::string& why) { return Error{ErrorCode::BadSignature, why}; }

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// The libsecp256k1 form of a signature whose v was already checked.
Result<secp256k1_ecdsa_recoverable_signature> to_recoverable(std::span<const uint8_t, 65> b) {
  secp256k1_ecdsa_recoverable_signature sig;
  if (all_zero(b.subspan<0, 32>()) || all_zero(b.subspan<32, 32>())) return bad_signature("signature r or s is zero");
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, b.data(), b[64] - 27))
    return bad_signature("signature r or s is not below the secp256k1 group order");
  return sig;
}

}  // namespace

// ---- PrivateKey

Result<PrivateKey> PrivateKey::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return Error{ErrorCode::BadKey, "private key must be 32 bytes, got " + std::to_string(bytes.size())};
  }
  if (!secp256k1_ec_seckey_verify(context(), bytes.data()))
    return Error{ErrorCode::BadKey, "private key is zero or not below the secp256k1 group order"};
  PrivateKey key;
  std::copy(bytes.begin(), bytes.end(), key.secret_.begin());
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(context(), &pub, key.secret_.data()))
    return Error{ErrorCode::Internal, "secp256k1_ec_pubkey_create failed"};
  std::array<uint8_t, 65> uncompressed{};
  size_t len = uncompressed.size();
  secp256k1_ec_pubkey_serialize(context(), uncompressed.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  // Skip the 0x04 tag: the address hashes x ‖ y only.
  key.address_ = address_from_public_key(std::span<const uint8_t, 64>(uncompressed.data() + 1, 64));
  return key;
}

Result<PrivateKey> PrivateKey::from_hex(std::string_view hex) {
  auto bytes = from_hex_sized(hex, kSize, "private key", ErrorCode::BadKey);
  if (!bytes) return bytes.error();
  auto key = from_bytes(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

Result<PrivateKey> PrivateKey::generate() {
  std::array<uint8_t, kSize> candidate{};
  // Almost every 32-byte string is a valid key; retry the ~2^-128 rest.
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (RAND_bytes(candidate.data(), candidate.size()) != 1)
      return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed"};
    auto key = from_bytes(candidate);
    if (key) {
      OPENSSL_cleanse(candidate.data(), candidate.size());
      return key;
    }
  }
  OPENSSL_cleanse(candidate.data(), candidate.size());
  return Error{ErrorCode::Internal, "random generator gave no valid key"};
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : secret_(other.secret_), address_(other.address_) {
  OPENSSL_cleanse(other.secret_.data(), other.secret_.size());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    address_ = other.address_;
    OPENSSL_cleanse(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

PrivateKey::~PrivateKey() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

// ---- Signature

Result<Signature> Signature::parse(std::string_view hex) {
  auto bytes = from_hex(hex, "signature", ErrorCode::BadSignature);
  if (!bytes) return bytes.error();
  return from_bytes(*bytes);
}

Result<Signature> Signature::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return bad_signature("signature must be 65 bytes (r, s, v: 130 hex digits), got " + std::to_string(bytes.size()) +
                         " bytes");
  }
  std::array<uint8_t, kSize> b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  if (b[64] != 27 && b[64] != 28) return bad_signature("signature v must be 27 or 28, got " + std::to_string(b[64]));
  auto recoverable = to_recoverable(b);
  if (!recoverable) return recoverable.error();
  secp256k1_ecdsa_signature plain;
  secp256k1_ecdsa_recoverable_signature_convert(context(), &plain, &*recoverable);
  // normalize() returns 1 when s had to be flipped, i.e. it was in the upper half.
  if (secp256k1_ecdsa_signature_normalize(context(), nullptr, &plain)) {
    return bad_signature("signature s is in the upper half of the group order (malleable; EIP-2 requires low s)");
  }
  return Signature(b);
}

std::string Signature::hex() const { return to_hex_0x(bytes_); }

// ---- Signing and recovery

Signature sign_digest(const PrivateKey& key, const Digest& digest) {
  secp256k1_ecdsa_recoverable_signature sig;
  // Cannot fail: the key was validated when it was made; nullptr nonce = RFC 6979.
  [[maybe_unused]] int ok =
      secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), key.secret().data(), nullptr, nullptr);
  std::array<uint8_t, Signature::kSize> out{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out.data(), &recid, &sig);
  out[64] = static_cast<uint8_t>(27 + recid);  // libsecp256k1 signs with low s already
  return Signature(out);
}

Result<Address> recover_digest(const Digest& digest, const Signature& sig) {
  auto recoverable = to_recoverable(sig.bytes());
  if (!recoverable) return recoverable.error();
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(context(), &pub, &*recoverable, digest.data()))
    return bad_signature("signature does not recover to any public key for this message");
  std::array<uint8_t, 65> uncompressed{};
  size_t len = uncompressed.size();
  secp256k1_ec_pubkey_serialize(context(), uncompressed.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return address_from_public_key(std::span<const uint8_t, 64>(uncompressed.data() + 1, 64));
}

Result<Address> verify_digest(const Digest& digest, const Signature& sig, const Address& expected) {
  auto signer = recover_digest(digest, sig);
  if (signer && !(*signer == expected)) {
    return bad_signature("signature is by " + signer->checksummed() + ", not " + expected.checksummed());
  }
  return signer;
}

Signature sign_bytes(const PrivateKey& key, std::span<const uint8_t> data) { return sign_digest(key, keccak256(data)); }

Result<Address> verify_bytes(std::span<const uint8_t> data, const Signature& sig, const Address& expected) {
  return verify_digest(keccak256(data), sig, expected);
}

Digest personal_message_hash(std::span<const uint8_t> message) {
  return Keccak256()
      .update(
          "\x19"
          "Ethereum Signed Message:\n")
      .update(std::to_string(message.size()))
      .update(message)
      .finish();
}

Signature personal_sign(const PrivateKey& key, std::span<const uint8_t> message) {
  return sign_digest(key, personal_message_hash(message));
}

Result<Address> personal_recover(std::span<const uint8_t> message, const Signature& sig) {
  return recover_digest(personal_message_hash(message), sig);
}

Result<Address> verify_personal(std::span<const uint8_t> message, const Signature& sig, const Address& expected) {
  return verify_digest(personal_message_hash(message), sig, expected);
}

}  // namespace lp::eth
