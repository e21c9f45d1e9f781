// Livepeer probabilistic micropayment tickets (go-livepeer pm/ticket.go, pm/validator.go; the
// TicketBroker's MixinTicketBrokerCore.sol and MixinTicketProcessor.sol). A broadcaster pays with
// signed lottery tickets; each is worth its expected value faceValue * winProb / (2^256 - 1), and a
// winning one is redeemed on chain for faceValue. Everything here must match the contract byte for
// byte, or winning tickets would not redeem.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "address.h"
#include "error.h"
#include "eth_key.h"
#include "u256.h"

namespace lp::pm {

using chain::U256;
using Hash = std::array<uint8_t, 32>;
// The recipient's random number, as the 32-byte big-endian word the contract takes (uint256).
using RecipientRand = std::array<uint8_t, 32>;

// Win probabilities are numerators over this (go-livepeer's maxWinProb): winProb = max always wins
// except for the one hash value 2^256 - 1.
inline constexpr U256 kMaxWinProb = U256::max();

// When a ticket was made: the round and that round's block hash (TicketExpirationParams).
struct ExpirationParams {
  int64_t creation_round = 0;
  Hash creation_round_block_hash{};

  // The ticket's auxData: leftpad32(creationRound) ‖ creationRoundBlockHash. Empty when both are
  // zero, as go-livepeer writes it (such a ticket cannot be redeemed: the contract wants 64 bytes).
  // A negative round is written as its magnitude, as big.Int.Bytes() does.
  std::vector<uint8_t> aux_data() const;

  friend bool operator==(const ExpirationParams&, const ExpirationParams&) = default;
};

// The fields the sender signs (MTicketBrokerCore.Ticket, with auxData kept as its two parts).
struct Ticket {
  eth::Address recipient;
  eth::Address sender;
  U256 face_value;  // wei paid if the ticket wins
  U256 win_prob;    // numerator over kMaxWinProb
  uint32_t sender_nonce = 0;
  Hash recipient_rand_hash{};
  int64_t creation_round = 0;
  Hash creation_round_block_hash{};

  ExpirationParams expiration_params() const { return {creation_round, creation_round_block_hash}; }
  // abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData):
  // 20 + 20 + 32 + 32 + 32 + 32 bytes, then 0 or 64 bytes of auxData.
  std::vector<uint8_t> flatten() const;
  // keccak256(flatten()): TicketBroker.getTicketHash and the key of its usedTickets map.
  Hash hash() const;

  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// The sender signs the ticket hash with personal_sign (go-livepeer's Eth.Sign / accounts.TextHash;
// the contract checks ECDSA.recover(toEthSignedMessageHash(ticketHash), sig)): this digest.
eth::Digest ticket_signing_digest(const Ticket& ticket);
eth::Signature sign_ticket(const eth::PrivateKey& sender_key, const Ticket& ticket);
// Who signed `sig` (65 bytes r ‖ s ‖ v, v 27/28, low s, as go-livepeer's ecrecover requires).
Result<eth::Address> recover_ticket_signer(const Ticket& ticket, std::span<const uint8_t> sig);
// `sig` is a valid signature by ticket.sender; else ErrorCode::BadSignature saying why.
Result<void> check_ticket_signature(const Ticket& ticket, std::span<const uint8_t> sig);

// uint256(keccak256(sig ‖ recipientRand)) < winProb (validator.go IsWinningTicket, the contract's
// isWinningTicket). Strictly less: winProb 0 never wins. Validity is checked separately.
bool is_winning_ticket(std::span<const uint8_t> sig, const RecipientRand& recipient_rand, const U256& win_prob);

// An exact expected value in wei: whole + frac / kMaxWinProb, with frac < kMaxWinProb (go-livepeer
// keeps the same number as a big.Rat).
struct TicketEv {
  U256 whole;
  U256 frac;

  double to_double() const;
  friend bool operator==(const TicketEv&, const TicketEv&) = default;
  friend auto operator<=>(const TicketEv&, const TicketEv&) = default;  // whole first, then frac
};
// faceValue * winProb / (2^256 - 1), the EV ticket.EV() credits to the sender's balance.
TicketEv ticket_ev(const U256& face_value, const U256& win_prob);

}  // namespace lp::pm
