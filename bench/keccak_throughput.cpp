// Keccak-256 throughput: lp::eth::keccak256 against OpenSSL's EVP SHA3-256 (the same
// Keccak-f[1600] permutation and rate, only the padding differs), in the same process and run
// so the ratio is meaningful on whatever machine runs it. Run by bench/keccak.sh.
//
//   keccak_throughput [SECONDS]   time per measurement (default 0.3); best of 5, interleaved
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <span>
#include <vector>

#include "keccak.h"

namespace {

using Clock = std::chrono::steady_clock;

// Hashes `buf` repeatedly for about `seconds`; returns MB/s (10^6 bytes).
double measure(const std::function<uint8_t(std::span<const uint8_t>)>& hash, std::span<const uint8_t> buf,
               double seconds) {
  volatile uint8_t sink = 0;  // keeps the digests observable so nothing is optimised away
  size_t iterations = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 4; ++i) sink = sink ^ hash(buf);
    iterations += 4;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(iterations * buf.size()) / elapsed / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
    return 2;
  }

  EVP_MD* sha3 = EVP_MD_fetch(nullptr, "SHA3-256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (sha3 == nullptr || ctx == nullptr) {
    std::fprintf(stderr, "OpenSSL has no SHA3-256\n");
    return 1;
  }
  auto ours = [](std::span<const uint8_t> b) { return lp::eth::keccak256(b)[0]; };
  auto openssl = [&](std::span<const uint8_t> b) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestInit_ex(ctx, sha3, nullptr) != 1 || EVP_DigestUpdate(ctx, b.data(), b.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &len) != 1) {
      std::fprintf(stderr, "OpenSSL SHA3-256 failed\n");
      std::exit(1);
    }
    return static_cast<uint8_t>(md[0]);
  };

  std::printf("| buffer   | keccak256 (ours) MB/s | OpenSSL SHA3-256 MB/s | ours / OpenSSL |\n");
  std::printf("|----------|----------------------:|----------------------:|---------------:|\n");
  for (size_t size : {size_t{1} << 20, size_t{64} << 10}) {
    std::vector<uint8_t> buf(size);
    for (size_t i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(i * 131 + 7);
    // Interleaved best-of-5: frequency changes and a busy neighbour hit both alike.
    double best_ours = 0, best_openssl = 0;
    for (int rep = 0; rep < 5; ++rep) {
      best_ours = std::max(best_ours, measure(ours, buf, seconds));
      best_openssl = std::max(best_openssl, measure(openssl, buf, seconds));
    }
    std::printf("| %4zu KiB | %21.0f | %21.0f | %14.2f |\n", size >> 10, best_ours, best_openssl,
                best_ours / best_openssl);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(sha3);
  return 0;
}
