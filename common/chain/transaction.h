// Ethereum transactions signed with the node's key: legacy with EIP-155 replay protection
// (any chain) and EIP-1559 dynamic-fee (type 2, Arbitrum and post-London chains). The result
// is what eth_sendRawTransaction takes, plus the hash the chain will know it by.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "address.h"
#include "error.h"
#include "eth_key.h"
#include "keccak.h"
#include "u256.h"

namespace lp::chain {

using Bytes = std::vector<uint8_t>;

// Legacy transaction, signed as EIP-155 says: v = chainId * 2 + 35 + recovery id.
struct LegacyTx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  U256 gas_price;
  uint64_t gas = 0;
  std::optional<eth::Address> to;  // empty: contract creation
  U256 value;
  Bytes data;
};

// EIP-1559 transaction (type 0x02) with an empty access list.
struct Eip1559Tx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  uint64_t gas = 0;
  std::optional<eth::Address> to;
  U256 value;
  Bytes data;
};

struct SignedTx {
  Bytes raw;         // for eth_sendRawTransaction
  eth::Digest hash;  // keccak256(raw): the transaction hash
};

// What the key signs: keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]))
// for legacy, keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas,
// to, value, data, []])) for EIP-1559.
eth::Digest signing_hash(const LegacyTx& tx);
eth::Digest signing_hash(const Eip1559Tx& tx);

SignedTx sign(const LegacyTx& tx, const eth::PrivateKey& key);
SignedTx sign(const Eip1559Tx& tx, const eth::PrivateKey& key);

// A raw signed transaction read back: the fields, and the signer recovered from them. For our
// own tests and for checking what a node echoes; handles the two kinds sign() produces.
struct DecodedTx {
  std::optional<LegacyTx> legacy;
  std::optional<Eip1559Tx> eip1559;
  eth::Address sender;
};
Result<DecodedTx> decode_signed(std::span<const uint8_t> raw);

}  // namespace lp::chain
