// Ticket hashing, signing and the win check against values ethers computes with the contract's
// layout (payment_vectors.h), and the expected value's exact arithmetic.
#include <gtest/gtest.h>

#include "eth_key.h"
#include "hex.h"
#include "payment_vectors.h"
#include "ticket.h"

namespace lp::pm {
namespace {

using namespace test;

eth::PrivateKey sender_key() { return std::move(eth::PrivateKey::from_hex(kSenderKey).value()); }
std::vector<uint8_t> sig_bytes(const char* hex) { return eth::from_hex(hex, "sig", ErrorCode::Internal).value(); }

TEST(Ticket, HashMatchesSolidityKeccak) {
  Ticket t = ticket();
  EXPECT_EQ(t.flatten().size(), 20u + 20 + 32 * 4 + 64);
  EXPECT_EQ(eth::to_hex_0x(t.hash()), kTicketHash);
  // Every field is covered: changing any one changes the hash.
  Ticket other = t;
  other.sender_nonce += 1;
  EXPECT_NE(other.hash(), t.hash());
  other = t;
  other.creation_round_block_hash[31] ^= 1;
  EXPECT_NE(other.hash(), t.hash());
}

TEST(Ticket, NoCreationRoundMeansEmptyAuxData) {
  Ticket t = ticket();
  t.creation_round = 0;
  t.creation_round_block_hash = {};
  EXPECT_TRUE(t.expiration_params().aux_data().empty());
  EXPECT_EQ(t.flatten().size(), 20u + 20 + 32 * 4);
  EXPECT_EQ(eth::to_hex_0x(t.hash()), kTicketHashNoAux);
  // Either part alone still writes all 64 bytes.
  t.creation_round = 1;
  EXPECT_EQ(t.expiration_params().aux_data().size(), 64u);
  // A negative round is written as its magnitude, as big.Int.Bytes() does.
  ExpirationParams neg{-5, {}};
  EXPECT_EQ(neg.aux_data(), (ExpirationParams{5, {}}.aux_data()));
}

TEST(Ticket, SignatureIsPersonalSignOfTheHash) {
  Ticket t = ticket();
  eth::Signature sig = sign_ticket(sender_key(), t);
  // ethers' signMessage(arrayify(hash)) gives the same bytes: both sign deterministically (RFC 6979).
  EXPECT_EQ(sig.hex(), kTicketSig);
  EXPECT_EQ(ticket_signing_digest(t), eth::personal_message_hash(t.hash()));
  auto signer = recover_ticket_signer(t, sig.bytes());
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(signer->checksummed(), kSender);
  EXPECT_TRUE(check_ticket_signature(t, sig.bytes()).ok());
}

TEST(Ticket, SignatureRefusals) {
  Ticket t = ticket();
  auto sig = sig_bytes(kTicketSig);
  // Signed by someone else.
  auto other = std::move(eth::PrivateKey::generate().value());
  auto wrong = sign_ticket(other, t);
  EXPECT_TRUE(Fails(check_ticket_signature(t, wrong.bytes()), ErrorCode::BadSignature,
                    "signed by " + other.address().checksummed() + ", not by the ticket's sender " + kSender));
  // A ticket changed after signing recovers to another address.
  Ticket changed = t;
  changed.face_value = *U256::checked_add(changed.face_value, 1);
  EXPECT_TRUE(Fails(check_ticket_signature(changed, sig), ErrorCode::BadSignature, "not by the ticket's sender"));
  // Malformed: length, v, high s (go-livepeer's ecrecover refuses the same).
  std::vector<uint8_t> short_sig(sig.begin(), sig.end() - 1);
  EXPECT_TRUE(Fails(check_ticket_signature(t, short_sig), ErrorCode::BadSignature, "must be 65 bytes"));
  auto bad_v = sig;
  bad_v[64] = 1;
  EXPECT_TRUE(Fails(check_ticket_signature(t, bad_v), ErrorCode::BadSignature, "v must be 27 or 28"));
  auto high_s = sig;
  high_s[32] = 0xff;
  EXPECT_TRUE(Fails(check_ticket_signature(t, high_s), ErrorCode::BadSignature, "invalid ticket signature"));
}

TEST(Ticket, WinCheckIsStrictlyBelowWinProb) {
  auto sig = sig_bytes(kTicketSig);
  RecipientRand rand = fixed<32>(kRecipientRand);
  U256 win_hash = u256_hex(kWinHash);  // keccak256(sig ‖ rand) from ethers
  EXPECT_FALSE(is_winning_ticket(sig, rand, win_hash));
  EXPECT_TRUE(is_winning_ticket(sig, rand, *U256::checked_add(win_hash, 1)));
  EXPECT_TRUE(is_winning_ticket(sig, rand, kMaxWinProb));
  EXPECT_FALSE(is_winning_ticket(sig, rand, 0));
}

TEST(Ticket, ExpectedValue) {
  // BigInt: fv * wp / (2^256 - 1), quotient and remainder.
  TicketEv ev = ticket_ev(u256_dec(kFaceValue), u256_hex(kWinProbHex));
  EXPECT_EQ(ev.whole.to_dec(), "617283945061728394506172");
  EXPECT_EQ(ev.frac.to_dec(), "57896044618658097711785492504343953926634992332835523377616311139745316725165");
  EXPECT_NEAR(ev.to_double(), 617283945061728394506172.5, 1e9);
  // Always winning pays the face value; never winning pays nothing.
  EXPECT_EQ(ticket_ev(U256::max(), kMaxWinProb), (TicketEv{U256::max(), 0}));
  EXPECT_EQ(ticket_ev(8'000'000'000, kMaxWinProb), (TicketEv{8'000'000'000, 0}));
  EXPECT_EQ(ticket_ev(8'000'000'000, 0), (TicketEv{0, 0}));
  // 10^30 + 7 wei at (2^200 + 99) / (2^256 - 1).
  TicketEv small = ticket_ev(u256_dec("1000000000000000000000000000007"),
                             u256_dec("1606938044258990275541962092341162602522202993782792835301475"));
  EXPECT_EQ(small.whole.to_dec(), "13877787807814");
  EXPECT_EQ(small.frac.to_dec(), "52888649924093125075550360494230447121210958644592850841925541738019047658235");
  // high + low past 2^256: 2^255 * 2 = 2^256 = M + 1.
  U256 half = u256_dec("57896044618658097711785492504343953926634992332820282019728792003956564819968");
  EXPECT_EQ(ticket_ev(half, 2), (TicketEv{1, 1}));
  EXPECT_EQ(ticket_ev(half, 4), (TicketEv{2, 2}));
  EXPECT_LT(ticket_ev(half, 2), ticket_ev(half, 3));
  // (2^256 - 2)^2: high + low = 2^256 exactly, the carry case. BigInt: M - 2, remainder 1.
  TicketEv carry = ticket_ev(*U256::checked_sub(U256::max(), 1), *U256::checked_sub(U256::max(), 1));
  EXPECT_EQ(carry.whole, *U256::checked_sub(U256::max(), 2));
  EXPECT_EQ(carry.frac, U256(1));
}

TEST(Ticket, ExpectedValueIdentity) {
  // whole * M + frac == fv * wp for a spread of sizes, frac < M.
  const U256 values[] = {
      0,          1, 3, 8'000'000'000, u256_dec(kFaceValue), u256_hex(kWinProbHex), *U256::checked_sub(U256::max(), 1),
      U256::max()};
  for (const U256& fv : values) {
    for (const U256& wp : values) {
      TicketEv ev = ticket_ev(fv, wp);
      ASSERT_LT(ev.frac, kMaxWinProb);
      U256::Wide lhs = U256::mul_wide(ev.whole, kMaxWinProb);
      // Add frac into the 512-bit lhs.
      auto low = U256::checked_add(lhs.low, ev.frac);
      U256 high = lhs.high;
      if (!low) {
        low = *U256::checked_sub(ev.frac, *U256::checked_sub(U256::max(), lhs.low));
        low = *U256::checked_sub(*low, 1);
        high = *U256::checked_add(high, 1);
      }
      U256::Wide rhs = U256::mul_wide(fv, wp);
      EXPECT_EQ(high, rhs.high) << fv.to_dec() << " * " << wp.to_dec();
      EXPECT_EQ(*low, rhs.low) << fv.to_dec() << " * " << wp.to_dec();
    }
  }
}

}  // namespace
}  // namespace lp::pm
