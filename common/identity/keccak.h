// Keccak-256 as Ethereum uses it: the original Keccak submission's padding (0x01), which is
// not FIPS 202 SHA3-256 (0x06). OpenSSL 3.0 has only the latter, hence our own permutation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lp::eth {

using Digest = std::array<uint8_t, 32>;

// Streaming hasher: update() any number of times, then finish() once.
class Keccak256 {
 public:
  Keccak256& update(std::span<const uint8_t> data);
  Keccak256& update(std::string_view data);
  Digest finish();

 private:
  static constexpr size_t kRate = 136;  // bytes absorbed per permutation (1600 - 2*256 bits)
  std::array<uint64_t, 25> state_{};
  size_t pos_ = 0;  // bytes of the current block absorbed so far
  bool finished_ = false;
};

Digest keccak256(std::span<const uint8_t> data);
Digest keccak256(std::string_view data);

}  // namespace lp::eth
