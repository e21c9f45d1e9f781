// Web3 Secret Storage v3 key files, the format geth, go-livepeer, ethers and web3.js read and
// write: scrypt or pbkdf2-hmac-sha256, aes-128-ctr, MAC = keccak256(dk[16..32] ‖ ct).
// scrypt is libsodium's; pbkdf2, AES and random bytes are OpenSSL's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "error.h"
#include "eth_key.h"

namespace lp::eth {

struct ScryptParams {
  uint64_t n = 262144;  // CPU/memory cost, a power of two
  uint32_t r = 8;
  uint32_t p = 1;
};

// geth's StandardScryptN/P (256 MiB, about a second) and LightScryptN/P (4 MiB): use the light
// one only where the file never leaves a test.
inline constexpr ScryptParams kScryptStandard{262144, 8, 1};
inline constexpr ScryptParams kScryptLight{4096, 8, 6};

// A v3 JSON document for `key`: scrypt with `params`, dklen 32, random salt and IV, a UUID v4
// id and the address in lower-case hex without 0x, as geth writes it.
Result<std::string> encrypt_keystore(const PrivateKey& key, std::string_view password,
                                     const ScryptParams& params = kScryptStandard);

// Decrypts a v3 document. A MAC mismatch is ErrorCode::Unauthorized "wrong password"; a
// malformed document is ErrorCode::BadKey naming the problem (invalid JSON, missing field X,
// unsupported kdf/cipher, bad hex in Y, ...). Reads scrypt and pbkdf2 (hmac-sha256) files.
Result<PrivateKey> decrypt_keystore(std::string_view json, std::string_view password);

// The "address" field, without decrypting (geth writes it; the spec makes it optional).
Result<Address> keystore_address(std::string_view json);

}  // namespace lp::eth
