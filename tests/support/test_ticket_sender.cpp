// The test gateway's tickets (ticket_sender.h) against the orchestrator's receiver: params made by
// make_ticket_params, tickets made by TicketSender, checked and credited by PaymentReceiver.
#include "ticket_sender.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "../orchestrator/payments/payment_vectors.h"
#include "hex.h"
#include "payment_receiver.h"

namespace lp::test {
namespace {

using pm::test::address;
using pm::test::fixed;
using pm::test::kBlockHash;
using pm::test::kCreationRound;
using pm::test::kRecipient;
using pm::test::kSender;
using pm::test::kSenderKey;
using pm::test::u256_dec;

constexpr uint64_t kL1Block = 19'000'000;

eth::PrivateKey sender_key() { return std::move(eth::PrivateKey::from_hex(kSenderKey).value()); }

std::string bytes(const U256& v) {
  auto b = v.to_minimal_bytes();
  return {b.begin(), b.end()};
}

// The orchestrator's params as the gateway gets them in OrchestratorInfo.
net::TicketParams wire_params(const pm::TicketParams& params, const eth::Address& sender) {
  return pm::payment_for(params, sender).ticket_params();
}

SenderChainState funded_chain() {
  SenderChainState c;
  c.deposit = u256_dec("1000000000000000000");
  c.reserve = u256_dec("1000000000000000000");
  c.last_l1_block = kL1Block + 1;
  c.last_initialized_round = kCreationRound;
  c.last_initialized_block_hash = fixed<32>(kBlockHash);
  return c;
}

::testing::AssertionResult Refused(const Result<void>& r, const std::string& message) {
  if (r.ok()) return ::testing::AssertionFailure() << "accepted; wanted \"" << message << "\"";
  if (r.error().message != message) {
    return ::testing::AssertionFailure() << "\"" << r.error().message << "\" != \"" << message << "\"";
  }
  return ::testing::AssertionSuccess();
}

class TicketSenderTest : public ::testing::Test {
 protected:
  TicketSenderTest() {
    cfg.ev = 8'000'000'000;
    cfg.redeem_gas = 1'200'000;
    params_chain.gas_price = 100'000'000;  // face value 1.2e16, win prob about 1/1.5e6
    params_chain.max_float = u256_dec("1000000000000000000");
    params_chain.last_l1_block = kL1Block;
    params_chain.last_initialized_round = kCreationRound;
    params_chain.last_initialized_block_hash = fixed<32>(kBlockHash);
    chain.last_l1_block = kL1Block + 1;
    chain.last_initialized_round = kCreationRound;
    chain.sender = pm::SenderInfo{u256_dec("1000000000000000000"), u256_dec("1000000000000000000"), 0};
  }

  pm::TicketParams orch_params() {
    return pm::make_ticket_params(rand_secret, self, sender.address(), price, cfg, params_chain).value();
  }
  std::string start(const pm::TicketParams& params) {
    const net::TicketParams tp = wire_params(params, sender.address());
    EXPECT_TRUE(sender.validate_ticket_params(tp).ok());
    return sender.start_session(tp, tp.expiration_params(), params.price).value();
  }
  // Through the Livepeer-Payment header, as /segment gets it.
  Result<pm::PaymentOutcome> receive(const net::Payment& p, const std::string& stream = "stream") {
    auto parsed = pm::parse_payment_header(pm::payment_header(p));
    if (!parsed.ok()) return parsed.error();
    return receiver.receive(*parsed, stream, chain, price);
  }
  static std::vector<uint32_t> nonces(const net::Payment& p) {
    std::vector<uint32_t> out;
    for (const auto& t : p.ticket_sender_params()) out.push_back(t.sender_nonce());
    return out;
  }

