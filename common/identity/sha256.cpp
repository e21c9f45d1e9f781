#include "sha256.h"

#include <openssl/sha.h>

#include "hex.h"

namespace lp {

std::string sha256_hex(const void* data, size_t size) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(static_cast<const unsigned char*>(data), size, digest);
  return eth::to_hex(std::span<const uint8_t>(digest, sizeof digest));
}

std::string sha256_hex(GBytes* bytes) {
  gsize size = 0;
  const void* data = bytes ? g_bytes_get_data(bytes, &size) : nullptr;
  return sha256_hex(data ? data : "", size);
}

}  // namespace lp
