#include "keccak.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace lp::eth {
namespace {

// Keccak-f[1600] per "The Keccak reference" v3.0 (theta, rho, pi, chi, iota over 5x5 lanes of
// 64 bits, 24 rounds). Speed comes from three things, described in the Keccak team's
// "Keccak implementation overview" v3.2: the 25 lanes live in local variables (the compiler
// keeps most in registers) and every round is written out with constant indices and rotations;
// rho and pi are folded into the reads of theta's output, one row at a time, so chi can run
// straight away ("plane-per-plane"); and six lanes are kept complemented ("lane
// complementing"), which turns chi's five NOTs per row into one (x86-64 baseline has no ANDN).

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000, 0x000000000000808b,
    0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008a, 0x0000000000000088,
    0x0000000080008009, 0x000000008000000a, 0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008};

// Unaligned little-endian lane load/store: one mov on little-endian targets.
inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 8);
  } else {
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  }
  return v;
}

inline void store_le64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, 8);
  } else {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

// One round from lanes A to lanes E, where AXY is the lane at column x = X, row y = Y (state
// index X + 5Y). Theta first; then, output row by output row, b0..b4 are that row's inputs after
// theta, rho and pi (B[y][2x + 3y] = rotl(A[x][y], rho[x][y])), and chi and iota follow.
// Lanes 10, 20, 31, 22, 23 and 04 are held complemented on entry and on exit. Theta works on
// the stored lanes as they are: columns 0-3 hold an odd number of complemented lanes, so d0 and
// d3 come out complemented too. Each chi line picks whichever of x ^ (~y & z) and its De Morgan
// twin ~(x ^ (y | ~z)) needs no NOT, given which of its inputs and its output are complemented;
// one NOT per row remains. The forms were found mechanically and the tests check them against a
// plain implementation, so change them only as a whole.
#define LP_KECCAK_ROUND(A, E, RC)             \
  c0 = A##00 ^ A##01 ^ A##02 ^ A##03 ^ A##04; \
  c1 = A##10 ^ A##11 ^ A##12 ^ A##13 ^ A##14; \
  c2 = A##20 ^ A##21 ^ A##22 ^ A##23 ^ A##24; \
  c3 = A##30 ^ A##31 ^ A##32 ^ A##33 ^ A##34; \
  c4 = A##40 ^ A##41 ^ A##42 ^ A##43 ^ A##44; \
  d0 = c4 ^ std::rotl(c1, 1);                 \
  d1 = c0 ^ std::rotl(c2, 1);                 \
  d2 = c1 ^ std::rotl(c3, 1);                 \
  d3 = c2 ^ std::rotl(c4, 1);                 \
  d4 = c3 ^ std::rotl(c0, 1);                 \
  b0 = A##00 ^ d0;                            \
  b1 = std::rotl(A##11 ^ d1, 44);             \
  b2 = std::rotl(A##22 ^ d2, 43);             \
  b3 = std::rotl(A##33 ^ d3, 21);             \
  b4 = std::rotl(A##44 ^ d4, 14);             \
  E##00 = b0 ^ (b1 | b2) ^ (RC);              \
  E##10 = b1 ^ (~b2 | b3);                    \
  E##20 = b2 ^ (b3 & b4);                     \
  E##30 = b3 ^ (b4 | b0);                     \
  E##40 = b4 ^ (b0 & b1);                     \
  b0 = std::rotl(A##30 ^ d3, 28);             \
  b1 = std::rotl(A##41 ^ d4, 20);             \
  b2 = std::rotl(A##02 ^ d0, 3);              \
  b3 = std::rotl(A##13 ^ d1, 45);             \
  b4 = std::rotl(A##24 ^ d2, 61);             \
  E##01 = b0 ^ (b1 | b2);                     \
  E##11 = b1 ^ (b2 & b3);                     \
  E##21 = b2 ^ (b3 | ~b4);                    \
  E##31 = b3 ^ (b4 | b0);                     \
  E##41 = b4 ^ (b0 & b1);                     \
  b0 = std::rotl(A##10 ^ d1, 1);              \
  b1 = std::rotl(A##21 ^ d2, 6);              \
  b2 = std::rotl(A##32 ^ d3, 25);             \
  b3 = std::rotl(A##43 ^ d4, 8);              \
  b4 = std::rotl(A##04 ^ d0, 18);             \
  E##02 = b0 ^ (b1 | b2);                     \
  E##12 = b1 ^ (b2 & b3);                     \
  E##22 = b2 ^ (~b3 & b4);                    \
  E##32 = ~b3 ^ (b4 | b0);                    \
  E##42 = b4 ^ (b0 & b1);                     \
  b0 = std::rotl(A##40 ^ d4, 27);             \
  b1 = std::rotl(A##01 ^ d0, 36);             \
  b2 = std::rotl(A##12 ^ d1, 10);             \
  b3 = std::rotl(A##23 ^ d2, 15);             \
  b4 = std::rotl(A##34 ^ d3, 56);             \
  E##03 = b0 ^ (b1 & b2);                     \
  E##13 = b1 ^ (b2 | b3);                     \
  E##23 = b2 ^ (~b3 | b4);                    \
  E##33 = ~b3 ^ (b4 & b0);                    \
  E##43 = b4 ^ (b0 | b1);                     \
  b0 = std::rotl(A##20 ^ d2, 62);             \
  b1 = std::rotl(A##31 ^ d3, 55);             \
  b2 = std::rotl(A##42 ^ d4, 39);             \
  b3 = std::rotl(A##03 ^ d0, 41);             \
  b4 = std::rotl(A##14 ^ d1, 2);              \
  E##04 = b0 ^ (~b1 & b2);                    \
  E##14 = ~b1 ^ (b2 | b3);                    \
  E##24 = b2 ^ (b3 & b4);                     \
  E##34 = b3 ^ (b4 | b0);                     \
  E##44 = b4 ^ (b0 & b1);

constexpr size_t kBlockBytes = 136;  // the rate: 17 lanes (Keccak256::kRate)

// Absorbs `blocks` consecutive rate-sized blocks from `in` into the state, permuting after each;
// in == nullptr permutes `blocks` times without absorbing (padding is already in the state).
void absorb_blocks(std::array<uint64_t, 25>& s, const uint8_t* in, size_t blocks) {
  uint64_t a00 = s[0], a10 = ~s[1], a20 = ~s[2], a30 = s[3], a40 = s[4];
  uint64_t a01 = s[5], a11 = s[6], a21 = s[7], a31 = ~s[8], a41 = s[9];
  uint64_t a02 = s[10], a12 = s[11], a22 = ~s[12], a32 = s[13], a42 = s[14];
  uint64_t a03 = s[15], a13 = s[16], a23 = ~s[17], a33 = s[18], a43 = s[19];
  uint64_t a04 = ~s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
  uint64_t e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22, e32, e42;
  uint64_t e03, e13, e23, e33, e43, e04, e14, e24, e34, e44;
  uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
  for (; blocks > 0; --blocks) {
    if (in != nullptr) {
      // XOR is linear, so input goes into complemented lanes as is.
      a00 ^= load_le64(in);
      a10 ^= load_le64(in + 8);
      a20 ^= load_le64(in + 16);
      a30 ^= load_le64(in + 24);
      a40 ^= load_le64(in + 32);
      a01 ^= load_le64(in + 40);
      a11 ^= load_le64(in + 48);
      a21 ^= load_le64(in + 56);
      a31 ^= load_le64(in + 64);
      a41 ^= load_le64(in + 72);
      a02 ^= load_le64(in + 80);
      a12 ^= load_le64(in + 88);
      a22 ^= load_le64(in + 96);
      a32 ^= load_le64(in + 104);
      a42 ^= load_le64(in + 112);
      a03 ^= load_le64(in + 120);
      a13 ^= load_le64(in + 128);
      in += kBlockBytes;
    }
    // Two rounds per iteration so the lanes swap between the a and e sets without copies.
    for (int round = 0; round < 24; round += 2) {
      LP_KECCAK_ROUND(a, e, kRoundConstants[round])
      LP_KECCAK_ROUND(e, a, kRoundConstants[round + 1])
    }
  }
  s = {a00, ~a10, ~a20, a30, a40,  a01, a11, a21,  ~a31, a41, a02, a12, ~a22,
       a32, a42,  a03,  a13, ~a23, a33, a43, ~a04, a14,  a24, a34, a44};
}

#undef LP_KECCAK_ROUND

// XORs n bytes into the state from byte position pos on: byte i of the state is byte i % 8 of
// lane i / 8. Whole lanes go in with one load; only a ragged start or end goes byte by byte.
void xor_bytes(std::array<uint64_t, 25>& s, size_t pos, const uint8_t* p, size_t n) {
  for (; n > 0 && pos % 8 != 0; ++pos, ++p, --n) s[pos / 8] ^= uint64_t{*p} << (8 * (pos % 8));
  for (; n >= 8; pos += 8, p += 8, n -= 8) s[pos / 8] ^= load_le64(p);
  for (; n > 0; ++pos, ++p, --n) s[pos / 8] ^= uint64_t{*p} << (8 * (pos % 8));
}

}  // namespace

Keccak256& Keccak256::update(std::span<const uint8_t> data) {
  static_assert(kRate == kBlockBytes);
  assert(!finished_);
  const uint8_t* p = data.data();
  size_t n = data.size();
  if (pos_ > 0) {  // top up the block a previous update() left partial
    size_t take = std::min(n, kRate - pos_);
    xor_bytes(state_, pos_, p, take);
    pos_ += take;
    p += take;
    n -= take;
    if (pos_ < kRate) return *this;
    absorb_blocks(state_, nullptr, 1);
    pos_ = 0;
  }
  // Whole blocks straight from the caller's buffer; the rest waits in the state.
  size_t blocks = n / kRate;
  if (blocks > 0) absorb_blocks(state_, p, blocks);
  xor_bytes(state_, 0, p + blocks * kRate, n - blocks * kRate);
  pos_ = n - blocks * kRate;
  return *this;
}

Keccak256& Keccak256::update(std::string_view data) {
  return update(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Digest Keccak256::finish() {
  assert(!finished_);
  finished_ = true;
  // Keccak's multi-rate padding: 0x01 after the message, 0x80 on the block's last byte.
  const uint8_t first = 0x01, last = 0x80;
  xor_bytes(state_, pos_, &first, 1);
  xor_bytes(state_, kRate - 1, &last, 1);
  absorb_blocks(state_, nullptr, 1);
  Digest out;
  for (size_t i = 0; i < out.size() / 8; ++i) store_le64(out.data() + 8 * i, state_[i]);
  return out;
}

Digest keccak256(std::span<const uint8_t> data) { return Keccak256().update(data).finish(); }

Digest keccak256(std::string_view data) { return Keccak256().update(data).finish(); }

}  // namespace lp::eth