  const eth::Address self = address(kRecipient);
  const pm::RecipientSecret rand_secret = pm::test::secret();
  const pm::Price price = pm::Price::make(1200, 1).value();
  pm::TicketParamsConfig cfg;
  pm::ChainSnapshot params_chain;
  pm::PaymentChainSnapshot chain;
  pm::Balances balances;
  pm::PaymentReceiver receiver{self, rand_secret, balances};
  TicketSender sender{sender_key(), funded_chain()};
};

TEST_F(TicketSenderTest, ReceiverCreditsEachTicketsEv) {
  EXPECT_EQ(sender.address(), address(kSender));
  const pm::TicketParams params = orch_params();
  const std::string id = start(params);
  EXPECT_EQ(id, eth::to_hex_0x(params.recipient_rand_hash));
  const pm::TicketEv ev = pm::ticket_ev(params.face_value, params.win_prob);
  EXPECT_EQ(sender.ev(id).value(), ev);

  auto payment = sender.create_tickets(id, 3);
  ASSERT_TRUE(payment.ok()) << payment.error().message;
  EXPECT_EQ(nonces(*payment), (std::vector<uint32_t>{1, 2, 3}));
  const eth::Address from = address(kSender);
  EXPECT_EQ(payment->sender(), std::string(from.bytes.begin(), from.bytes.end()));
  EXPECT_EQ(payment->expected_price().priceperunit(), 1200);
  EXPECT_EQ(payment->expected_price().pixelsperunit(), 1);
  EXPECT_EQ(payment->expiration_params().creation_round(), kCreationRound);
  // Each signature is personal_sign of that ticket's hash.
  for (const auto& t : payment->ticket_sender_params()) {
    const pm::Ticket ticket = pm::ticket_for(params, sender.address(), t.sender_nonce());
    EXPECT_TRUE(pm::check_ticket_signature(ticket, eth::bytes_of(t.sig())).ok());
  }

  auto out = receive(*payment);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->refusal(), nullptr) << out->refusal()->message;
  EXPECT_EQ(out->tickets_credited, 3u);
  EXPECT_EQ(out->price, price);
  const pm::TicketEv three = *pm::add_ev(*pm::add_ev(ev, ev), ev);
  EXPECT_EQ(ev_times(ev, 3), three);
  EXPECT_EQ(out->credited, three);
  const pm::Wei w = *balances.balance(sender.address(), "stream");
  EXPECT_EQ(U256(static_cast<uint64_t>(w.whole)), three.whole);
  EXPECT_EQ(w.ev_frac, three.frac);

  // The next batch goes on counting and is credited too.
  auto more = sender.create_tickets(id, 2);
  ASSERT_TRUE(more.ok()) << more.error().message;
  EXPECT_EQ(nonces(*more), (std::vector<uint32_t>{4, 5}));
  auto out2 = receive(*more);
  ASSERT_TRUE(out2.ok()) << out2.error().message;
  EXPECT_EQ(out2->tickets_credited, 2u);
  EXPECT_EQ(balances.balance(sender.address(), "stream")->ev_frac, ev_times(ev, 5)->frac);
}

TEST_F(TicketSenderTest, NoncesArePerSessionAndRestart) {
  const pm::TicketParams a = orch_params();
  const pm::TicketParams b = orch_params();  // another seed: another recipientRandHash
  ASSERT_NE(a.recipient_rand_hash, b.recipient_rand_hash);
  const std::string ida = start(a);
  const std::string idb = start(b);
  EXPECT_EQ(nonces(*sender.create_tickets(ida, 2)), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(nonces(*sender.create_tickets(idb, 1)), (std::vector<uint32_t>{1}));
  EXPECT_EQ(nonces(*sender.create_tickets(ida, 1)), (std::vector<uint32_t>{3}));

  // Sent once, credited; started again under the same params, the nonces repeat and the receiver
  // refuses them as replays.
  auto first = sender.create_tickets(idb, 1);
  ASSERT_EQ(receive(*first)->tickets_credited, 1u);
  EXPECT_EQ(start(b), idb);
  auto again = sender.create_tickets(idb, 2);
  EXPECT_EQ(nonces(*again), (std::vector<uint32_t>{1, 2}));
  auto out = receive(*again);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->tickets_credited, 1u);  // nonce 1 was never sent (the first batch held nonce 2)
  ASSERT_NE(out->refusal(), nullptr);
  EXPECT_EQ(out->refusal()->message,
            std::string("invalid ticket senderNonce: already seen sender=") + kSender + " nonce=2");

  // A session that is cleaned up is gone.
  sender.cleanup_session(ida);
  auto gone = sender.create_tickets(ida, 1);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().message, "error loading session: " + eth::to_hex(eth::bytes_of(ida)));
}

