// Signed transactions: EIP-155's own example, an EIP-1559 transaction checked by recovering its
// signer and by ethers 5.4.4 (which signs deterministically too, so the bytes must agree), and
// decode_signed's refusals.
#include <gtest/gtest.h>

#include "hex.h"
#include "rlp.h"
#include "transaction.h"

namespace lp::chain {
namespace {

std::string hex(std::span<const uint8_t> b) { return eth::to_hex(b); }
eth::Address addr(uint8_t fill) {
  eth::Address a;
  a.bytes.fill(fill);
  return a;
}
eth::PrivateKey key46() {
  std::string key_hex;
  for (int i = 0; i < 32; ++i) key_hex += "46";
  return std::move(eth::PrivateKey::from_hex(key_hex).value());
}

// The key 0x4646...46 of EIP-155's example; its address per ethers 5.4.4.
constexpr const char* kKey46Address = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";

LegacyTx eip155_example() {
  LegacyTx tx;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = U256::from_dec("20000000000").value();
  tx.gas = 21000;
  tx.to = addr(0x35);
  tx.value = U256::from_dec("1000000000000000000").value();
  return tx;
}

TEST(Transaction, Eip155Example) {
  eth::PrivateKey key = key46();
  EXPECT_EQ(key.address().checksummed(), kKey46Address);
  LegacyTx tx = eip155_example();
  EXPECT_EQ(hex(signing_hash(tx)), "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  SignedTx signed_tx = sign(tx, key);
  EXPECT_EQ(hex(signed_tx.raw),
            "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340b"
            "d939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc6421"
            "4b297fb1966a3b6d83");
  EXPECT_EQ(signed_tx.hash, eth::keccak256(signed_tx.raw));

  auto decoded = decode_signed(signed_tx.raw);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(decoded->legacy);
  EXPECT_EQ(decoded->sender.checksummed(), kKey46Address);
  EXPECT_EQ(decoded->legacy->chain_id, 1u);
  EXPECT_EQ(decoded->legacy->nonce, 9u);
  EXPECT_EQ(decoded->legacy->gas_price, tx.gas_price);
  EXPECT_EQ(decoded->legacy->to, tx.to);
  EXPECT_EQ(decoded->legacy->value, tx.value);
}

TEST(Transaction, LegacyLargeChainId) {
  LegacyTx tx = eip155_example();
  tx.chain_id = 42161;  // Arbitrum One: v = 84357 or 84358
  tx.data = {0xde, 0xad};
  SignedTx signed_tx = sign(tx, key46());
  auto item = rlp::decode(signed_tx.raw);
  ASSERT_TRUE(item.ok()) << item.error().message;
  U256 v = item->items[6].as_uint("v").value();
  EXPECT_TRUE(v == U256(42161 * 2 + 35) || v == U256(42161 * 2 + 36)) << v.to_dec();
  auto decoded = decode_signed(signed_tx.raw);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->legacy->chain_id, 42161u);
  EXPECT_EQ(decoded->legacy->data, tx.data);
  EXPECT_EQ(decoded->sender.checksummed(), kKey46Address);
}

Eip1559Tx arbitrum_example() {
  Eip1559Tx tx;
  tx.chain_id = 42161;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = U256::from_dec("1000000000").value();
  tx.max_fee_per_gas = U256::from_dec("3000000000").value();
  tx.gas = 300000;
  tx.to = addr(0x35);
  tx.value = U256::from_dec("1000000000000000000").value();
  tx.data = {0xde, 0xad, 0xbe, 0xef};
  return tx;
}

TEST(Transaction, Eip1559) {
  Eip1559Tx tx = arbitrum_example();
  // ethers 5.4.4: keccak256(serializeTransaction(tx)) and wallet.signTransaction(tx).
  EXPECT_EQ(hex(signing_hash(tx)), "3e2bec4f4f26baf00281601b4d0eb32a661b81aa76a2fafc208343ebdd25bd32");
  SignedTx signed_tx = sign(tx, key46());
  EXPECT_EQ(hex(signed_tx.raw),
            "02f87982a4b107843b9aca0084b2d05e00830493e0943535353535353535353535353535353535353535880de0b6b3a76400"
            "0084deadbeefc080a0f62dad3fab3641eb026bef8ac534a2125f126cee2528acdd5af3246a9b97ca1ea0616193e08d19c511"
            "ca31b4c8a11d1506735b9c07b6e7045d3d81ae70e11dc42f");
  EXPECT_EQ(hex(signed_tx.hash), "2453953441b30740614cfd653309c400ef88a1c73a9251c406d284d6310f3590");

  // Round trip through the RLP decoder: 12 fields in EIP-1559's order, and the signature in
  // them recovers our address from the signing hash.
  ASSERT_EQ(signed_tx.raw[0], 0x02);
  auto item = rlp::decode(std::span(signed_tx.raw).subspan(1));
  ASSERT_TRUE(item.ok()) << item.error().message;
  ASSERT_EQ(item->items.size(), 12u);
  const auto& f = item->items;
  EXPECT_EQ(f[0].as_u64("chainId").value(), 42161u);
  EXPECT_EQ(f[1].as_u64("nonce").value(), 7u);
  EXPECT_EQ(f[2].as_uint("tip").value(), tx.max_priority_fee_per_gas);
  EXPECT_EQ(f[3].as_uint("maxFee").value(), tx.max_fee_per_gas);
  EXPECT_EQ(f[4].as_u64("gas").value(), 300000u);
  EXPECT_EQ(f[5].bytes, Bytes(20, 0x35));
  EXPECT_EQ(f[6].as_uint("value").value(), tx.value);
  EXPECT_EQ(f[7].bytes, tx.data);
  EXPECT_TRUE(f[8].is_list && f[8].items.empty());
  uint64_t y_parity = f[9].as_u64("yParity").value();
  ASSERT_LE(y_parity, 1u);
  std::array<uint8_t, 65> sig{};
  auto r = f[10].as_uint("r")->to_bytes32();
  auto s = f[11].as_uint("s")->to_bytes32();
  std::copy(r.begin(), r.end(), sig.begin());
  std::copy(s.begin(), s.end(), sig.begin() + 32);
  sig[64] = static_cast<uint8_t>(27 + y_parity);
  auto signer = eth::recover_digest(signing_hash(tx), eth::Signature::from_bytes(sig).value());
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(signer->checksummed(), kKey46Address);
  EXPECT_EQ(rlp::encode(*item), Bytes(signed_tx.raw.begin() + 1, signed_tx.raw.end()));

  auto decoded = decode_signed(signed_tx.raw);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(decoded->eip1559);
  EXPECT_EQ(decoded->sender.checksummed(), kKey46Address);
  EXPECT_EQ(decoded->eip1559->max_fee_per_gas, tx.max_fee_per_gas);
  EXPECT_EQ(decoded->eip1559->data, tx.data);
}

TEST(Transaction, ContractCreationHasEmptyTo) {
  Eip1559Tx tx = arbitrum_example();
  tx.to.reset();
  SignedTx signed_tx = sign(tx, key46());
  auto item = rlp::decode(std::span(signed_tx.raw).subspan(1));
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(item->items[5].bytes.empty());
  auto decoded = decode_signed(signed_tx.raw);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->eip1559->to);
}

void expect_refused(std::span<const uint8_t> raw, std::string_view needle) {
  auto r = decode_signed(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

TEST(Transaction, DecodeRefusals) {
  SignedTx good = sign(arbitrum_example(), key46());
  expect_refused(Bytes{}, "empty");
  expect_refused(Bytes(good.raw.begin(), good.raw.end() - 1), "truncated");
  Bytes typed1 = good.raw;
  typed1[0] = 0x01;
  expect_refused(typed1, "type 1 is not supported");
  // Pre-EIP-155 (v = 27): no chain id, replayable; we never make or accept those.
  auto legacy = rlp::decode(sign(eip155_example(), key46()).raw).value();
  legacy.items[6] = rlp::Item::integer(27);
  expect_refused(rlp::encode(legacy), "not an EIP-155 signature");
  legacy.items.pop_back();
  expect_refused(rlp::encode(legacy), "list of 9 fields");
}

}  // namespace
}  // namespace lp::chain
