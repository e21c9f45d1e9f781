// The Livepeer-Payment header of a go-livepeer gateway's POST /segment, as an on-chain
// orchestrator receives it: Go's base64 and the net.Payment protobuf (parse_payment_header), then
// every ticket through PaymentReceiver's checks (sender, recipient, recipientRand, signature,
// nonce, expiry, the win check) and the balance credit. A parsed payment must survive its own
// header encoding; receiving it must never credit a balance past what its tickets could carry.
#include "fuzz_common.h"
#include "payment_receiver.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

namespace {

using namespace lp::pm;

// The orchestrator the fuzzed payments are sent to: a fixed address and secret, an active
// recipient, a funded sender, at L1 block 1000 of round 7.
const lp::eth::Address& recipient() {
  static const lp::eth::Address a = [] {
    lp::eth::Address x;
    x.bytes.fill(0x70);
    return x;
  }();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = parse_payment_header(lp::fuzz::text(data, size));
  if (!parsed) return 0;
  auto again = parse_payment_header(payment_header(*parsed));
  if (!again || again->SerializeAsString() != parsed->SerializeAsString()) lp::fuzz::fail("payment: header round trip");

  static const RecipientSecret secret(std::array<uint8_t, RecipientSecret::kSize>{1, 2, 3});
  Balances balances;
  PaymentReceiver receiver(recipient(), secret, balances, 64);
  PaymentChainSnapshot chain;
  chain.last_l1_block = 1000;
  chain.last_initialized_round = 7;
  chain.orchestrator_active = true;
  chain.sender = SenderInfo{U256(1'000'000'000'000'000'000ull), U256(1'000'000'000'000'000'000ull), U256(0)};
  auto out = receiver.receive(*parsed, "stream", chain, Price{1, 1});
  if (!out) return 0;
  if (out->tickets_credited > out->tickets || out->winners.size() > out->tickets)
    lp::fuzz::fail("payment: more credited or won than there were tickets");
  if (out->tickets_credited == 0 && !out->credited.whole.is_zero()) lp::fuzz::fail("payment: credit without tickets");
  // The same payment again: every nonce is seen, nothing more is credited.
  auto replay = receiver.receive(*parsed, "stream", chain, Price{1, 1});
  if (replay && replay->tickets_credited != 0) lp::fuzz::fail("payment: a replayed ticket was credited");
  return 0;
}
