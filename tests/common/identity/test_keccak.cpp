// Keccak-256 (Ethereum's, not SHA3-256) against published and independently computed digests.
#include <gtest/gtest.h>

#include <string>

#include "hex.h"
#include "keccak.h"

namespace lp::eth {
namespace {

std::string hash_hex(std::string_view data) { return to_hex(keccak256(data)); }

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

}  // namespace
}  // namespace lp::eth
