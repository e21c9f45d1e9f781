// secp256k1 keys and recoverable ECDSA signatures as Ethereum uses them (curve code is
// libsecp256k1's). Signatures are 65 bytes r ‖ s ‖ v with v = 27/28 and low s (EIP-2).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "address.h"
#include "error.h"
#include "keccak.h"

namespace lp::eth {

// A private key in [1, n-1]. Move-only; the secret is wiped when the object dies.
class PrivateKey {
 public:
  static constexpr size_t kSize = 32;

  static Result<PrivateKey> from_bytes(std::span<const uint8_t> bytes);
  static Result<PrivateKey> from_hex(std::string_view hex);
  // Fresh key from OpenSSL's CSPRNG.
  static Result<PrivateKey> generate();

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  const Address& address() const { return address_; }
  // The raw secret, for keystore encryption only.
  std::span<const uint8_t, kSize> secret() const { return secret_; }

 private:
  PrivateKey() = default;
  std::array<uint8_t, kSize> secret_{};
  Address address_;
};

// A well-formed signature: 65 bytes, v 27/28, 0 < r, s < n, s in the lower half.
class Signature {
 public:
  static constexpr size_t kSize = 65;

  // Hex with or without 0x. Errors (ErrorCode::BadSignature) say what is wrong: not hex,
  // wrong length, bad v, high s, r or s out of range.
  static Result<Signature> parse(std::string_view hex);
  static Result<Signature> from_bytes(std::span<const uint8_t> bytes);

  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  std::string hex() const;  // 0x-prefixed, lower case

  friend bool operator==(const Signature&, const Signature&) = default;

 private:
  friend Signature sign_digest(const PrivateKey& key, const Digest& digest);
  explicit Signature(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  std::array<uint8_t, kSize> bytes_{};
};

// Raw ECDSA over a 32-byte digest the caller computed (go-ethereum's crypto.Sign, v + 27).
// Deterministic (RFC 6979 nonces): the same key and digest give the same signature.
Signature sign_digest(const PrivateKey& key, const Digest& digest);
Result<Address> recover_digest(const Digest& digest, const Signature& sig);
// The signer if it is `expected`, else ErrorCode::BadSignature naming both addresses.
Result<Address> verify_digest(const Digest& digest, const Signature& sig, const Address& expected);

// sign_digest(keccak256(data)) and its checks.
Signature sign_bytes(const PrivateKey& key, std::span<const uint8_t> data);
Result<Address> verify_bytes(std::span<const uint8_t> data, const Signature& sig, const Address& expected);

// EIP-191 personal_sign (version 0x45): keccak256("\x19Ethereum Signed Message:\n" +
// decimal byte length of message + message). What wallets and `lpctl key sign-message` sign.
Digest personal_message_hash(std::span<const uint8_t> message);
Signature personal_sign(const PrivateKey& key, std::span<const uint8_t> message);
Result<Address> personal_recover(std::span<const uint8_t> message, const Signature& sig);
Result<Address> verify_personal(std::span<const uint8_t> message, const Signature& sig, const Address& expected);

// Text as the bytes the functions above take.
inline std::span<const uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace lp::eth
