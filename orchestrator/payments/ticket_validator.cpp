#include "ticket_validator.h"

#include <string>

#include "hex.h"

namespace lp::pm {
namespace {

Error refused(const std::string& why) { return Error{ErrorCode::BadRequest, why}; }

}  // namespace

Result<void> validate_ticket(const eth::Address& self, const Ticket& ticket, std::span<const uint8_t> sig,
                             const RecipientRand& recipient_rand) {
  if (!(ticket.recipient == self)) {
    return refused("invalid ticket recipient " + ticket.recipient.checksummed() + ": this orchestrator is " +
                   self.checksummed());
  }
  if (ticket.sender == eth::Address{}) return refused("invalid ticket sender: the zero address");
  if (recipient_rand_hash(recipient_rand) != ticket.recipient_rand_hash) {
    // The rand was derived from the payment's seed and params: any field changed since the
    // orchestrator offered them (or a seed it never issued) lands here.
    return refused("invalid recipientRand for ticket recipientRandHash " + eth::to_hex_0x(ticket.recipient_rand_hash) +
                   " (seed or ticket params not as this orchestrator issued them)");
  }
  return check_ticket_signature(ticket, sig);
}

Result<void> check_ticket_round(const Ticket& ticket, int64_t current_round, int64_t validity_period) {
  if (ticket.creation_round == 0 && ticket.creation_round_block_hash == Hash{}) {
    return refused("ticket has no creation round or block hash (empty auxData cannot be redeemed)");
  }
  // Compare in 128 bits: rounds come off the wire and may be anything.
  __extension__ typedef __int128 i128;
  if (static_cast<i128>(ticket.creation_round) + validity_period <= current_round) {
    return refused("ticket is expired: created in round " + std::to_string(ticket.creation_round) + ", valid for " +
                   std::to_string(validity_period) + " rounds, current round " + std::to_string(current_round));
  }
  return {};
}

Result<void> check_params_expiration(const U256& expiration_block, uint64_t latest_l1_block) {
  if (expiration_block <= U256(latest_l1_block)) {
    return refused("TicketParams expired: expiration block " + expiration_block.to_dec() + ", latest L1 block " +
                   std::to_string(latest_l1_block));
  }
  return {};
}

RandInputs rand_inputs_for(const Ticket& ticket, const U256& seed, const U256& expiration_block, const Price& price) {
  return RandInputs{
      seed, ticket.sender, ticket.face_value, ticket.win_prob, expiration_block, price, ticket.expiration_params()};
}

Result<void> SenderNonces::record(const RecipientRand& rand, uint32_t nonce, const eth::Address& sender,
                                  const U256& expiration_block) {
  std::lock_guard lock(mutex_);
  // The first ticket under a rand fixes its expiry, as go-livepeer's updateSenderNonce does.
  auto [it, inserted] = seen_.try_emplace(rand, Seen{{}, expiration_block});
  Seen& seen = it->second;
  if (!inserted && seen.nonces.count(nonce)) {
    return refused("invalid ticket senderNonce: already seen sender=" + sender.checksummed() +
                   " nonce=" + std::to_string(nonce));
  }
  if (seen.nonces.size() >= max_per_rand_) {
    return refused("invalid ticket senderNonce: too many values sender=" + sender.checksummed() +
                   " nonce=" + std::to_string(nonce) + " (at most " + std::to_string(max_per_rand_) + ")");
  }
  seen.nonces.insert(nonce);
  return {};
}

void SenderNonces::expire(uint64_t latest_l1_block) {
  std::lock_guard lock(mutex_);
  std::erase_if(seen_, [&](const auto& entry) { return entry.second.expiration_block <= U256(latest_l1_block); });
}

size_t SenderNonces::rand_count() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace lp::pm