TEST_F(TicketSenderTest, ConcurrentBatchesNeverShareANonce) {
  const std::string id = start(orch_params());
  std::vector<std::vector<uint32_t>> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        auto p = sender.create_tickets(id, 3);
        for (uint32_t n : nonces(*p)) got[i].push_back(n);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint32_t> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  EXPECT_EQ(all.size(), 60u);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), 60u);
}

TEST_F(TicketSenderTest, PaymentHeaderRoundTrips) {
  const pm::TicketParams params = orch_params();
  const std::string id = start(params);
  auto header = sender.create_payment_header(id, 2);
  ASSERT_TRUE(header.ok()) << header.error().message;
  auto parsed = pm::parse_payment_header(*header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(pm::payment_header(*parsed), *header);
  EXPECT_EQ(nonces(*parsed), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed->ticket_params(),
                                                                 wire_params(params, sender.address())));
  auto out = receiver.receive(*parsed, "stream", chain, price);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->tickets_credited, 2u);
}

TEST_F(TicketSenderTest, MissingExpirationParamsAreTheSendersRound) {
  pm::TicketParams params = orch_params();
  net::TicketParams tp = wire_params(params, sender.address());
  SenderChainState c = funded_chain();
  c.last_initialized_round = kCreationRound + 1;
  c.last_initialized_block_hash[0] = 0x42;
  sender.set_chain_state(c);
  const std::string id = sender.start_session(tp, net::TicketExpirationParams{}, price).value();
  auto p = sender.create_tickets(id, 1);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->expiration_params().creation_round(), kCreationRound + 1);
  EXPECT_EQ(p->expiration_params().creation_round_block_hash(),
            std::string(c.last_initialized_block_hash.begin(), c.last_initialized_block_hash.end()));
  params.expiration_params = {kCreationRound + 1, c.last_initialized_block_hash};
  const pm::Ticket t = pm::ticket_for(params, sender.address(), 1);
  EXPECT_TRUE(pm::check_ticket_signature(t, eth::bytes_of(p->ticket_sender_params(0).sig())).ok());
}

TEST(EvFloatString, AsBigRatFloatString) {
  const U256 max = pm::kMaxWinProb;
  const U256 third = U256::divmod(max, 3).quotient;  // max is divisible by 3
  EXPECT_EQ(ev_float_string({0, 0}), "0.00000");
  EXPECT_EQ(ev_float_string({12, 0}), "12.00000");
  EXPECT_EQ(ev_float_string({0, third}), "0.33333");
  EXPECT_EQ(ev_float_string({0, third + third}), "0.66667");
  EXPECT_EQ(ev_float_string({5, U256::divmod(max, 2).quotient}), "5.50000");  // just under a half
  EXPECT_EQ(ev_float_string({7, max - 1}), "8.00000");
  EXPECT_EQ(ev_float_string({0, third}, 2), "0.33");
  EXPECT_EQ(ev_float_string({0, third + third}, 0), "1");
  // ev_times carries the fraction.
  EXPECT_EQ(ev_times({1, third + third}, 3), (pm::TicketEv{5, 0}));
  EXPECT_EQ(ev_times({1, third}, 4), (pm::TicketEv{5, third}));
  EXPECT_EQ(ev_times({U256::max(), 0}, 2), std::nullopt);
}

// Params with the given numbers, expiring well after the sender's last block.
net::TicketParams params_with(const U256& face_value, const U256& win_prob) {
  net::TicketParams tp;
  tp.set_recipient(std::string(20, '\x11'));
  tp.set_face_value(bytes(face_value));
  tp.set_win_prob(bytes(win_prob));
  tp.set_recipient_rand_hash(std::string(32, '\x22'));
  tp.set_seed(bytes(U256(3333)));
  tp.set_expiration_block(bytes(U256(kL1Block + 40)));
  return tp;
}

