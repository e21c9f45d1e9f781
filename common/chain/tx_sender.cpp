#include "tx_sender.h"

#include <glib.h>

#include <algorithm>

#include "hex.h"

namespace lp::chain {

TxSender::TxSender(EthRpc& rpc, const eth::PrivateKey& key, TxOptions options)
    : rpc_(rpc), key_(key), options_(std::move(options)) {}

Result<uint64_t> TxSender::chain_id() {
  if (!chain_id_) {
    auto id = rpc_.chain_id();
    if (!id) return id.error();
    chain_id_ = *id;
  }
  return *chain_id_;
}

Result<TxSender::Prepared> TxSender::prepare(const TxRequest& request) {
  auto id = chain_id();
  if (!id) return id.error();
  auto nonce = rpc_.get_transaction_count(address(), BlockId::pending());
  if (!nonce) return nonce.error();

  SentTx sent;
  sent.nonce = *nonce;
  if (request.gas_limit) {
    sent.gas_limit = *request.gas_limit;
  } else {
    uint64_t estimate = 0;
    if (request.gas_estimate) {
      estimate = *request.gas_estimate;
    } else {
      CallRequest call{address(), request.to, request.data, request.value, std::nullopt};
      auto estimated = rpc_.estimate_gas(call);
      if (!estimated) return estimated.error();  // a revert here carries its reason
      estimate = *estimated;
    }
    const uint64_t num = options_.gas_margin_numerator;
    const uint64_t den = std::max<uint64_t>(options_.gas_margin_denominator, 1);
    sent.gas_limit = estimate / den * num + estimate % den * num / den;
  }

  std::optional<U256> base_fee;
  if (!options_.force_legacy) {
    auto head = rpc_.get_block(BlockId::latest());
    if (!head) return head.error();
    base_fee = head->base_fee_per_gas;
  }
  SignedTx signed_tx;
  if (base_fee) {
    U256 tip = options_.default_priority_fee;
    if (auto suggested = rpc_.max_priority_fee()) {
      tip = *suggested;
    } else if (suggested.error().code != ErrorCode::Unsupported) {
      return suggested.error();
    }
    auto doubled = U256::checked_mul(*base_fee, 2);
    auto max_fee = doubled ? U256::checked_add(*doubled, tip) : std::nullopt;
    if (!max_fee) return Error{ErrorCode::BadRequest, "base fee " + base_fee->to_dec() + " wei is out of range"};
    Eip1559Tx tx;
    tx.chain_id = *id;
    tx.nonce = sent.nonce;
    tx.max_priority_fee_per_gas = tip;
    tx.max_fee_per_gas = *max_fee;
    tx.gas = sent.gas_limit;
    tx.to = request.to;
    tx.value = request.value;
    tx.data = request.data;
    signed_tx = sign(tx, key_);
    sent.eip1559 = true;
    sent.max_fee_per_gas = *max_fee;
    sent.max_priority_fee_per_gas = tip;
  } else {
    auto price = rpc_.gas_price();
    if (!price) return price.error();
    LegacyTx tx;
    tx.chain_id = *id;
    tx.nonce = sent.nonce;
    tx.gas_price = *price;
    tx.gas = sent.gas_limit;
    tx.to = request.to;
    tx.value = request.value;
    tx.data = request.data;
    signed_tx = sign(tx, key_);
    sent.max_fee_per_gas = *price;
  }
  sent.hash = signed_tx.hash;
  return Prepared{std::move(signed_tx), sent};
}

Result<SentTx> TxSender::send(const Prepared& prepared) {
  auto hash = rpc_.send_raw_transaction(prepared.signed_tx.raw);
  if (!hash) return hash.error();
  SentTx sent = prepared.sent;
  sent.hash = *hash;
  return sent;
}

Result<SentTx> TxSender::send(const TxRequest& request) {
  auto prepared = prepare(request);
  if (!prepared) return prepared.error();
  return send(*prepared);
}

Result<Receipt> TxSender::wait(const SentTx& sent, const TxRequest& request) {
  const std::string name = "transaction " + eth::to_hex_0x(sent.hash);
  const gint64 deadline = g_get_monotonic_time() + options_.receipt_timeout.count() * 1000;
  for (;;) {
    auto receipt = rpc_.get_transaction_receipt(sent.hash);
    if (!receipt) return receipt.error();
    if (*receipt) {
      Receipt r = std::move(**receipt);
      if (r.status) return r;
      return Error{ErrorCode::BadRequest, name + " reverted in block " + std::to_string(r.block_number) +
                                              " (gas used " + std::to_string(r.gas_used) + " of " +
                                              std::to_string(sent.gas_limit) +
                                              "): " + revert_reason(request, r, sent.gas_limit)};
    }
    if (g_get_monotonic_time() >= deadline) {
      return Error{ErrorCode::Timeout, name + " (nonce " + std::to_string(sent.nonce) + ") not mined after " +
                                           std::to_string(options_.receipt_timeout.count()) + " ms"};
    }
    g_usleep(static_cast<gulong>(options_.poll_interval.count()) * 1000);
  }
}

Result<Receipt> TxSender::send_and_wait(const TxRequest& request) {
  auto sent = send(request);
  if (!sent) return sent.error();
  return wait(*sent, request);
}

// At the block it was mined in: the state a block later than the transaction saw, but the
// same block number and timestamp, which is what round-boundary reverts depend on. A revert
// that depended on a transaction just before it in that block may not show again.
std::string TxSender::revert_reason(const TxRequest& request, const Receipt& receipt, uint64_t gas_limit) {
  CallRequest call{address(), request.to, request.data, request.value, gas_limit};
  auto outcome = rpc_.try_call(call, BlockId(receipt.block_number));
  if (!outcome) return "reason unknown (" + outcome.error().message + ")";
  if (outcome->reverted) return outcome->reason;
  if (receipt.gas_used >= gas_limit) return "out of gas";
  return "reason unknown (the same call at block " + std::to_string(receipt.block_number) + " succeeds)";
}

}  // namespace lp::chain
