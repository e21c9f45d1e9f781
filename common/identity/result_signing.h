// Transcode results signed as go-livepeer signs them: personal_sign over
// keccak256(keccak256(rendition_0) ‖ keccak256(rendition_1) ‖ ...), in profile order.
// The signed message is the 32-byte digest itself, so the EIP-191 prefix reads "...:\n32".
#pragma once

#include <span>
#include <vector>

#include "eth_key.h"

namespace lp::eth {

// keccak256 of each rendition's bytes, in order.
std::vector<Digest> rendition_hashes(std::span<const std::span<const uint8_t>> renditions);

// keccak256(h0 ‖ h1 ‖ ...): the 32 bytes that get personal_sign'ed.
Digest results_digest(std::span<const Digest> rendition_hashes);

Signature sign_results(const PrivateKey& key, std::span<const Digest> rendition_hashes);
Signature sign_results(const PrivateKey& key, std::span<const std::span<const uint8_t>> renditions);

// The signer if it is `expected`; a tampered, missing, extra or reordered rendition fails.
Result<Address> verify_results(std::span<const Digest> rendition_hashes, const Signature& sig, const Address& expected);
Result<Address> verify_results(std::span<const std::span<const uint8_t>> renditions, const Signature& sig,
                               const Address& expected);

}  // namespace lp::eth
