#include "keccak.h"

#include <bit>
#include <cassert>

namespace lp::eth {
namespace {

// Keccak-f[1600] constants (Keccak reference, "The Keccak reference" v3.0, sections 1.2 and 2.3).
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
    0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008};

// rho offsets and pi destinations, in the order the combined rho-pi walk visits lanes.
constexpr int kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                          27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

void keccak_f1600(std::array<uint64_t, 25>& a) {
  for (uint64_t rc : kRoundConstants) {
    // theta: each lane absorbs the parity of two neighbouring columns.
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    // rho and pi: rotate each lane and move it to its new position.
    uint64_t carry = a[1];
    for (int i = 0; i < 24; ++i) {
      uint64_t next = a[kPi[i]];
      a[kPi[i]] = std::rotl(carry, kRho[i]);
      carry = next;
    }
    // chi: the only non-linear step, row by row.
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) row[x] = a[y + x];
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    // iota
    a[0] ^= rc;
  }
}

// Lanes are little-endian: byte i of the state is byte i % 8 of lane i / 8.
void xor_byte(std::array<uint64_t, 25>& state, size_t pos, uint8_t b) {
  state[pos / 8] ^= static_cast<uint64_t>(b) << (8 * (pos % 8));
}

}  // namespace

Keccak256& Keccak256::update(std::span<const uint8_t> data) {
  assert(!finished_);
  size_t i = 0;
  // Whole blocks go in lane by lane; the rest byte by byte.
  while (pos_ == 0 && data.size() - i >= kRate) {
    for (size_t lane = 0; lane < kRate / 8; ++lane) {
      uint64_t v = 0;
      for (int b = 7; b >= 0; --b) v = v << 8 | data[i + lane * 8 + static_cast<size_t>(b)];
      state_[lane] ^= v;
    }
    keccak_f1600(state_);
    i += kRate;
  }
  for (; i < data.size(); ++i) {
    xor_byte(state_, pos_, data[i]);
    if (++pos_ == kRate) {
      keccak_f1600(state_);
      pos_ = 0;
    }
  }
  return *this;
}

Keccak256& Keccak256::update(std::string_view data) {
  return update(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Digest Keccak256::finish() {
  assert(!finished_);
  finished_ = true;
  // Keccak's multi-rate padding: 0x01 after the message, 0x80 on the block's last byte.
  xor_byte(state_, pos_, 0x01);
  xor_byte(state_, kRate - 1, 0x80);
  keccak_f1600(state_);
  Digest out;
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  return out;
}

Digest keccak256(std::span<const uint8_t> data) { return Keccak256().update(data).finish(); }

Digest keccak256(std::string_view data) { return Keccak256().update(data).finish(); }

}  // namespace lp::eth
