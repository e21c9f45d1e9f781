// Receiving payments as go-livepeer's orchestrator does: real params from make_ticket_params, real
// tickets signed with a fixed sender key, sent through the Livepeer-Payment header encoding.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "eth_key.h"
#include "go_base64.h"
#include "payment_receiver.h"
#include "payment_vectors.h"

namespace lp::pm {
namespace {

using namespace test;

constexpr uint64_t kL1Block = 19'000'000;

// Field for field, unknown fields included.
::testing::AssertionResult Same(const net::Payment& a, const net::Payment& b) {
  if (google::protobuf::util::MessageDifferencer::Equals(a, b)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "{" << a.ShortDebugString() << "} != {" << b.ShortDebugString() << "}";
}

std::string base64(std::string_view in) { return base64_encode(in); }

void add_ticket(net::Payment& p, uint32_t nonce, std::string sig) {
  net::TicketSenderParams* t = p.add_ticket_sender_params();
  t->set_sender_nonce(nonce);
  t->set_sig(std::move(sig));
}

class PaymentReceiverTest : public ::testing::Test {
 protected:
  PaymentReceiverTest() {
    cfg.ev = 8'000'000'000;
    cfg.redeem_gas = 1'200'000;
    params_chain.gas_price = 100'000'000;  // 0.1 gwei: face value 1.2e16, win prob about 1/1.5e6
    params_chain.max_float = u256_dec("1000000000000000000");
    params_chain.last_l1_block = kL1Block;
    params_chain.last_initialized_round = kCreationRound;
    params_chain.last_initialized_block_hash = fixed<32>(kBlockHash);
    chain.last_l1_block = kL1Block + 1;
    chain.last_initialized_round = kCreationRound;
    chain.sender = SenderInfo{u256_dec("1000000000000000000"), u256_dec("1000000000000000000"), 0};
  }

  TicketParams params_at(const Price& price, const eth::Address& recipient) {
    return make_ticket_params(rand_secret, recipient, sender_key.address(), price, cfg, params_chain).value();
  }
  TicketParams params_at(const Price& price) { return params_at(price, self); }

  // genPayment with `nonces`, each ticket signed by the sender key.
  net::Payment payment(const TicketParams& params, std::vector<uint32_t> nonces) {
    net::Payment p = payment_for(params, sender_key.address());
    for (uint32_t n : nonces) {
      auto sig = sign_ticket(sender_key, ticket_for(params, sender_key.address(), n));
      add_ticket(p, n, std::string(sig.bytes().begin(), sig.bytes().end()));
    }
    return p;
  }

  // Through the header, as /segment gets it.
  Result<PaymentOutcome> receive(const net::Payment& p, const std::string& stream = "stream") {
    auto parsed = parse_payment_header(payment_header(p));
    if (!parsed.ok()) return parsed.error();
    EXPECT_TRUE(Same(*parsed, p));
    return receiver.receive(*parsed, stream, chain, offered);
  }

  static TicketEv times(const TicketEv& ev, size_t n) {
    TicketEv total{};
    for (size_t i = 0; i < n; ++i) total = *add_ev(total, ev);
    return total;
  }

  const eth::Address self = address(kRecipient);
  eth::PrivateKey sender_key = std::move(eth::PrivateKey::from_hex(kSenderKey).value());
  const RecipientSecret rand_secret = secret();
  const Price price = Price::make(1200, 1).value();
  Price offered = price;
  TicketParamsConfig cfg;
  ChainSnapshot params_chain;
  PaymentChainSnapshot chain;
  Balances balances;
  PaymentReceiver receiver{self, rand_secret, balances};
};

TEST_F(PaymentReceiverTest, CreditsEachTicketsEvExactly) {
  const TicketParams params = params_at(price);
  auto out = receive(payment(params, {1, 2, 3}));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->sender, sender_key.address());
  EXPECT_EQ(out->tickets, 3u);
  EXPECT_EQ(out->tickets_credited, 3u);
  EXPECT_EQ(out->refusal(), nullptr);
  EXPECT_EQ(out->price, price);
  const TicketEv ev = ticket_ev(params.face_value, params.win_prob);
  EXPECT_EQ(out->credited, times(ev, 3));
  Wei w = *balances.balance(sender_key.address(), "stream");
  EXPECT_EQ(U256(static_cast<uint64_t>(w.whole)), out->credited.whole);
  EXPECT_EQ(w.ev_frac, out->credited.frac);
  EXPECT_EQ(*balances.fixed_price(sender_key.address(), "stream"), price);
  EXPECT_EQ(receiver.nonce_rand_count(), 1u);

  // More tickets under the same params add up.
  auto more = receive(payment(params, {4}));
  ASSERT_TRUE(more.ok()) << more.error().message;
  EXPECT_EQ(balances.balance(sender_key.address(), "stream")->ev_frac, times(ev, 4).frac);
}

TEST_F(PaymentReceiverTest, DebitsAndSufficientBalance) {
  const TicketParams params = params_at(price);
  auto out = receive(payment(params, {1, 2}));
  ASSERT_TRUE(out.ok()) << out.error().message;
  const eth::Address s = sender_key.address();
  EXPECT_TRUE(balances.sufficient(s, "stream", cfg.ev));
  // Spend all but (just under) one EV: 2 EV - pixels * 1200 < EV.
  const TicketEv two = out->credited;  // just over 2 * 8e9, whole wei
  const int64_t pixels = static_cast<int64_t>(*two.whole.to_u64() - 8'000'000'000) / 1200 + 1;
  ASSERT_TRUE(balances.debit(s, "stream", pixels, out->price).ok());
  Wei w = *balances.balance(s, "stream");
  EXPECT_EQ(w.whole, static_cast<Int128>(*two.whole.to_u64()) - Int128{pixels} * 1200);
  EXPECT_EQ(w.ev_frac, two.frac);
  EXPECT_FALSE(balances.sufficient(s, "stream", cfg.ev));
  EXPECT_TRUE(balances.sufficient(s, "stream", 1));
}

TEST_F(PaymentReceiverTest, FirstPaymentFixesThePrice) {
  ASSERT_TRUE(receive(payment(params_at(price), {1})).ok());
  // Params made at another price are refused on this stream, and fine on a new one.
  const Price cheaper = Price::make(1000, 1).value();
  const TicketParams cheap = params_at(cheaper);
  EXPECT_TRUE(Fails(receive(payment(cheap, {1})), ErrorCode::BadRequest,
                    "invalid expected price sent with payment err=\"price 1000/1 differs from the price 1200/1 "
                    "fixed for this stream\""));
  EXPECT_EQ(*balances.fixed_price(sender_key.address(), "stream"), price);
  auto other = receive(payment(cheap, {1}), "other stream");
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->price, cheaper);
  // A ticketless payment is charged the fixed price (or the offered one), whatever it claims.
  net::Payment claim;
  claim.set_sender(std::string(sender_key.address().bytes.begin(), sender_key.address().bytes.end()));
  claim.mutable_expected_price()->set_priceperunit(1);
  claim.mutable_expected_price()->set_pixelsperunit(1000);
  EXPECT_EQ(receive(claim)->price, price);
  EXPECT_EQ(receive(claim, "new stream")->price, offered);
  EXPECT_FALSE(balances.fixed_price(sender_key.address(), "new stream").has_value());
}

TEST_F(PaymentReceiverTest, ReplayedNonceIsRefused) {
  const TicketParams params = params_at(price);
  const net::Payment p = payment(params, {1, 2});
  ASSERT_TRUE(receive(p).ok());
  const Wei before = *balances.balance(sender_key.address(), "stream");
  auto again = receive(p);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->tickets_credited, 0u);
  ASSERT_EQ(again->ticket_errors.size(), 2u);
  ASSERT_NE(again->refusal(), nullptr);
  EXPECT_EQ(again->refusal()->message,
            std::string("invalid ticket senderNonce: already seen sender=") + kSender + " nonce=2");
  EXPECT_EQ(*balances.balance(sender_key.address(), "stream"), before);
  // A new nonce next to a replayed one still credits.
  auto mixed = receive(payment(params, {2, 3}));
  EXPECT_EQ(mixed->tickets_credited, 1u);
  EXPECT_EQ(mixed->ticket_errors.at(0).index, 0u);
  EXPECT_EQ(mixed->ticket_errors.at(0).sender_nonce, 2u);
  // Once the params expire their nonces are forgotten.
  receiver.expire_nonces(params.expiration_block.low64());
  EXPECT_EQ(receiver.nonce_rand_count(), 0u);
}

TEST_F(PaymentReceiverTest, BadSignatureRefusesOnlyThatTicket) {
  const TicketParams params = params_at(price);
  net::Payment p = payment(params, {1, 2, 3});
  auto stranger = std::move(eth::PrivateKey::generate().value());
  auto bad = sign_ticket(stranger, ticket_for(params, sender_key.address(), 2));
  p.mutable_ticket_sender_params(1)->set_sig(std::string(bad.bytes().begin(), bad.bytes().end()));
  auto out = receive(p);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->tickets_credited, 2u);
  EXPECT_EQ(out->credited, times(ticket_ev(params.face_value, params.win_prob), 2));
  ASSERT_EQ(out->ticket_errors.size(), 1u);
  EXPECT_EQ(out->ticket_errors[0].index, 1u);
  EXPECT_EQ(out->ticket_errors[0].error.code, ErrorCode::BadSignature);
  EXPECT_NE(out->refusal()->message.find("signed by " + stranger.address().checksummed()), std::string::npos);
  // Its nonce was not used up: the real ticket 2 is still taken.
  EXPECT_EQ(receive(payment(params, {2}))->tickets_credited, 1u);
}

