#include "ticket.h"

#include "keccak.h"

namespace lp::pm {
namespace {

void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace

std::vector<uint8_t> ExpirationParams::aux_data() const {
  if (creation_round == 0 && creation_round_block_hash == Hash{}) return {};
  uint64_t magnitude =
      creation_round < 0 ? 0 - static_cast<uint64_t>(creation_round) : static_cast<uint64_t>(creation_round);
  std::vector<uint8_t> out;
  append(out, U256(magnitude).to_bytes32());
  append(out, creation_round_block_hash);
  return out;
}

std::vector<uint8_t> Ticket::flatten() const {
  std::vector<uint8_t> out;
  out.reserve(20 + 20 + 32 * 4 + 64);
  append(out, recipient.bytes);
  append(out, sender.bytes);
  append(out, face_value.to_bytes32());
  append(out, win_prob.to_bytes32());
  append(out, U256(sender_nonce).to_bytes32());
  append(out, recipient_rand_hash);
  append(out, expiration_params().aux_data());
  return out;
}

Hash Ticket::hash() const { return eth::keccak256(flatten()); }

eth::Digest ticket_signing_digest(const Ticket& ticket) { return eth::personal_message_hash(ticket.hash()); }

eth::Signature sign_ticket(const eth::PrivateKey& sender_key, const Ticket& ticket) {
  return eth::sign_digest(sender_key, ticket_signing_digest(ticket));
}

Result<eth::Address> recover_ticket_signer(const Ticket& ticket, std::span<const uint8_t> sig) {
  auto parsed = eth::Signature::from_bytes(sig);
  if (!parsed) return Error{ErrorCode::BadSignature, "invalid ticket signature: " + parsed.error().message};
  auto signer = eth::recover_digest(ticket_signing_digest(ticket), *parsed);
  if (!signer) return Error{ErrorCode::BadSignature, "invalid ticket signature: " + signer.error().message};
  return signer;
}

Result<void> check_ticket_signature(const Ticket& ticket, std::span<const uint8_t> sig) {
  auto signer = recover_ticket_signer(ticket, sig);
  if (!signer) return signer.error();
  if (!(*signer == ticket.sender)) {
    return Error{ErrorCode::BadSignature, "invalid ticket signature: signed by " + signer->checksummed() +
                                              ", not by the ticket's sender " + ticket.sender.checksummed()};
  }
  return {};
}

bool is_winning_ticket(std::span<const uint8_t> sig, const RecipientRand& recipient_rand, const U256& win_prob) {
  Hash h = eth::Keccak256().update(sig).update(recipient_rand).finish();
  return U256::from_bytes32(h) < win_prob;
}

double TicketEv::to_double() const { return whole.to_double() + frac.to_double() / kMaxWinProb.to_double(); }

TicketEv ticket_ev(const U256& face_value, const U256& win_prob) {
  // With N = high * 2^256 + low and 2^256 = M + 1 (M = 2^256 - 1): N = high * M + (high + low), so
  // floor(N / M) = high + floor((high + low) / M), where high + low < 2M: at most one more M.
  U256::Wide n = U256::mul_wide(face_value, win_prob);
  TicketEv ev{n.high, 0};
  if (auto sum = U256::checked_add(n.high, n.low)) {
    ev.frac = *sum;
  } else {
    // high + low >= 2^256 > M: one M more, and the rest is low - (M - high), which is below M.
    ev.whole = *U256::checked_add(ev.whole, 1);
    ev.frac = *U256::checked_sub(n.low, *U256::checked_sub(kMaxWinProb, n.high));
  }
  if (ev.frac == kMaxWinProb) {
    ev.whole = *U256::checked_add(ev.whole, 1);
    ev.frac = 0;
  }
  return ev;
}

}  // namespace lp::pm
