// Sends transactions signed with the node's key and waits for them to be mined: the nonce is
// the account's pending count, gas the node's estimate plus a margin, fees EIP-1559 where the
// chain has a base fee (maxFee = 2 * baseFee + tip, as go-ethereum's bind package does) and
// legacy EIP-155 otherwise. A transaction that reverts comes back as an error with its reason
// (re-run with eth_call at the block it was mined in).
//
// Blocking, like EthRpc: for the chain worker thread. Nonces come from the node on every send,
// so one TxSender per key must send one transaction at a time (the worker's queue does).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "address.h"
#include "error.h"
#include "eth_key.h"
#include "eth_rpc.h"
#include "transaction.h"
#include "u256.h"

namespace lp::chain {

struct TxRequest {
  eth::Address to;
  U256 value;
  Bytes data;
  std::optional<uint64_t> gas_limit;     // empty: estimate it (and refuse a call that would revert)
  std::optional<uint64_t> gas_estimate = std::nullopt;  // the caller's own estimate, used instead of asking again
};

struct TxOptions {
  // Gas limit = estimate * numerator / denominator (x1.2).
  uint64_t gas_margin_numerator = 6;
  uint64_t gas_margin_denominator = 5;
  // The tip when the node has no eth_maxPriorityFeePerGas (1 gwei).
  U256 default_priority_fee = U256(1'000'000'000);
  bool force_legacy = false;  // legacy EIP-155 even where the chain has a base fee
  std::chrono::milliseconds receipt_timeout{120000};
  std::chrono::milliseconds poll_interval{250};
};

// What was (or is to be) sent: the signed transaction and how it was priced.
struct SentTx {
  eth::Digest hash{};
  uint64_t nonce = 0;
  uint64_t gas_limit = 0;
  bool eip1559 = false;
  U256 max_fee_per_gas;  // gasPrice for legacy
  U256 max_priority_fee_per_gas;
};

class TxSender {
 public:
  // `rpc` and `key` must outlive the sender. The chain id is asked of the node on first use.
  TxSender(EthRpc& rpc, const eth::PrivateKey& key, TxOptions options = {});

  const eth::Address& address() const { return key_.address(); }

  // Prices and signs without sending: the hash is known before the node has the transaction
  // (the redeemer records it first). Send it with send(prepared).
  struct Prepared {
    SignedTx signed_tx;
    SentTx sent;
  };
  Result<Prepared> prepare(const TxRequest& request);
  Result<SentTx> send(const Prepared& prepared);
  // prepare() then send(); does not wait.
  Result<SentTx> send(const TxRequest& request);
  // Polls for the receipt until it comes or receipt_timeout passes (Timeout). A mined
  // transaction with status 0 is a BadRequest error "transaction 0x... reverted in block N:
  // <reason>".
  Result<Receipt> wait(const SentTx& sent, const TxRequest& request);
  // send() then wait().
  Result<Receipt> send_and_wait(const TxRequest& request);

 private:
  Result<uint64_t> chain_id();
  // Why the mined transaction reverted: the same call again at its block.
  std::string revert_reason(const TxRequest& request, const Receipt& receipt, uint64_t gas_limit);

  EthRpc& rpc_;
  const eth::PrivateKey& key_;
  TxOptions options_;
  std::optional<uint64_t> chain_id_;
};

}  // namespace lp::chain
