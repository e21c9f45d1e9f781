#include "result_signing.h"

namespace lp::eth {

std::vector<Digest> rendition_hashes(std::span<const std::span<const uint8_t>> renditions) {
  std::vector<Digest> hashes;
  hashes.reserve(renditions.size());
  for (auto r : renditions) hashes.push_back(keccak256(r));
  return hashes;
}

Digest results_digest(std::span<const Digest> rendition_hashes) {
  Keccak256 h;
  for (const Digest& d : rendition_hashes) h.update(d);
  return h.finish();
}

Signature sign_results(const PrivateKey& key, std::span<const Digest> rendition_hashes) {
  return personal_sign(key, results_digest(rendition_hashes));
}

Signature sign_results(const PrivateKey& key, std::span<const std::span<const uint8_t>> renditions) {
  return sign_results(key, rendition_hashes(renditions));
}

Result<Address> verify_results(std::span<const Digest> rendition_hashes, const Signature& sig,
                               const Address& expected) {
  return verify_personal(results_digest(rendition_hashes), sig, expected);
}

Result<Address> verify_results(std::span<const std::span<const uint8_t>> renditions, const Signature& sig,
                               const Address& expected) {
  return verify_results(rendition_hashes(renditions), sig, expected);
}

}  // namespace lp::eth
