// The orchestrator's receive checks: each refusal names what was wrong, and a ticket made from
// real params by a real sender key passes them all.
#include <gtest/gtest.h>

#include "eth_key.h"
#include "hex.h"
#include "payment_vectors.h"
#include "ticket_params.h"
#include "ticket_validator.h"

namespace lp::pm {
namespace {

using namespace test;

std::vector<uint8_t> vector_sig() { return eth::from_hex(kTicketSig, "sig", ErrorCode::Internal).value(); }

TEST(ValidateTicket, VectorTicketPasses) {
  auto r = validate_ticket(address(kRecipient), ticket(), vector_sig(), fixed<32>(kRecipientRand));
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(ValidateTicket, WrongRecipient) {
  auto r = validate_ticket(address(kSender), ticket(), vector_sig(), fixed<32>(kRecipientRand));
  EXPECT_TRUE(Fails(r, ErrorCode::BadRequest,
                    std::string("invalid ticket recipient ") + kRecipient + ": this orchestrator is " + kSender));
  EXPECT_TRUE(is_fatal_ticket_error(r.error()));
}

TEST(ValidateTicket, ZeroSender) {
  Ticket t = ticket();
  t.sender = {};
  auto r = validate_ticket(address(kRecipient), t, vector_sig(), fixed<32>(kRecipientRand));
  EXPECT_TRUE(Fails(r, ErrorCode::BadRequest, "invalid ticket sender: the zero address"));
  EXPECT_TRUE(is_fatal_ticket_error(r.error()));
}

TEST(ValidateTicket, RecipientRandHashMismatch) {
  RecipientRand rand = fixed<32>(kRecipientRand);
  rand[31] ^= 1;
  auto r = validate_ticket(address(kRecipient), ticket(), vector_sig(), rand);
  EXPECT_TRUE(Fails(r, ErrorCode::BadRequest,
                    std::string("invalid recipientRand for ticket recipientRandHash ") + kRecipientRandHash));
  EXPECT_TRUE(is_fatal_ticket_error(r.error()));
}

TEST(ValidateTicket, BadSignatureIsNotFatal) {
  auto stranger = std::move(eth::PrivateKey::generate().value());
  auto sig = sign_ticket(stranger, ticket());
  auto r = validate_ticket(address(kRecipient), ticket(), sig.bytes(), fixed<32>(kRecipientRand));
  EXPECT_TRUE(Fails(r, ErrorCode::BadSignature, "signed by " + stranger.address().checksummed()));
  EXPECT_FALSE(is_fatal_ticket_error(r.error()));
  std::vector<uint8_t> garbage = {'f', 'o', 'o'};
  EXPECT_TRUE(Fails(validate_ticket(address(kRecipient), ticket(), garbage, fixed<32>(kRecipientRand)),
                    ErrorCode::BadSignature, "must be 65 bytes"));
}

// What a broadcaster does with the params, and what the orchestrator rebuilds from the payment.
TEST(ValidateTicket, RoundTripThroughParams) {
  const eth::Address recipient = address(kRecipient);
  auto sender_key = std::move(eth::PrivateKey::from_hex(kSenderKey).value());
  const Price price = Price::make(1200, 1).value();
  ChainSnapshot chain;
  chain.gas_price = 100'000'000;
  chain.max_float = u256_dec("1000000000000000000");
  chain.last_l1_block = 19'000'000;
  chain.last_initialized_round = kCreationRound;
  chain.last_initialized_block_hash = fixed<32>(kBlockHash);
  TicketParamsConfig cfg;
  cfg.ev = 8'000'000'000;
  cfg.redeem_gas = 1'200'000;
  auto params = make_ticket_params(secret(), recipient, sender_key.address(), price, cfg, chain).value();

  Ticket t{recipient,
           sender_key.address(),
           params.face_value,
           params.win_prob,
           1,
           params.recipient_rand_hash,
           params.expiration_params.creation_round,
           params.expiration_params.creation_round_block_hash};
  auto sig = sign_ticket(sender_key, t);

  RecipientRand rand = secret().rand(rand_inputs_for(t, params.seed, params.expiration_block, price));
  auto ok = validate_ticket(recipient, t, sig.bytes(), rand);
  EXPECT_TRUE(ok.ok()) << ok.error().message;

  // A sender that raises the face value (and re-signs) no longer matches the commitment.
  Ticket greedy = t;
  greedy.face_value = *U256::checked_add(greedy.face_value, 1);
  RecipientRand greedy_rand = secret().rand(rand_inputs_for(greedy, params.seed, params.expiration_block, price));
  EXPECT_TRUE(Fails(validate_ticket(recipient, greedy, sign_ticket(sender_key, greedy).bytes(), greedy_rand),
                    ErrorCode::BadRequest, "invalid recipientRand"));
  // So does one that claims a lower price than the params were made for.
  RecipientRand cheap_rand =
      secret().rand(rand_inputs_for(t, params.seed, params.expiration_block, Price::make(1, 1).value()));
  EXPECT_TRUE(
      Fails(validate_ticket(recipient, t, sig.bytes(), cheap_rand), ErrorCode::BadRequest, "invalid recipientRand"));
}

TEST(TicketRound, ExpiresAfterTheValidityPeriod) {
  Ticket t = ticket();  // created in round 4321
  EXPECT_TRUE(check_ticket_round(t, kCreationRound).ok());
  EXPECT_TRUE(check_ticket_round(t, kCreationRound + 1).ok());
  EXPECT_TRUE(Fails(check_ticket_round(t, kCreationRound + 2), ErrorCode::BadRequest,
                    "ticket is expired: created in round 4321, valid for 2 rounds, current round 4323"));
  EXPECT_TRUE(check_ticket_round(t, kCreationRound + 4, 5).ok());
  EXPECT_TRUE(check_ticket_round(t, INT64_MIN).ok());
  t.creation_round = INT64_MAX;  // no overflow in creationRound + period
  EXPECT_TRUE(check_ticket_round(t, INT64_MAX).ok());
  Ticket bare = ticket();
  bare.creation_round = 0;
  bare.creation_round_block_hash = {};
  EXPECT_TRUE(Fails(check_ticket_round(bare, 0), ErrorCode::BadRequest, "no creation round"));
}

TEST(ParamsExpiration, ExpiresAtItsBlock) {
  EXPECT_TRUE(check_params_expiration(kExpirationBlock, kExpirationBlock - 1).ok());
  EXPECT_TRUE(Fails(check_params_expiration(kExpirationBlock, kExpirationBlock), ErrorCode::BadRequest,
                    "TicketParams expired: expiration block 19000040, latest L1 block 19000040"));
}

TEST(SenderNonces, RefuseReplays) {
  SenderNonces nonces;
  RecipientRand rand = fixed<32>(kRecipientRand);
  const eth::Address sender = address(kSender);
  EXPECT_TRUE(nonces.record(rand, 1, sender, kExpirationBlock).ok());
  EXPECT_TRUE(nonces.record(rand, 3, sender, kExpirationBlock).ok());
  EXPECT_TRUE(nonces.record(rand, 2, sender, kExpirationBlock).ok());  // out of order is fine, as in go-livepeer
  EXPECT_TRUE(Fails(nonces.record(rand, 3, sender, kExpirationBlock), ErrorCode::BadRequest,
                    std::string("invalid ticket senderNonce: already seen sender=") + kSender + " nonce=3"));
  // The same nonce under another recipientRand is another ticket.
  RecipientRand other = rand;
  other[0] ^= 1;
  EXPECT_TRUE(nonces.record(other, 3, sender, kExpirationBlock).ok());
  EXPECT_EQ(nonces.rand_count(), 2u);
}

TEST(SenderNonces, BoundedPerRecipientRand) {
  SenderNonces nonces(3);
  RecipientRand rand = fixed<32>(kRecipientRand);
  const eth::Address sender = address(kSender);
  for (uint32_t n = 1; n <= 3; ++n) ASSERT_TRUE(nonces.record(rand, n, sender, kExpirationBlock).ok());
  EXPECT_TRUE(Fails(nonces.record(rand, 4, sender, kExpirationBlock), ErrorCode::BadRequest,
                    "invalid ticket senderNonce: too many values"));
  EXPECT_TRUE(Fails(nonces.record(rand, 2, sender, kExpirationBlock), ErrorCode::BadRequest, "already seen"));
  EXPECT_EQ(SenderNonces().record(rand, 1, sender, 1).ok(), true);
}

TEST(SenderNonces, ForgottenOnceTheParamsExpire) {
  SenderNonces nonces;
  RecipientRand early = fixed<32>(kRecipientRand), late = early;
  late[0] ^= 1;
  const eth::Address sender = address(kSender);
  ASSERT_TRUE(nonces.record(early, 1, sender, 100).ok());
  ASSERT_TRUE(nonces.record(late, 1, sender, 200).ok());
  // A later ticket under the same rand does not move its expiry.
  ASSERT_TRUE(nonces.record(early, 2, sender, 500).ok());
  nonces.expire(99);
  EXPECT_EQ(nonces.rand_count(), 2u);
  nonces.expire(100);
  EXPECT_EQ(nonces.rand_count(), 1u);
  EXPECT_TRUE(nonces.record(early, 1, sender, 100).ok());  // forgotten
  nonces.expire(200);
  EXPECT_EQ(nonces.rand_count(), 0u);
}

}  // namespace
}  // namespace lp::pm
