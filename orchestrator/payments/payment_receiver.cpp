#include "payment_receiver.h"

#include "go_base64.h"

#include <algorithm>
#include <array>

namespace lp::pm {
namespace {

// --- go-ethereum's conversions of wire bytes ---------------------------------------------------

eth::Address bytes_to_address(std::string_view b) { return eth::Address{right_aligned<20>(b)}; }

std::span<const uint8_t> as_span(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string as_string(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

Error refused(std::string message) { return Error{ErrorCode::BadRequest, std::move(message)}; }

// ProcessPayment's wording for a bad expected price, err quoted as Go's %q does (plain text here).
Error bad_expected_price(const std::string& why) {
  return refused("invalid expected price sent with payment err=\"" + why + "\"");
}

// new(big.Int).SetBytes, refused past 256 bits (go-livepeer would take it, and fail the
// recipientRand check, since no params it issued hold such a number).
Result<U256> param_number(std::string_view bytes, const char* name) {
  auto v = U256::from_bytes(as_span(bytes));
  if (!v.ok()) return refused(std::string("invalid ticket params: ") + name + " is over 256 bits");
  return v;
}

// sendermonitor.go ValidateSender, with lpgst's funds check after it.
Result<void> validate_sender(const eth::Address& sender, const PaymentChainSnapshot& chain) {
  if (!chain.sender) {
    return refused("could not get sender info for " + sender.checksummed() + ": not known to the chain watcher");
  }
  const SenderInfo& info = *chain.sender;
  // Unlocking ends within the next round: tickets redeemed after it could find no funds.
  const U256 max_withdraw_round = U256(static_cast<uint64_t>(std::max<int64_t>(chain.last_initialized_round, 0))) + 1;
  if (!info.withdraw_round.is_zero() && info.withdraw_round <= max_withdraw_round) {
    return refused("deposit and reserve for sender " + sender.checksummed() + " is set to unlock soon");
  }
  // go-livepeer only refuses this at redemption (and gives such a sender no face value to start with).
  if (info.deposit.is_zero() && info.reserve.is_zero()) {
    return refused("sender " + sender.checksummed() + " has zero deposit and reserve");
  }
  return {};
}

}  // namespace

Result<net::Payment> parse_payment_header(std::string_view header) {
  if (header.size() > kMaxPaymentHeaderSize) {
    return Error{ErrorCode::TooLarge, "payment header is " + std::to_string(header.size()) + " bytes; at most " +
                                          std::to_string(kMaxPaymentHeaderSize) + " are taken"};
  }
  auto bytes = go_base64_decode(header);
  if (!bytes.ok()) return bytes.error();
  // proto.Unmarshal's rules: unknown fields kept, the last scalar wins, embedded messages merge.
  net::Payment payment;
  if (!payment.ParseFromString(*bytes)) {
    return refused("protobuf unmarshal error: proto: cannot parse invalid wire-format data");
  }
  const auto tickets = static_cast<size_t>(payment.ticket_sender_params_size());
  if (tickets > 0 && !payment.has_ticket_params()) {
    return refused("payment has " + std::to_string(tickets) + " tickets but no ticket params");
  }
  if (tickets > kMaxSenderNonces) {
    return refused("payment has " + std::to_string(tickets) + " tickets; at most " + std::to_string(kMaxSenderNonces) +
                   " can share one recipientRand");
  }
  return payment;
}

std::string payment_header(const net::Payment& payment) { return base64_encode(payment.SerializeAsString()); }

net::Payment payment_for(const TicketParams& params, const eth::Address& sender) {
  // genPayment: every number as big.Int.Bytes() writes it.
  const auto number = [](const U256& v) { return as_string(v.to_minimal_bytes()); };
  net::TicketExpirationParams expiration;
  expiration.set_creation_round(params.expiration_params.creation_round);
  expiration.set_creation_round_block_hash(as_string(params.expiration_params.creation_round_block_hash));
  net::Payment p;
  net::TicketParams& tp = *p.mutable_ticket_params();
  tp.set_recipient(as_string(params.recipient.bytes));
  tp.set_face_value(number(params.face_value));
  tp.set_win_prob(number(params.win_prob));
  tp.set_recipient_rand_hash(as_string(params.recipient_rand_hash));
  tp.set_seed(number(params.seed));
  tp.set_expiration_block(number(params.expiration_block));
  *tp.mutable_expiration_params() = expiration;
  p.set_sender(as_string(sender.bytes));
  *p.mutable_expiration_params() = expiration;
  p.mutable_expected_price()->set_priceperunit(params.price.num);
  p.mutable_expected_price()->set_pixelsperunit(params.price.den);
  return p;
}

Ticket ticket_for(const TicketParams& params, const eth::Address& sender, uint32_t nonce) {
  return Ticket{params.recipient,
                sender,
                params.face_value,
                params.win_prob,
                nonce,
                params.recipient_rand_hash,
                params.expiration_params.creation_round,
                params.expiration_params.creation_round_block_hash};
}

PaymentReceiver::PaymentReceiver(const eth::Address& recipient, const RecipientSecret& secret, Balances& balances,
                                 size_t max_sender_nonces)
    : recipient_(recipient), secret_(secret), balances_(balances), nonces_(max_sender_nonces) {}

Result<PaymentOutcome> PaymentReceiver::receive(const net::Payment& payment, const std::string& stream,
                                                const PaymentChainSnapshot& chain, const Price& offered_price) {
  PaymentOutcome out;
  out.sender = bytes_to_address(payment.sender());
  out.tickets = static_cast<size_t>(payment.ticket_sender_params_size());
  // What a payment with nothing to check is charged at: never the gateway's unchecked claim.
  const auto unchecked_price = [&] { return balances_.fixed_price(out.sender, stream).value_or(offered_price); };

  // No ticket params: the gateway pays nothing this time (its credit covers the segment, or the
  // price is 0).
  if (!payment.has_ticket_params()) {
    out.price = unchecked_price();
    return out;
  }
  const net::TicketParams& tp = payment.ticket_params();
  if (payment.sender().empty()) return refused("Could not find Sender for payment");
  const eth::Address params_recipient = bytes_to_address(tp.recipient());
  if (!chain.orchestrator_active) {
    return refused("orchestrator " + params_recipient.checksummed() + " is inactive in round " +
                   std::to_string(chain.last_initialized_round) + ", cannot process payments");
  }
  if (!payment.has_expected_price()) return bad_expected_price("expected price is nil");
  const net::PriceInfo& pi = payment.expected_price();
  if (pi.pixelsperunit() == 0) return bad_expected_price("pixels per unit is 0");
  auto price = Price::make(pi.priceperunit(), pi.pixelsperunit());
  if (!price.ok()) return bad_expected_price(price.error().message);
  // A negative price hashes like its magnitude into recipientRand, and debiting it would credit.
  if (price->num < 0) return bad_expected_price("price is negative");

  auto face_value = param_number(tp.face_value(), "face_value");
  if (!face_value.ok()) return face_value.error();
  auto win_prob = param_number(tp.win_prob(), "win_prob");
  if (!win_prob.ok()) return win_prob.error();
  auto seed = param_number(tp.seed(), "seed");
  if (!seed.ok()) return seed.error();
  auto expiration_block = param_number(tp.expiration_block(), "expiration_block");
  if (!expiration_block.ok()) return expiration_block.error();
  // ProcessPayment does nothing more without tickets; with none, the price above was never checked.
  if (payment.ticket_sender_params().empty()) {
    out.price = unchecked_price();
    return out;
  }

  // pm.NewTicket: every ticket shares these fields, so they share one recipientRand.
  const net::TicketExpirationParams& expiration = payment.expiration_params();  // defaults when unset
  Ticket ticket{params_recipient,
                out.sender,
                *face_value,
                *win_prob,
                0,
                right_aligned<32>(tp.recipient_rand_hash()),
                expiration.creation_round(),
                right_aligned<32>(expiration.creation_round_block_hash())};
  const RecipientRand rand = secret_.rand(rand_inputs_for(ticket, *seed, *expiration_block, *price));

  // ReceiveTicket's fatal checks fail alike for every ticket: make them once, before anything is
  // recorded, so a refused payment leaves no trace.
  if (auto sender_ok = validate_sender(out.sender, chain); !sender_ok.ok()) return sender_ok.error();
  const net::TicketSenderParams& first = payment.ticket_sender_params(0);
  ticket.sender_nonce = first.sender_nonce();
  if (auto v = validate_ticket(recipient_, ticket, as_span(first.sig()), rand);
      !v.ok() && is_fatal_ticket_error(v.error()))
    return v.error();

  // setFixedPricePerSession: the first payment fixes the stream's price; later ones must carry it.
  auto fixed = balances_.fix_price(out.sender, stream, *price);
  if (!fixed.ok()) {
    if (fixed.error().code == ErrorCode::BadRequest) return bad_expected_price(fixed.error().message);
    return fixed.error();
  }
  out.price = *fixed;

  const TicketEv ev = ticket_ev(*face_value, *win_prob);
  for (size_t i = 0; i < out.tickets; ++i) {
    const net::TicketSenderParams& tsp = payment.ticket_sender_params(static_cast<int>(i));
    ticket.sender_nonce = tsp.sender_nonce();
    const auto sig = as_span(tsp.sig());
    const auto reject = [&](Error e) { out.ticket_errors.push_back({i, tsp.sender_nonce(), std::move(e)}); };
    if (auto v = validate_ticket(recipient_, ticket, sig, rand); !v.ok()) {
      if (is_fatal_ticket_error(v.error())) return v.error();  // cannot happen after the check above
      reject(v.error());
      continue;
    }
    if (is_winning_ticket(sig, rand, *win_prob)) {
      out.winners.push_back({ticket, std::vector<uint8_t>(sig.begin(), sig.end()), rand, *expiration_block});
    }
    if (auto n = nonces_.record(rand, tsp.sender_nonce(), out.sender, *expiration_block); !n.ok()) {
      reject(n.error());
      continue;
    }
    if (auto e = check_params_expiration(*expiration_block, chain.last_l1_block); !e.ok()) {
      reject(e.error());
      continue;
    }
    // ProcessPayment stops crediting after the first non-fatal error (its receiveErr sticks); here
    // each ticket that passes is credited.
    auto total = add_ev(out.credited, ev);
    if (!total) return Error{ErrorCode::Internal, "payment EV overflow"};
    out.credited = *total;
    ++out.tickets_credited;
  }
  if (out.tickets_credited > 0) {
    if (auto c = balances_.credit(out.sender, stream, out.credited); !c.ok()) return c.error();
  }
  return out;
}

}  // namespace lp::pm
