// The checks an orchestrator makes on each ticket it receives, short of asking the chain
// (go-livepeer pm/validator.go ValidateTicket and pm/recipient.go ReceiveTicket's nonce and
// expiration checks). As in go-livepeer, a bad signature refuses just that ticket, while a wrong
// recipient, a zero sender or a recipientRand that does not match refuse the whole payment
// (FatalReceiveErr); a replayed nonce or expired params leave the ticket uncredited but a winner
// is still redeemable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <span>

#include "address.h"
#include "error.h"
#include "u256.h"
#include "recipient_rand.h"
#include "ticket.h"

namespace lp::pm {

// The contract's ticketValidityPeriod (rounds), set to 2 by Livepeer's deployments.
inline constexpr int64_t kTicketValidityPeriod = 2;
// Distinct nonces accepted per recipientRand: go-livepeer's maxSenderNonces as WIRE.md 2c gives it
// (older go-livepeer releases had 150).
inline constexpr size_t kMaxSenderNonces = 600;

// In go-livepeer's order: recipient is `self`, sender non-zero, keccak256(recipientRand) equals the
// ticket's recipientRandHash, and `sig` is the sender's signature over the ticket hash. Errors
// name the check: BadRequest for the first three (fatal to the payment), BadSignature for the last.
Result<void> validate_ticket(const eth::Address& self, const Ticket& ticket, std::span<const uint8_t> sig,
                             const RecipientRand& recipient_rand);

// Whether the ticket errors returned above refuse the whole payment (go-livepeer's FatalReceiveErr).
inline bool is_fatal_ticket_error(const Error& e) { return e.code != ErrorCode::BadSignature; }

// The TicketBroker's expiry rule: creationRound + validity_period > current_round; tickets with no
// creation round at all (empty auxData) are refused too, as the contract cannot take them.
Result<void> check_ticket_round(const Ticket& ticket, int64_t current_round,
                                int64_t validity_period = kTicketValidityPeriod);

// The params' own expiry, checked against the last L1 block the node saw ("TicketParams expired").
Result<void> check_params_expiration(const U256& expiration_block, uint64_t latest_l1_block);

// The inputs of the recipientRand a received ticket claims, from the payment's fields.
RandInputs rand_inputs_for(const Ticket& ticket, const U256& seed, const U256& expiration_block, const Price& price);

// Nonces seen per recipientRand, refusing any seen before (a replayed ticket would be credited
// twice) and bounding each set at max_per_rand. Entries go once their params' expiration block
// passes: after that no new ticket under that recipientRand is credited anyway. Thread-safe.
class SenderNonces {
 public:
  explicit SenderNonces(size_t max_per_rand = kMaxSenderNonces) : max_per_rand_(max_per_rand) {}

  // Records `nonce` for `rand`; the error names the sender and nonce ("already seen", "too many").
  Result<void> record(const RecipientRand& rand, uint32_t nonce, const eth::Address& sender,
                      const U256& expiration_block);
  // Forgets every recipientRand whose expiration block is at or before `latest_l1_block`.
  void expire(uint64_t latest_l1_block);
  size_t rand_count() const;

 private:
  struct Seen {
    std::set<uint32_t> nonces;
    U256 expiration_block;
  };
  const size_t max_per_rand_;
  mutable std::mutex mutex_;
  std::map<RecipientRand, Seen> seen_;
};

}  // namespace lp::pm