TEST_F(PaymentReceiverTest, FatalTicketErrorsRefuseThePayment) {
  // Params for another recipient.
  auto other = receive(payment(params_at(price, address(kSender)), {1}));
  EXPECT_TRUE(Fails(other, ErrorCode::BadRequest,
                    std::string("invalid ticket recipient ") + kSender + ": this orchestrator is " + kRecipient));
  // The zero sender.
  net::Payment zero = payment(params_at(price), {1});
  zero.set_sender(std::string(20, '\0'));
  EXPECT_TRUE(Fails(receive(zero), ErrorCode::BadRequest, "invalid ticket sender: the zero address"));
  // A recipientRandHash this node never issued, and a face value raised after the params were made.
  const TicketParams params = params_at(price);
  net::Payment forged = payment(params, {1});
  (*forged.mutable_ticket_params()->mutable_recipient_rand_hash())[5] ^= 1;
  EXPECT_TRUE(Fails(receive(forged), ErrorCode::BadRequest, "invalid recipientRand for ticket recipientRandHash"));
  net::Payment greedy = payment(params, {1});
  greedy.mutable_ticket_params()->set_face_value(std::string(1, '\x01') + greedy.ticket_params().face_value());
  EXPECT_TRUE(Fails(receive(greedy), ErrorCode::BadRequest, "invalid recipientRand"));
  // Nothing was recorded: no balance, no nonce.
  EXPECT_EQ(balances.size(), 0u);
  EXPECT_EQ(receiver.nonce_rand_count(), 0u);
}

