// One fixed ticket and the values an independent implementation computes for it: node 20 with
// ethers 5.4.4 (shared/lpchain's pinned node_modules) and node's crypto HMAC, by this script:
//   recipientRand = createHmac('sha256', kSecret).update(seed‖sender‖fv‖wp‖expBlock‖1200‖1‖auxData)
//     with every number as minimal big-endian bytes (BigInt), auxData = word(round)‖blockHash;
//   recipientRandHash = ethers.utils.keccak256(recipientRand);
//   ticketHash = ethers.utils.solidityKeccak256(
//       ['address','address','uint256','uint256','uint256','bytes32','bytes'],
//       [recipient, sender, fv, wp, nonce, recipientRandHash, auxData]);
//   sig = new ethers.Wallet(kWeb3Key).signMessage(arrayify(ticketHash));
//   winHash = solidityKeccak256(['bytes','uint256'], [sig, recipientRand]).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "hex.h"
#include "recipient_rand.h"
#include "ticket.h"

namespace lp::pm::test {

// The web3.js documentation's example key (public; never use it for anything real) is the sender.
inline constexpr const char* kSenderKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
inline constexpr const char* kSender = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
inline constexpr const char* kRecipient = "0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F";
inline constexpr const char* kSecret = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
// A seed whose first byte is zero: big.Int.Bytes() drops it from the HMAC input.
inline constexpr const char* kSeed = "0x00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";
inline constexpr const char* kFaceValue = "1234567890123456789012345";
inline constexpr const char* kWinProbHex =
    "0x8000000000000000000000000000000000000000000000000000000000003039";  // 2^255 + 12345
inline constexpr uint64_t kExpirationBlock = 19000040;
inline constexpr int64_t kCreationRound = 4321;
inline constexpr const char* kBlockHash = "0x1111111111111111111111111111111122222222222222222222222222222222";
inline constexpr uint32_t kNonce = 7;

inline constexpr const char* kRandMessage =
    "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f2c7536e3605d9c16a7a3d7b1898e529396a65c"
    "2301056e0f36a6443de2df7980000000000000000000000000000000000000000000000000000000000030390121eae804b0"
    "0100000000000000000000000000000000000000000000000000000000000010e11111111111111111111111111111111122"
    "222222222222222222222222222222";
inline constexpr const char* kRecipientRand = "0x1dcbc33e1d90d413f11ab0e50be32b0dd969e332635bbb7d59d8af21d7110b1f";
inline constexpr const char* kRecipientRandHash = "0x5856f172d7de6cee2f47c6a7367a74f8211bb5da1fe94addddea4008857bb09d";
inline constexpr const char* kTicketHash = "0xe93fd1b4c440a41081707f6f55cd489bb78c6ca1d169cdbedd316959ed6e8153";
// The same ticket with creation round 0 and a zero block hash: auxData is empty.
inline constexpr const char* kTicketHashNoAux = "0xa924a438ba7973b81b691aed8e443b148e5d2ea44a0aac849efb6b283300447b";
inline constexpr const char* kTicketSig =
    "0x0dbca642b5fbaef2dfd5eddd4b3eba219a2aa991f5458023d852aac639d868080dc9251542efe8c9d18baf884690098a68"
    "7870d3aa372810ff12baf36d26c0d01b";
inline constexpr const char* kWinHash = "0xef0a5772bd23f444a0d6e21ce6f7e59d6b2eeff19ff267267a49ba7f567ad117";

template <size_t N>
std::array<uint8_t, N> fixed(const char* hex) {
  auto bytes = eth::from_hex_sized(hex, N, "test vector", ErrorCode::Internal).value();
  std::array<uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}
inline U256 u256_hex(const char* hex) { return U256::from_bytes32(fixed<32>(hex)); }
inline U256 u256_dec(const char* dec) { return U256::from_dec(dec).value(); }
inline eth::Address address(const char* text) { return eth::parse_address(text).value(); }
inline RecipientSecret secret() { return RecipientSecret(fixed<32>(kSecret)); }

inline RandInputs rand_inputs() {
  RandInputs in;
  in.seed = u256_hex(kSeed);
  in.sender = address(kSender);
  in.face_value = u256_dec(kFaceValue);
  in.win_prob = u256_hex(kWinProbHex);
  in.expiration_block = kExpirationBlock;
  in.price = Price::make(1200, 1).value();
  in.expiration = {kCreationRound, fixed<32>(kBlockHash)};
  return in;
}

inline Ticket ticket() {
  Ticket t;
  t.recipient = address(kRecipient);
  t.sender = address(kSender);
  t.face_value = u256_dec(kFaceValue);
  t.win_prob = u256_hex(kWinProbHex);
  t.sender_nonce = kNonce;
  t.recipient_rand_hash = fixed<32>(kRecipientRandHash);
  t.creation_round = kCreationRound;
  t.creation_round_block_hash = fixed<32>(kBlockHash);
  return t;
}

// `r` failed with `code` and a message containing `part`.
template <typename T>
::testing::AssertionResult Fails(const Result<T>& r, ErrorCode code, const std::string& part) {
  if (r.ok()) return ::testing::AssertionFailure() << "succeeded, expected: " << part;
  if (r.error().code != code || r.error().message.find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << error_code_name(r.error().code) << ": " << r.error().message
                                         << "\n  expected " << error_code_name(code) << " containing: " << part;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace lp::pm::test