TEST(TicketSenderValidation, GoLivepeersRefusals) {
  TicketSenderConfig cfg;
  cfg.max_ev = 110;
  cfg.max_total_ev = 250;
  cfg.deposit_multiplier = 10;
  SenderChainState c = funded_chain();
  c.deposit = 2020;
  TicketSender s(sender_key(), c, cfg);
  const U256 half = U256::divmod(pm::kMaxWinProb, 2).quotient;
  // 202 at just under 1/2: EV just under 101.
  net::TicketParams ok = params_with(202, half);
  EXPECT_TRUE(s.validate_ticket_params(ok).ok());
  EXPECT_TRUE(s.validate_ticket_params(ok, 2).ok());

  // Expiry: a buffer of 1 block or less is expired; expiration block 0 skips every check.
  net::TicketParams expiring = ok;
  expiring.set_expiration_block(bytes(U256(kL1Block + 2)));
  EXPECT_TRUE(Refused(s.validate_ticket_params(expiring), "TicketParams expired"));
  expiring.set_expiration_block(bytes(U256(kL1Block + 3)));
  EXPECT_TRUE(s.validate_ticket_params(expiring).ok());
  net::TicketParams no_expiry = params_with(1000, pm::kMaxWinProb);
  no_expiry.clear_expiration_block();
  EXPECT_TRUE(s.validate_ticket_params(no_expiry).ok());

  // EV 0 needs nothing more.
  EXPECT_TRUE(s.validate_ticket_params(params_with(u256_dec("1000000000000000000000"), 0)).ok());
  // EV == faceValue.
  EXPECT_TRUE(
      Refused(s.validate_ticket_params(params_with(100, pm::kMaxWinProb)), "ticket faceValue too low faceValue=100"));
  // EV over the max.
  EXPECT_TRUE(
      Refused(s.validate_ticket_params(params_with(240, half)), "ticket EV 120.00000 > max ticket EV 110.00000"));
  // n tickets over the max total.
  EXPECT_TRUE(Refused(s.validate_ticket_params(ok, 3),
                      "total ticket EV 303.00000 for 3 tickets > max total ticket EV 250.00000"));
  // faceValue over deposit / depositMultiplier (2020 / 10).
  EXPECT_TRUE(Refused(s.validate_ticket_params(params_with(204, U256::divmod(pm::kMaxWinProb, 4).quotient)),
                      "ticket faceValue 204 > max faceValue 202"));

  // The sender itself.
  const auto with = [&](const SenderChainState& st) { return std::make_unique<TicketSender>(sender_key(), st, cfg); };
  SenderChainState unlocking = c;
  unlocking.withdraw_round = U256(static_cast<uint64_t>(kCreationRound)) + 1;
  EXPECT_TRUE(Refused(with(unlocking)->validate_ticket_params(ok),
                      "unable to validate sender: deposit and reserve is set to unlock soon"));
  unlocking.withdraw_round = U256(static_cast<uint64_t>(kCreationRound)) + 2;
  EXPECT_TRUE(with(unlocking)->validate_ticket_params(ok).ok());
  SenderChainState no_reserve = c;
  no_reserve.reserve = 0;
  no_reserve.deposit = 0;
  EXPECT_TRUE(Refused(with(no_reserve)->validate_ticket_params(ok), "no sender reserve"));
  // The order is go-livepeer's: expiry before the sender.
  net::TicketParams expired = ok;
  expired.set_expiration_block(bytes(U256(kL1Block)));
  EXPECT_TRUE(Refused(with(no_reserve)->validate_ticket_params(expired), "TicketParams expired"));
  SenderChainState no_deposit = c;
  no_deposit.deposit = 0;
  EXPECT_TRUE(Refused(with(no_deposit)->validate_ticket_params(ok), "no sender deposit"));

  // A chain read that fails fails the check with its error.
  TicketSender broken(sender_key(), SenderChainReader([] {
                        return Result<SenderChainState>(Error{ErrorCode::Unreachable, "GetSenderInfo error"});
                      }),
                      cfg);
  EXPECT_TRUE(Refused(broken.validate_ticket_params(ok), "GetSenderInfo error"));

  // create_tickets checks for the batch size it makes.
  TicketSender good(sender_key(), c, cfg);
  const std::string id = good.start_session(ok, ok.expiration_params(), pm::Price{}).value();
  EXPECT_TRUE(good.create_tickets(id, 2).ok());
  auto three = good.create_tickets(id, 3);
  ASSERT_FALSE(three.ok());
  EXPECT_EQ(three.error().message, "total ticket EV 303.00000 for 3 tickets > max total ticket EV 250.00000");
  auto one = good.create_tickets(id, 1);
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one->ticket_sender_params_size(), 1);
  EXPECT_EQ(one->ticket_sender_params(0).sender_nonce(), 3u);  // the refused batch used no nonces
}

}  // namespace
}  // namespace lp::test