TEST_F(PaymentReceiverTest, UnfundedUnlockingAndUnknownSenders) {
  const net::Payment p = payment(params_at(price), {1});
  const std::string who = kSender;
  chain.sender = SenderInfo{0, 0, 0};
  EXPECT_TRUE(Fails(receive(p), ErrorCode::BadRequest, "sender " + who + " has zero deposit and reserve"));
  chain.sender = SenderInfo{0, 1, kCreationRound + 1};  // unlocks at the next round
  EXPECT_TRUE(
      Fails(receive(p), ErrorCode::BadRequest, "deposit and reserve for sender " + who + " is set to unlock soon"));
  chain.sender = SenderInfo{1, 0, kCreationRound};
  EXPECT_TRUE(Fails(receive(p), ErrorCode::BadRequest, "is set to unlock soon"));
  chain.sender.reset();
  EXPECT_TRUE(Fails(receive(p), ErrorCode::BadRequest, "could not get sender info for " + who));
  EXPECT_EQ(balances.size(), 0u);
  EXPECT_EQ(receiver.nonce_rand_count(), 0u);
  // Unlocking two rounds out is still fine, as is a deposit alone.
  chain.sender = SenderInfo{1, 0, kCreationRound + 2};
  auto ok = receive(p);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->tickets_credited, 1u);
}

TEST_F(PaymentReceiverTest, PaymentLevelErrors) {
  net::Payment p = payment(params_at(price), {1});
  net::Payment no_sender = p;
  no_sender.clear_sender();
  EXPECT_TRUE(Fails(receive(no_sender), ErrorCode::BadRequest, "Could not find Sender for payment"));
  chain.orchestrator_active = false;
  EXPECT_TRUE(Fails(receive(p), ErrorCode::BadRequest,
                    std::string("orchestrator ") + kRecipient + " is inactive in round 4321, cannot process payments"));
  chain.orchestrator_active = true;
  net::Payment no_price = p;
  no_price.clear_expected_price();
  EXPECT_TRUE(Fails(receive(no_price), ErrorCode::BadRequest,
                    "invalid expected price sent with payment err=\"expected price is nil\""));
  net::Payment zero_pixels = p;
  zero_pixels.mutable_expected_price()->set_pixelsperunit(0);
  EXPECT_TRUE(Fails(receive(zero_pixels), ErrorCode::BadRequest,
                    "invalid expected price sent with payment err=\"pixels per unit is 0\""));
  net::Payment negative = p;
  negative.mutable_expected_price()->set_priceperunit(-1200);
  EXPECT_TRUE(Fails(receive(negative), ErrorCode::BadRequest, "err=\"price is negative\""));
  net::Payment huge = p;
  huge.mutable_ticket_params()->set_win_prob(std::string(33, '\x01'));
  EXPECT_TRUE(Fails(receive(huge), ErrorCode::BadRequest, "invalid ticket params: win_prob is over 256 bits"));
  EXPECT_EQ(balances.size(), 0u);
}

