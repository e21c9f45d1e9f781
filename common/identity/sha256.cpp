#include "sha256.h"

#include <openssl/sha.h>

namespace lp {

std::string sha256_hex(const void* data, size_t size) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(static_cast<const unsigned char*>(data), size, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sha256_hex(GBytes* bytes) {
  gsize size = 0;
  const void* data = bytes ? g_bytes_get_data(bytes, &size) : nullptr;
  return sha256_hex(data ? data : "", size);
}

}  // namespace lp
