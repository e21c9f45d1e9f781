// Credit balances per (sender, stream): what a gateway has paid in ticket EV minus what its
// transcoded pixels cost (go-livepeer core/accounting.go AddressBalances/Balances, with the fixed
// price per session of core/orchestrator.go setFixedPricePerSession). A segment is refused while the
// stream's balance is below the ticket EV (orchestrator.go SufficientBalance).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "address.h"
#include "error.h"
#include "recipient_rand.h"
#include "ticket.h"
#include "u256.h"

namespace lp::pm {

__extension__ typedef __int128 Int128;

// An exact amount of wei, the number go-livepeer keeps as a big.Rat, in a form whose size never grows:
//
//   whole + ev_frac / (2^256 - 1) + price_frac / price_den
//
// Credits are ticket EVs, faceValue * winProb / (2^256 - 1): an integer plus a fraction over
// 2^256 - 1 (TicketEv). Debits are pixels * num / den at the stream's one fixed price: an integer
// plus a fraction over den. Each fraction keeps its own denominator and carries into `whole` when it
// reaches 1, so no common denominator (a ~600-bit number) is ever formed and every sum stays exact.
// Invariants: 0 <= ev_frac < 2^256 - 1 and 0 <= price_frac < price_den.
// `whole` is signed (a debit may take a balance below zero, as in go-livepeer) and 128 bits wide: all
// the ether there is comes to under 2^87 wei, and every step is overflow-checked all the same.
struct Wei {
  Int128 whole = 0;
  U256 ev_frac;
  uint64_t price_frac = 0;
  uint64_t price_den = 1;

  // Exactly: *this >= amount.
  bool at_least(const U256& amount) const;
  // Approximate, for logs and metrics.
  double to_double() const;
  // "whole + ev_frac/(2^256-1) + price_frac/price_den", the fractions left out when zero.
  std::string to_string() const;
  std::string whole_dec() const;  // the whole wei alone, in decimal

  friend bool operator==(const Wei&, const Wei&) = default;
};

// a + b exactly; nullopt when the whole part passes 2^256 - 1.
std::optional<TicketEv> add_ev(const TicketEv& a, const TicketEv& b);

struct BalancesConfig {
  // Idle entries (no credit, debit or price fixing for this long) are dropped: go-livepeer's
  // cleanupInterval (cmd/livepeer/starter.go), which it uses as both the TTL and the sweep period.
  std::chrono::steady_clock::duration ttl = std::chrono::minutes(10);
  // At most this many (sender, stream) entries; a new one past it is refused (ErrorCode::Busy) once
  // idle entries are gone. go-livepeer has no cap.
  size_t max_streams = 10000;
  // The clock, for tests; empty is std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

// Thread-safe: one mutex guards every entry; no call made under it calls out of this class.
class Balances {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Balances(BalancesConfig cfg = {});

  // Balances.Credit: adds a ticket's EV, creating the entry when there is none.
  Result<void> credit(const eth::Address& sender, const std::string& stream, const TicketEv& ev);
  // orchestrator.DebitFees: subtracts pixels * price. The first price charged or fixed for the stream
  // stays its price; a debit at another price is refused (BadRequest) rather than mixing
  // denominators. A zero charge to a stream with no entry creates none.
  Result<void> debit(const eth::Address& sender, const std::string& stream, int64_t pixels, const Price& price);

  // Balances.Balance: nullopt when there is no entry (or it has been idle past the TTL).
  std::optional<Wei> balance(const eth::Address& sender, const std::string& stream) const;
  // orchestrator.SufficientBalance: an entry exists and its balance is at least `minimum` (go-livepeer
  // passes the recipient's configured ticket EV).
  bool sufficient(const eth::Address& sender, const std::string& stream, const U256& minimum) const;

  // The price fixed for the stream, if any (Balances.FixedPrice).
  std::optional<Price> fixed_price(const eth::Address& sender, const std::string& stream) const;
  // The first payment fixes the price (setFixedPricePerSession): sets `price` when none is fixed and
  // returns it; a different price already fixed is an error (BadRequest) naming both. Creates the
  // entry, so it may be refused (Busy) when max_streams are held.
  Result<Price> fix_price(const eth::Address& sender, const std::string& stream, const Price& price);

  // Drops entries idle past the TTL (Balances.cleanup). Also done lazily, at most once per TTL, by
  // the calls that write.
  void cleanup();
  size_t size() const;

  // The entries not idle, for /status.
  struct Listed {
    eth::Address sender;
    std::string stream;
    Wei amount;
    std::optional<Price> price;
  };
  std::vector<Listed> list() const;

 private:
  struct Entry {
    Wei amount;
    std::optional<Price> price;
    Clock::time_point last_update;
  };
  using Key = std::pair<std::array<uint8_t, 20>, std::string>;

  Clock::time_point now() const;
  bool idle(const Entry& e, Clock::time_point now) const { return now - e.last_update > cfg_.ttl; }
  // Callers hold mutex_.
  const Entry* find_locked(const Key& key, Clock::time_point now) const;
  Result<Entry*> find_or_create_locked(const Key& key, Clock::time_point now);
  void sweep_locked(Clock::time_point now);
  // Sets the entry's price, or checks it against the one fixed.
  static Result<void> fix_price_locked(Entry& e, const Price& price);

  const BalancesConfig cfg_;
  mutable std::mutex mutex_;  // guards entries_ and next_sweep_
  std::map<Key, Entry> entries_;
  Clock::time_point next_sweep_;
};

}  // namespace lp::pm
