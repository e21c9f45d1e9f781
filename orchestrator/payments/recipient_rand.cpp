#include "recipient_rand.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <numeric>
#include <stdexcept>

#include "keccak.h"

namespace lp::pm {
namespace {

void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

uint64_t magnitude(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }

}  // namespace

Result<Price> Price::make(int64_t price_per_unit, int64_t pixels_per_unit) {
  if (pixels_per_unit == 0) return Error{ErrorCode::BadRequest, "invalid price: pixels per unit is 0"};
  // Reduce on magnitudes so INT64_MIN does not overflow; the sign goes to the numerator.
  uint64_t n = magnitude(price_per_unit);
  uint64_t d = magnitude(pixels_per_unit);
  uint64_t g = std::gcd(n, d);
  n /= g;
  d /= g;
  bool negative = (price_per_unit < 0) != (pixels_per_unit < 0) && n != 0;
  if (d > static_cast<uint64_t>(INT64_MAX) || (!negative && n > static_cast<uint64_t>(INT64_MAX))) {
    // Only a magnitude of 2^63 (an int64 minimum that did not reduce) gets here.
    return Error{ErrorCode::BadRequest, "invalid price: " + std::to_string(price_per_unit) + "/" +
                                            std::to_string(pixels_per_unit) + " is out of range"};
  }
  Price p;
  p.num = negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  p.den = static_cast<int64_t>(d);
  return p;
}

std::vector<uint8_t> rand_message(const RandInputs& in) {
  std::vector<uint8_t> msg;
  append(msg, in.seed.to_minimal_bytes());
  append(msg, in.sender.bytes);
  append(msg, in.face_value.to_minimal_bytes());
  append(msg, in.win_prob.to_minimal_bytes());
  append(msg, in.expiration_block.to_minimal_bytes());
  append(msg, U256(magnitude(in.price.num)).to_minimal_bytes());
  append(msg, U256(magnitude(in.price.den)).to_minimal_bytes());
  append(msg, in.expiration.aux_data());
  return msg;
}

Hash recipient_rand_hash(const RecipientRand& rand) { return eth::keccak256(rand); }

Result<RecipientSecret> RecipientSecret::generate() {
  std::array<uint8_t, kSize> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed making the ticket secret"};
  RecipientSecret secret(key);
  OPENSSL_cleanse(key.data(), key.size());
  return secret;
}

RecipientSecret::RecipientSecret(RecipientSecret&& other) noexcept : key_(other.key_) {
  OPENSSL_cleanse(other.key_.data(), other.key_.size());
}

RecipientSecret& RecipientSecret::operator=(RecipientSecret&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    OPENSSL_cleanse(other.key_.data(), other.key_.size());
  }
  return *this;
}

RecipientSecret::~RecipientSecret() { OPENSSL_cleanse(key_.data(), key_.size()); }

RecipientRand RecipientSecret::rand(const RandInputs& in) const {
  std::vector<uint8_t> msg = rand_message(in);
  RecipientRand out{};
  unsigned int size = 0;
  // SHA-256 with a valid key cannot fail short of a broken OpenSSL; never hand out a zero rand.
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), msg.data(), msg.size(), out.data(), &size) ||
      size != out.size())
    throw std::runtime_error("HMAC-SHA256 failed");
  return out;
}

Result<U256> random_seed() {
  U256::Bytes32 w{};
  if (RAND_bytes(w.data(), static_cast<int>(w.size())) != 1)
    return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed making a ticket seed"};
  return U256::from_bytes32(w);
}

}  // namespace lp::pm