TEST_F(PaymentReceiverTest, ExpiredParamsAreNotCredited) {
  const TicketParams params = params_at(price);
  chain.last_l1_block = params.expiration_block.low64();
  auto out = receive(payment(params, {1, 2}));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->tickets_credited, 0u);
  ASSERT_EQ(out->ticket_errors.size(), 2u);
  EXPECT_NE(out->refusal()->message.find("TicketParams expired"), std::string::npos);
  EXPECT_EQ(*balances.balance(sender_key.address(), "stream"), Wei{});  // the price is fixed, nothing credited
  EXPECT_FALSE(balances.sufficient(sender_key.address(), "stream", 1));
}

TEST_F(PaymentReceiverTest, WinnersComeBackWithWhatRedeemingTakes) {
  // Free gas and a float of one EV: face value = EV, so every ticket wins.
  params_chain.gas_price = 0;
  params_chain.max_float = cfg.ev;
  const TicketParams params = params_at(price);
  ASSERT_EQ(params.win_prob, kMaxWinProb);
  auto out = receive(payment(params, {1, 2, 3}));
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->winners.size(), 3u);
  EXPECT_EQ(out->credited, (TicketEv{U256(24'000'000'000), 0}));  // EV = face value exactly
  for (size_t i = 0; i < 3; ++i) {
    const WinningTicket& w = out->winners[i];
    EXPECT_EQ(w.ticket, ticket_for(params, sender_key.address(), static_cast<uint32_t>(i + 1)));
    EXPECT_EQ(recipient_rand_hash(w.recipient_rand), params.recipient_rand_hash);
    EXPECT_TRUE(check_ticket_signature(w.ticket, w.sig).ok());
    EXPECT_TRUE(is_winning_ticket(w.sig, w.recipient_rand, w.ticket.win_prob));
    EXPECT_EQ(w.expiration_block, params.expiration_block);
  }
  // A replayed or expired winner still comes back (the store keeps one per ticket hash) but
  // credits nothing.
  chain.last_l1_block = params.expiration_block.low64() + 5;
  auto late = receive(payment(params, {3, 4}));
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ(late->winners.size(), 2u);
  EXPECT_EQ(late->tickets_credited, 0u);
  EXPECT_EQ(late->ticket_errors.size(), 2u);
}

TEST_F(PaymentReceiverTest, FullBalancesRefuseNewStreamsBeforeRecordingAnything) {
  BalancesConfig bc;
  bc.max_streams = 1;
  Balances small(bc);
  PaymentReceiver rx(self, rand_secret, small);
  const TicketParams params = params_at(price);
  ASSERT_TRUE(rx.receive(payment(params, {1}), "a", chain, offered).ok());
  EXPECT_TRUE(Fails(rx.receive(payment(params, {2}), "b", chain, offered), ErrorCode::Busy, "full"));
  // Nonce 2 was not used up by the refusal.
  EXPECT_EQ(rx.receive(payment(params, {2}), "a", chain, offered)->tickets_credited, 1u);
}

TEST(PaymentHeader, RoundTripsAndSkipsUnknownFields) {
  net::Payment p;
  net::TicketParams& tp = *p.mutable_ticket_params();
  tp.set_recipient("r");
  tp.set_face_value("fv");
  tp.set_win_prob("wp");
  tp.set_recipient_rand_hash("h");
  tp.set_seed("s");
  tp.set_expiration_block("e");
  tp.mutable_expiration_params()->set_creation_round(-3);
  tp.mutable_expiration_params()->set_creation_round_block_hash("bh");
  p.set_sender("0123456789abcdefghij");
  p.mutable_expiration_params()->set_creation_round(4321);
  p.mutable_expiration_params()->set_creation_round_block_hash("hash");
  add_ticket(p, 7, "sig");
  add_ticket(p, 0, "");
  add_ticket(p, UINT32_MAX, "x");
  p.mutable_expected_price()->set_priceperunit(1200);
  p.mutable_expected_price()->set_pixelsperunit(1);
  p.mutable_expected_price()->set_capability(5);
  p.mutable_expected_price()->set_constraint("c");
  const std::string wire = p.SerializeAsString();
  auto plain = parse_payment_header(base64(wire));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_TRUE(Same(*plain, p));
  // Unknown fields of every wire type, a known field with another wire type, and a group, as a newer
  // go-livepeer might send: kept aside as unknown fields, the known ones read as before.
  std::string extra = wire;
  extra += std::string("\x48\x96\x01", 3);                   // field 9 varint 150
  extra += std::string("\x51", 1) + std::string(8, '\x01');  // field 10 fixed64
  extra += std::string("\x5d", 1) + std::string(4, '\x01');  // field 11 fixed32
  extra += std::string("\x63\x08\x01\x64", 4);               // field 12 group { field 1 = 1 }
  extra += std::string("\x10\x05", 2);                       // field 2 (sender) as a varint
  auto newer = parse_payment_header(base64(extra));
  ASSERT_TRUE(newer.ok()) << newer.error().message;
  EXPECT_EQ(newer->GetReflection()->GetUnknownFields(*newer).field_count(), 5);
  newer->DiscardUnknownFields();
  EXPECT_TRUE(Same(*newer, p));
  // A repeated embedded message merges; the last scalar wins.
  net::Payment later;
  later.mutable_expected_price()->set_pixelsperunit(3);
  net::Payment merged = p;
  merged.mutable_expected_price()->set_pixelsperunit(3);
  auto both = parse_payment_header(base64(wire + later.SerializeAsString()));
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_TRUE(Same(*both, merged));
  EXPECT_TRUE(Same(parse_payment_header(payment_header(p)).value(), p));
  // Offchain gateways send an empty payment.
  EXPECT_TRUE(Same(parse_payment_header("").value(), net::Payment{}));
}

TEST(PaymentHeader, MalformedHeadersSayWhy) {
  const std::string b64 = "base64 decode error: illegal base64 data at input byte ";
  EXPECT_TRUE(Fails(parse_payment_header("abc"), ErrorCode::BadRequest, b64 + "0"));
  EXPECT_TRUE(Fails(parse_payment_header("abcde"), ErrorCode::BadRequest, b64 + "4"));
  EXPECT_TRUE(Fails(parse_payment_header("ab!d"), ErrorCode::BadRequest, b64 + "2"));
  EXPECT_TRUE(Fails(parse_payment_header("a==="), ErrorCode::BadRequest, b64 + "1"));
  EXPECT_TRUE(Fails(parse_payment_header("YQ=a"), ErrorCode::BadRequest, b64 + "2"));
  EXPECT_TRUE(Fails(parse_payment_header("YQ="), ErrorCode::BadRequest, b64 + "3"));
  EXPECT_TRUE(Fails(parse_payment_header("YQ==YQ=="), ErrorCode::BadRequest, b64 + "4"));
  EXPECT_TRUE(Fails(parse_payment_header("YW Jj"), ErrorCode::BadRequest, b64 + "2"));
  // Newlines are skipped, as Go's decoder does.
  EXPECT_TRUE(parse_payment_header("EgR0\r\nZXN0").ok());
  const std::string proto = "protobuf unmarshal error: proto: cannot parse invalid wire-format data";
  EXPECT_TRUE(Fails(parse_payment_header("CgVhYg=="), ErrorCode::BadRequest, proto));  // field 1, 5 bytes, 2 there
  EXPECT_TRUE(Fails(parse_payment_header("/w=="), ErrorCode::BadRequest, proto));      // a truncated varint
  EXPECT_TRUE(Fails(parse_payment_header("AA=="), ErrorCode::BadRequest, proto));      // field number 0
  EXPECT_TRUE(Fails(parse_payment_header("DA=="), ErrorCode::BadRequest, proto));      // a stray end-group
  EXPECT_TRUE(Fails(parse_payment_header(std::string(kMaxPaymentHeaderSize + 4, 'A')), ErrorCode::TooLarge,
                    "payment header is 131076 bytes"));
  net::Payment orphans;
  add_ticket(orphans, 1, "sig");
  add_ticket(orphans, 2, "sig");
  EXPECT_TRUE(Fails(parse_payment_header(payment_header(orphans)), ErrorCode::BadRequest,
                    "payment has 2 tickets but no ticket params"));
  net::Payment many;
  many.mutable_ticket_params();
  for (size_t i = 0; i <= kMaxSenderNonces; ++i) many.add_ticket_sender_params();
  EXPECT_TRUE(
      Fails(parse_payment_header(payment_header(many)), ErrorCode::BadRequest, "payment has 601 tickets; at most 600"));
}

}  // namespace
}  // namespace lp::pm
