#include "livepeer_auth_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "hex.h"

namespace lp::livepeer {
namespace {

// Go's new(big.Int).SetInt64(v).Bytes(): the magnitude, big-endian, no leading zeros.
std::vector<uint8_t> minimal_bytes(int64_t v) {
  uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::vector<uint8_t> out;
  while (magnitude > 0) {
    out.insert(out.begin(), static_cast<uint8_t>(magnitude & 0xff));
    magnitude >>= 8;
  }
  return out;
}

}  // namespace

AuthTokens::AuthTokens() {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
    throw std::runtime_error("no randomness for the auth token key");
}

net::AuthToken AuthTokens::make(const std::string& session_id, int64_t expiration) const {
  std::vector<uint8_t> message(session_id.begin(), session_id.end());
  const auto tail = minimal_bytes(expiration);
  message.insert(message.end(), tail.begin(), tail.end());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), message.data(), message.size(), mac, &mac_size);
  net::AuthToken token;
  token.set_token(std::string(reinterpret_cast<const char*>(mac), mac_size));
  token.set_session_id(session_id);
  token.set_expiration(expiration);
  return token;
}

net::AuthToken AuthTokens::issue(int64_t now_unix) const {
  std::array<uint8_t, 4> id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
    throw std::runtime_error("no randomness for a session id");
  return make(eth::to_hex(id), now_unix + kValidFor.count());
}

Result<void> AuthTokens::check(const net::AuthToken& token, int64_t now_unix) const {
  const net::AuthToken expected = make(token.session_id(), token.expiration());
  if (token.token().size() != expected.token().size() ||
      CRYPTO_memcmp(token.token().data(), expected.token().data(), expected.token().size()) != 0)
    return Error{ErrorCode::Unauthorized, "invalid"};
  if (token.expiration() < now_unix) return Error{ErrorCode::Unauthorized, "expired"};
  return {};
}

}  // namespace lp::livepeer
