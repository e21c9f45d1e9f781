// Receiving a gateway's payment: the Livepeer-Payment header of POST /segment (a base64 net.Payment,
// WIRE.md 2c), every ticket in it checked as go-livepeer's orchestrator does (core/orchestrator.go
// ProcessPayment, pm/recipient.go ReceiveTicket, pm/sendermonitor.go ValidateSender), its EV credited
// to the (sender, stream) balance, and the winners handed back to be stored and redeemed.
//
// What /segment answers, as go-livepeer's server/segment_rpc.go ServeSegment does:
//   - parse_payment_header fails                -> 402 with the error's message (getPayment);
//   - PaymentReceiver::receive fails            -> 400 with the message (ProcessPayment's fatal error);
//   - it succeeds with outcome.refusal() set    -> 400 with that message (ProcessPayment returns the
//     last non-fatal ticket error: bad signature, replayed nonce, expired params), after crediting
//     the tickets that passed and keeping the winners;
//   - outcome.price is positive and Balances::sufficient(sender, stream, ticket EV) is false
//                                               -> 400 "Insufficient balance", before any transcoding;
//   - after transcoding, Balances::debit(sender, stream, output pixels, outcome.price).
// The OrchestratorInfo answered with the segment must quote Balances::fixed_price for the stream, and
// its ticket params be made at that price, as go-livepeer's priceInfo(sender, manifestID) does.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "balances.h"
#include "error.h"
#include "lp_rpc.pb.h"
#include "recipient_rand.h"
#include "ticket.h"
#include "ticket_params.h"
#include "ticket_store.h"
#include "ticket_validator.h"
#include "u256.h"

namespace lp::pm {

// go-ethereum's common.BytesToAddress / BytesToHash on wire bytes: the last N bytes, left-padded
// with zeros when shorter.
template <size_t N>
std::array<uint8_t, N> right_aligned(std::string_view b) {
  std::array<uint8_t, N> out{};
  if (b.size() > N) b = b.substr(b.size() - N);
  std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(N - b.size()));
  return out;
}

// The longest Livepeer-Payment header taken: room for kMaxSenderNonces tickets (about 75 bytes each).
inline constexpr size_t kMaxPaymentHeaderSize = 128 * 1024;

// The Livepeer-Payment header (getPayment): standard padded base64 of net.Payment, decoded as Go's
// base64.StdEncoding does. An empty header is an empty payment (offchain gateways send one).
// Errors, all answered with 402: TooLarge past kMaxPaymentHeaderSize; BadRequest for "base64 decode
// error: illegal base64 data at input byte N", "protobuf unmarshal error: ..." (bytes that are not a
// net.Payment), tickets with no ticket params to check them against, and more than kMaxSenderNonces
// tickets (they share one recipientRand, so the rest could never be credited).
Result<net::Payment> parse_payment_header(std::string_view header);
std::string payment_header(const net::Payment& payment);  // base64 of its protobuf bytes

// The payment a gateway makes from `params` (genPayment), tickets not yet added.
net::Payment payment_for(const TicketParams& params, const eth::Address& sender);
// Ticket `nonce` of that payment, as pm.NewTicket builds it.
Ticket ticket_for(const TicketParams& params, const eth::Address& sender, uint32_t nonce);

// TicketBroker.getSenderInfo for the payment's sender.
struct SenderInfo {
  U256 deposit;
  U256 reserve;         // reserve.fundsRemaining
  U256 withdraw_round;  // 0 while not unlocking
};

// What the chain watchers know when the payment arrives.
struct PaymentChainSnapshot {
  uint64_t last_l1_block = 0;          // TimeManager.LastSeenL1Block: params expiry
  int64_t last_initialized_round = 0;  // RoundsManager.LastInitializedRound: unlock and activity checks
  // orchestrator.isActive: the ticket recipient is active in last_initialized_round + 1.
  bool orchestrator_active = true;
  // The payment's sender; nullopt when it could not be read (the payment is refused).
  std::optional<SenderInfo> sender;
};

// Winners come back as ticket_store.h's WinningTicket (go-livepeer's SignedTicket), ready for
// TicketStore::add_winner before the segment is answered. Like go-livepeer, a winner comes back even
// when its nonce was replayed or its params expired: the store keeps one per ticket hash.

// A ticket refused without refusing the rest (go-livepeer's non-fatal receive errors).
struct TicketError {
  size_t index = 0;  // in ticket_sender_params
  uint32_t sender_nonce = 0;
  Error error;
};

struct PaymentOutcome {
  eth::Address sender;
  size_t tickets = 0;           // tickets in the payment
  size_t tickets_credited = 0;  // those whose EV was credited
  TicketEv credited;            // the EV credited, exactly
  std::vector<WinningTicket> winners;
  std::vector<TicketError> ticket_errors;
  // The price the stream is charged at: the one fixed for it, else the one this payment fixed, else
  // (a payment without tickets to a new stream) the offered price. The balance check applies when
  // it is positive; the gateway's own expected_price is not trusted for that.
  Price price;

  // ProcessPayment's result when no ticket was fatal: the last ticket error, or nullptr.
  const Error* refusal() const { return ticket_errors.empty() ? nullptr : &ticket_errors.back().error; }
};

// Thread-safe: the nonce memory and the balances lock themselves, the secret is only read.
class PaymentReceiver {
 public:
  // `secret` and `balances` must outlive the receiver. `recipient` is the ticket recipient this node
  // accepts (its account, or -ethOrchAddr).
  PaymentReceiver(const eth::Address& recipient, const RecipientSecret& secret, Balances& balances,
                  size_t max_sender_nonces = kMaxSenderNonces);

  // ProcessPayment for `stream` (the session's manifest id). In go-livepeer's order: a sender is
  // required with ticket params; the recipient must be active; expected_price must be a valid price;
  // then per ticket ReceiveTicket: the sender must not be unlocking (and, lpgst's addition, must have
  // a deposit or reserve), recipient/sender/recipientRand checks (fatal), the signature (that ticket
  // only), the win check, the nonce (that ticket, winner kept) and the params' expiry (likewise).
  // lpgst's additions: a negative expected price is refused, and a stream's later payments must carry
  // the price its first one fixed (`offered_price` only prices ticketless payments to new streams).
  // Fatal errors (BadRequest, or Busy when the balances are full) leave nothing credited or recorded.
  Result<PaymentOutcome> receive(const net::Payment& payment, const std::string& stream,
                                 const PaymentChainSnapshot& chain, const Price& offered_price);

  // Forgets the nonces of params that expired at or before `latest_l1_block` (senderNoncesCleanupLoop).
  void expire_nonces(uint64_t latest_l1_block) { nonces_.expire(latest_l1_block); }
  size_t nonce_rand_count() const { return nonces_.rand_count(); }

 private:
  const eth::Address recipient_;
  const RecipientSecret& secret_;
  Balances& balances_;
  SenderNonces nonces_;
};

}  // namespace lp::pm
