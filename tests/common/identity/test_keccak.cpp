// Keccak-256 (Ethereum's, not SHA3-256) against published and independently computed digests.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hex.h"
#include "keccak.h"

namespace lp::eth {
namespace {

std::string hash_hex(std::string_view data) { return to_hex(keccak256(data)); }

// A second Keccak-256, written from "The Keccak reference" v3.0 as plainly as possible and
// sharing nothing with keccak.cpp: round constants and rho offsets derived from their
// definitions, lanes as a[x][y], loops instead of unrolling, one byte absorbed at a time.
namespace ref {

using Lanes = uint64_t[5][5];

// rc(t): output bit of the LFSR x^8 + x^6 + x^5 + x^4 + 1 after t steps (spec, section 1.2).
bool rc_bit(int t) {
  unsigned r = 1;
  for (int i = 0; i < t % 255; ++i) {
    r <<= 1;
    if (r & 0x100) r ^= 0x171;
  }
  return r & 1;
}

uint64_t round_constant(int round) {
  uint64_t rc = 0;
  for (int j = 0; j <= 6; ++j)
    if (rc_bit(j + 7 * round)) rc |= uint64_t{1} << ((1 << j) - 1);
  return rc;
}

void keccak_f(Lanes& a) {
  // rho offsets: (t+1)(t+2)/2 along the walk (x, y) -> (y, 2x + 3y) from (1, 0).
  int rho[5][5] = {};
  for (int t = 0, x = 1, y = 0; t < 24; ++t) {
    rho[x][y] = (t + 1) * (t + 2) / 2 % 64;
    int next_y = (2 * x + 3 * y) % 5;
    x = y;
    y = next_y;
  }
  for (int round = 0; round < 24; ++round) {
    uint64_t c[5], d[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4];
    for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
    for (int x = 0; x < 5; ++x)
      for (int y = 0; y < 5; ++y) a[x][y] ^= d[x];  // theta
    Lanes b;
    for (int x = 0; x < 5; ++x)
      for (int y = 0; y < 5; ++y) b[y][(2 * x + 3 * y) % 5] = std::rotl(a[x][y], rho[x][y]);
    for (int x = 0; x < 5; ++x)
      for (int y = 0; y < 5; ++y) a[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]);  // chi
    a[0][0] ^= round_constant(round);                                                            // iota
  }
}

Digest keccak256(std::span<const uint8_t> data) {
  constexpr size_t kRate = 136;
  // pad10*1 with Keccak's (not FIPS 202's) suffix: 0x01 ... 0x80, or 0x81 when one byte is left.
  std::vector<uint8_t> m(data.begin(), data.end());
  m.push_back(0x01);
  while (m.size() % kRate != 0) m.push_back(0x00);
  m.back() ^= 0x80;
  Lanes a = {};
  for (size_t block = 0; block < m.size(); block += kRate) {
    for (size_t i = 0; i < kRate; ++i)  // byte i -> lane i / 8 = x + 5y, little-endian
      a[i / 8 % 5][i / 8 / 5] ^= uint64_t{m[block + i]} << (8 * (i % 8));
    keccak_f(a);
  }
  Digest out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(a[i / 8 % 5][i / 8 / 5] >> (8 * (i % 8)));
  return out;
}

}  // namespace ref

// Deterministic bytes that differ from block to block and from lane to lane.
std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  uint32_t x = 0x12345678;
  for (auto& b : v) {
    x = x * 1664525 + 1013904223;
    b = static_cast<uint8_t>(x >> 24);
  }
  return v;
}

TEST(Keccak, KnownDigests) {
  // Empty string and "abc": the digests every Ethereum library documents (keccak256("") is
  // the "empty code hash" of the Ethereum yellow paper).
  EXPECT_EQ(hash_hex(""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(hash_hex("abc"), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(hash_hex("The quick brown fox jumps over the lazy dog"),
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak, IsNotSha3) {
  // SHA3-256("") (FIPS 202, padding 0x06) differs: a library swap would show here.
  EXPECT_NE(hash_hex(""), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST(Keccak, BlockBoundaries) {
  // 'a' repeated around the 136-byte rate and a long input; computed with ethers 6.17.0
  // (keccak256 from @noble/hashes), an implementation independent of ours.
  struct Case {
    size_t n;
    const char* digest;
  } cases[] = {
      {135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"},
      {136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"},
      {137, "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"},
      {1000000, "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96"},
  };
  for (const auto& c : cases) EXPECT_EQ(hash_hex(std::string(c.n, 'a')), c.digest) << c.n;
}

TEST(Keccak, StreamingMatchesOneShot) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  Digest whole = keccak256(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    Keccak256 h;
    h.update(std::string_view(data).substr(0, split));
    h.update(std::string_view(data).substr(split));
    ASSERT_EQ(h.finish(), whole) << "split at " << split;
  }
  Keccak256 bytewise;
  for (char c : data) bytewise.update(std::string_view(&c, 1));
  EXPECT_EQ(bytewise.finish(), whole);
}

TEST(Keccak, ReferenceMatchesPublishedDigests) {
  // The reference has to be right on its own before it can vouch for the fast one.
  auto ref_hex = [](std::string_view s) {
    return to_hex(ref::keccak256(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size())));
  };
  EXPECT_EQ(ref_hex(""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(ref_hex("abc"), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(ref_hex(std::string(137, 'a')), "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39");
}

TEST(Keccak, MatchesReferenceAtEveryLength) {
  // 0..600 bytes covers the empty input, the 136-byte rate and its multiples up to 4 blocks,
  // and every padding position; odd start offsets exercise unaligned lane loads.
  std::vector<uint8_t> buf = pattern(608);
  for (size_t n = 0; n <= 600; ++n) {
    auto data = std::span<const uint8_t>(buf).subspan(n % 8, n);
    ASSERT_EQ(keccak256(data), ref::keccak256(data)) << "length " << n;
  }
}

TEST(Keccak, IncrementalMatchesReference) {
  for (size_t n : {1, 8, 135, 136, 137, 271, 272, 273, 500}) {
    std::vector<uint8_t> data = pattern(n);
    const auto all = std::span<const uint8_t>(data);
    const Digest expected = ref::keccak256(all);
    // Two updates, split at every offset.
    for (size_t split = 0; split <= n; ++split) {
      Keccak256 h;
      h.update(all.first(split)).update(all.subspan(split));
      ASSERT_EQ(h.finish(), expected) << "length " << n << " split at " << split;
    }
    // Equal chunks of every size, so partial blocks get topped up from every position.
    for (size_t chunk = 1; chunk <= n; ++chunk) {
      Keccak256 h;
      for (size_t at = 0; at < n; at += chunk) h.update(all.subspan(at, std::min(chunk, n - at)));
      ASSERT_EQ(h.finish(), expected) << "length " << n << " chunks of " << chunk;
    }
    // Empty updates anywhere change nothing.
    Keccak256 h;
    h.update(std::span<const uint8_t>()).update(all).update(std::string_view());
    ASSERT_EQ(h.finish(), expected) << "length " << n;
  }
}

}  // namespace
}  // namespace lp::eth
