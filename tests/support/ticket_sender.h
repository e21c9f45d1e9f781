// A paying gateway's side of Livepeer's probabilistic micropayments, for tests: go-livepeer's
// pm/sender.go (StartSession, ValidateTicketParams, CreateTicketBatch) and server/broadcast.go's
// genPayment. It checks an orchestrator's ticket params as a go-livepeer gateway would, with the
// same error messages, and makes signed tickets that a PaymentReceiver (or go-livepeer) accepts.
// The ticket, hashing, signing and payment encoding are orchestrator/payments' own (ticket.h,
// payment_receiver.h): only the sender's bookkeeping and checks live here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "error.h"
#include "eth_key.h"
#include "lp_rpc.pb.h"
#include "payment_receiver.h"
#include "ticket.h"
#include "ticket_params.h"
#include "u256.h"

namespace lp::test {

using chain::U256;

// What the gateway knows of the chain when it checks params and makes tickets: its
// TicketBroker.getSenderInfo (the deposit, reserve.fundsRemaining and withdrawRound) and the
// TimeManager's last L1 block and last initialized round.
struct SenderChainState {
  U256 deposit;
  U256 reserve;
  U256 withdraw_round;  // 0 while not unlocking
  uint64_t last_l1_block = 0;
  int64_t last_initialized_round = 0;
  pm::Hash last_initialized_block_hash{};
};

// Reads SenderChainState when asked (go-livepeer's SenderManager.GetSenderInfo and TimeManager);
// an error is returned as is by the checks that need it.
using SenderChainReader = std::function<Result<SenderChainState>()>;

// go-livepeer's -maxTicketEV, -maxTotalEV and -depositMultiplier, with their defaults.
struct TicketSenderConfig {
  U256 max_ev = U256(3'000'000'000'000);         // 3000 gwei
  U256 max_total_ev = U256(20'000'000'000'000);  // 20000 gwei
  uint64_t deposit_multiplier = 1;               // 0 is taken as 1
};

// Thread-safe: sessions are kept under a mutex, nonces are atomic.
class TicketSender {
 public:
  TicketSender(eth::PrivateKey key, SenderChainReader chain, TicketSenderConfig cfg = {});
  // The chain state is whatever was last given to set_chain_state.
  TicketSender(eth::PrivateKey key, const SenderChainState& chain, TicketSenderConfig cfg = {});

  const eth::Address& address() const { return address_; }
  // For senders made with a fixed SenderChainState: replaces it.
  void set_chain_state(const SenderChainState& chain);

  // StartSession: the session id is recipientRandHash.Hex() ("0x" + 64 lower-case hex digits). A
  // session started again with the same recipientRandHash starts over at nonce 1. `price` is the
  // price the params were made for (the OrchestratorInfo's PriceInfo), sent as expected_price.
  // Refused (BadRequest) only for numbers over 256 bits.
  Result<std::string> start_session(const net::TicketParams& params, const net::TicketExpirationParams& expiration,
                                    const pm::Price& price);
  void cleanup_session(const std::string& session_id);
  // The session's ticket EV (Sender.EV).
  Result<pm::TicketEv> ev(const std::string& session_id) const;

  // ValidateTicketParams (num_tickets 1) / validateTicketParams, in go-livepeer's order and words:
  //   expiration_block 0                         -> accepted, nothing else checked;
  //   expiration_block - last L1 block <= 1      -> "TicketParams expired";
  //   EV 0                                       -> accepted;
  //   EV >= faceValue                            -> "ticket faceValue too low faceValue=F";
  //   EV > max EV                                -> "ticket EV E > max ticket EV M";
  //   the chain state cannot be read             -> that error;
  //   withdraw round set and <= last round + 1   -> "unable to validate sender: deposit and reserve
  //                                                  is set to unlock soon";
  //   reserve 0 / deposit 0                      -> "no sender reserve" / "no sender deposit";
  //   EV * n > max total EV                      -> "total ticket EV T for n tickets > max total
  //                                                  ticket EV M";
  //   faceValue > deposit / depositMultiplier    -> "ticket faceValue F > max faceValue D".
  // EVs are written as big.Rat.FloatString(5) does. Refusals are BadRequest.
  Result<void> validate_ticket_params(const net::TicketParams& params, size_t num_tickets = 1) const;

  // CreateTicketBatch + genPayment: the session's params checked for n tickets, then n tickets with
  // the next n sender nonces (atomic.AddUint32, one at a time), each signed with personal_sign of
  // its hash. Expiration params the orchestrator left out (round 0 or a zero block hash) are the
  // sender's own last initialized round and its block hash, as go-livepeer does for old
  // orchestrators. An unknown session is "error loading session: <session id, %x>".
  Result<net::Payment> create_tickets(const std::string& session_id, size_t n);
  // The same as the Livepeer-Payment header (base64 of the protobuf bytes).
  Result<std::string> create_payment_header(const std::string& session_id, size_t n);

 private:
  struct Session {
    pm::TicketParams params;
    std::atomic<uint32_t> sender_nonce{0};
  };

  Result<SenderChainState> read_chain() const;
  Result<void> validate(const pm::TicketParams& params, size_t num_tickets) const;
  Result<std::shared_ptr<Session>> load(const std::string& session_id) const;

  const eth::PrivateKey key_;
  const eth::Address address_;
  const TicketSenderConfig cfg_;
  SenderChainReader reader_;  // empty: fixed_chain_
  mutable std::mutex mutex_;
  SenderChainState fixed_chain_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

// big.Rat.FloatString(5) of an EV (rounded half away from zero): "123.45679".
std::string ev_float_string(const pm::TicketEv& ev, unsigned decimals = 5);
// ev * n exactly; nullopt past 2^256 - 1 wei.
std::optional<pm::TicketEv> ev_times(const pm::TicketEv& ev, uint64_t n);

}  // namespace lp::test
