#include "transaction.h"

#include <algorithm>
#include <string>

#include "rlp.h"

namespace lp::chain {
namespace {

constexpr uint8_t kEip1559Type = 0x02;

Bytes address_bytes(const std::optional<eth::Address>& to) {
  if (!to) return {};
  return Bytes(to->bytes.begin(), to->bytes.end());
}

// The fields both kinds share in the same order: to, value, data.
void push_tail(std::vector<Bytes>& fields, const std::optional<eth::Address>& to, const U256& value,
               const Bytes& data) {
  fields.push_back(rlp::encode_string(address_bytes(to)));
  fields.push_back(rlp::encode_uint(value));
  fields.push_back(rlp::encode_string(data));
}

std::vector<Bytes> legacy_fields(const LegacyTx& tx) {
  std::vector<Bytes> fields;
  fields.push_back(rlp::encode_uint(tx.nonce));
  fields.push_back(rlp::encode_uint(tx.gas_price));
  fields.push_back(rlp::encode_uint(tx.gas));
  push_tail(fields, tx.to, tx.value, tx.data);
  return fields;
}

std::vector<Bytes> eip1559_fields(const Eip1559Tx& tx) {
  std::vector<Bytes> fields;
  fields.push_back(rlp::encode_uint(tx.chain_id));
  fields.push_back(rlp::encode_uint(tx.nonce));
  fields.push_back(rlp::encode_uint(tx.max_priority_fee_per_gas));
  fields.push_back(rlp::encode_uint(tx.max_fee_per_gas));
  fields.push_back(rlp::encode_uint(tx.gas));
  push_tail(fields, tx.to, tx.value, tx.data);
  fields.push_back(rlp::encode_list({}));  // access list: we never use one
  return fields;
}

Bytes typed(uint8_t type, const Bytes& payload) {
  // Sized up front: growing a 1-byte vector trips GCC 12's -Warray-bounds false positive.
  Bytes out(payload.size() + 1);
  out[0] = type;
  std::copy(payload.begin(), payload.end(), out.begin() + 1);
  return out;
}

// r and s as RLP integers (minimal bytes), from a 65-byte r ‖ s ‖ v signature.
void push_rs(std::vector<Bytes>& fields, const eth::Signature& sig) {
  const auto& b = sig.bytes();
  fields.push_back(rlp::encode_uint(U256::from_bytes(std::span(b).subspan(0, 32)).value()));
  fields.push_back(rlp::encode_uint(U256::from_bytes(std::span(b).subspan(32, 32)).value()));
}

SignedTx finish(Bytes raw) {
  SignedTx out;
  out.hash = eth::keccak256(raw);
  out.raw = std::move(raw);
  return out;
}

Error bad(const std::string& why) { return Error{ErrorCode::BadRequest, "transaction: " + why}; }

// The first failure among `results` (fields read in order), or null.
template <typename... R>
const Error* first_error(const R&... results) {
  const Error* found = nullptr;
  ((found = found ? found : (results.ok() ? nullptr : &results.error())), ...);
  return found;
}

Result<std::optional<eth::Address>> decode_to(const rlp::Item& item) {
  if (item.is_list) return bad("'to' is a list");
  if (item.bytes.empty()) return std::optional<eth::Address>{};
  if (item.bytes.size() != 20) return bad("'to' has " + std::to_string(item.bytes.size()) + " bytes, not 20");
  eth::Address a;
  std::copy(item.bytes.begin(), item.bytes.end(), a.bytes.begin());
  return std::optional<eth::Address>(a);
}

// Rebuilds the 65-byte signature from RLP r, s and a recovery id, and recovers the signer.
Result<eth::Address> recover(const eth::Digest& digest, const rlp::Item& r_item, const rlp::Item& s_item,
                             uint64_t recovery_id) {
  if (recovery_id > 1) return bad("recovery id " + std::to_string(recovery_id) + " is not 0 or 1");
  auto r = r_item.as_uint("r");
  if (!r) return r.error();
  auto s = s_item.as_uint("s");
  if (!s) return s.error();
  std::array<uint8_t, 65> sig{};
  auto rb = r->to_bytes32();
  auto sb = s->to_bytes32();
  std::copy(rb.begin(), rb.end(), sig.begin());
  std::copy(sb.begin(), sb.end(), sig.begin() + 32);
  sig[64] = static_cast<uint8_t>(27 + recovery_id);
  auto parsed = eth::Signature::from_bytes(sig);
  if (!parsed) return parsed.error();
  return eth::recover_digest(digest, *parsed);
}

Result<DecodedTx> decode_legacy(const rlp::Item& item) {
  if (!item.is_list || item.items.size() != 9) return bad("a legacy transaction is a list of 9 fields");
  const auto& f = item.items;
  LegacyTx tx;
  auto nonce = f[0].as_u64("nonce");
  auto gas_price = f[1].as_uint("gasPrice");
  auto gas = f[2].as_u64("gas");
  auto to = decode_to(f[3]);
  auto value = f[4].as_uint("value");
  auto v = f[6].as_uint("v");
  if (const Error* e = first_error(nonce, gas_price, gas, to, value, v)) return *e;
  if (f[5].is_list) return bad("'data' is a list");
  // Only EIP-155 signatures: v = chainId * 2 + 35 + recovery id.
  if (*v < U256(37)) return bad("v = " + v->to_dec() + " is not an EIP-155 signature");
  auto [half, parity] = U256::divmod(*v - U256(35), 2);
  auto chain_id = half.to_u64();
  if (!chain_id) return bad("chain id does not fit in 64 bits");
  tx.chain_id = *chain_id;
  tx.nonce = *nonce;
  tx.gas_price = *gas_price;
  tx.gas = *gas;
  tx.to = *to;
  tx.value = *value;
  tx.data = f[5].bytes;
  auto sender = recover(signing_hash(tx), f[7], f[8], parity.low64());
  if (!sender) return sender.error();
  return DecodedTx{tx, std::nullopt, *sender};
}

Result<DecodedTx> decode_eip1559(const rlp::Item& item) {
  if (!item.is_list || item.items.size() != 12) return bad("an EIP-1559 transaction is a list of 12 fields");
  const auto& f = item.items;
  auto chain_id = f[0].as_u64("chainId");
  auto nonce = f[1].as_u64("nonce");
  auto tip = f[2].as_uint("maxPriorityFeePerGas");
  auto max_fee = f[3].as_uint("maxFeePerGas");
  auto gas = f[4].as_u64("gas");
  auto to = decode_to(f[5]);
  auto value = f[6].as_uint("value");
  auto y_parity = f[9].as_u64("yParity");
  if (const Error* e = first_error(chain_id, nonce, tip, max_fee, gas, to, value, y_parity)) return *e;
  if (f[7].is_list) return bad("'data' is a list");
  if (!f[8].is_list || !f[8].items.empty()) return bad("access lists are not supported");
  Eip1559Tx tx;
  tx.chain_id = *chain_id;
  tx.nonce = *nonce;
  tx.max_priority_fee_per_gas = *tip;
  tx.max_fee_per_gas = *max_fee;
  tx.gas = *gas;
  tx.to = *to;
  tx.value = *value;
  tx.data = f[7].bytes;
  auto sender = recover(signing_hash(tx), f[10], f[11], *y_parity);
  if (!sender) return sender.error();
  return DecodedTx{std::nullopt, tx, *sender};
}

}  // namespace

eth::Digest signing_hash(const LegacyTx& tx) {
  std::vector<Bytes> fields = legacy_fields(tx);
  fields.push_back(rlp::encode_uint(tx.chain_id));
  fields.push_back(rlp::encode_uint(0));
  fields.push_back(rlp::encode_uint(0));
  return eth::keccak256(rlp::encode_list(fields));
}

eth::Digest signing_hash(const Eip1559Tx& tx) {
  return eth::keccak256(typed(kEip1559Type, rlp::encode_list(eip1559_fields(tx))));
}

SignedTx sign(const LegacyTx& tx, const eth::PrivateKey& key) {
  eth::Signature sig = eth::sign_digest(key, signing_hash(tx));
  const uint64_t recovery_id = sig.bytes()[64] - 27u;
  std::vector<Bytes> fields = legacy_fields(tx);
  // chainId * 2 + 35 + recovery id, in 256 bits so that no chain id can overflow it.
  U256 v = *U256::checked_mul(U256(tx.chain_id), 2) + U256(35 + recovery_id);
  fields.push_back(rlp::encode_uint(v));
  push_rs(fields, sig);
  return finish(rlp::encode_list(fields));
}

SignedTx sign(const Eip1559Tx& tx, const eth::PrivateKey& key) {
  eth::Signature sig = eth::sign_digest(key, signing_hash(tx));
  std::vector<Bytes> fields = eip1559_fields(tx);
  fields.push_back(rlp::encode_uint(sig.bytes()[64] - 27u));  // y parity
  push_rs(fields, sig);
  return finish(typed(kEip1559Type, rlp::encode_list(fields)));
}

Result<DecodedTx> decode_signed(std::span<const uint8_t> raw) {
  if (raw.empty()) return bad("empty");
  // EIP-2718: a typed transaction starts with its type byte (< 0x7f); a legacy one is an RLP list.
  if (raw[0] >= 0xc0) {
    auto item = rlp::decode(raw);
    if (!item) return item.error();
    return decode_legacy(*item);
  }
  if (raw[0] != kEip1559Type) return bad("transaction type " + std::to_string(raw[0]) + " is not supported");
  auto item = rlp::decode(raw.subspan(1));
  if (!item) return item.error();
  return decode_eip1559(*item);
}

}  // namespace lp::chain
