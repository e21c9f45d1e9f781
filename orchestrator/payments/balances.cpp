#include "balances.h"

#include <algorithm>

namespace lp::pm {
namespace {

__extension__ typedef unsigned __int128 UInt128;

std::optional<Int128> to_int128(const U256& v) {
  if (v.bit_length() > 127) return std::nullopt;
  const U256::Bytes32 b = v.to_bytes32();
  UInt128 out = 0;
  for (size_t i = 16; i < 32; ++i) out = (out << 8) | b[i];
  return static_cast<Int128>(out);
}

std::string int128_to_dec(Int128 v) {
  // Magnitude in unsigned arithmetic, so the minimum does not overflow.
  UInt128 m = v < 0 ? UInt128(0) - static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  if (v < 0) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string price_text(const Price& p) { return std::to_string(p.num) + "/" + std::to_string(p.den); }

// (a + b) mod (2^256 - 1) for a, b below 2^256 - 1, and whether it wrapped (a carry of one wei).
std::pair<U256, bool> add_frac(const U256& a, const U256& b) {
  U256 r = a + b;  // modulo 2^256
  if (r < a || r >= kMaxWinProb) {
    // a + b >= 2^256 - 1: the result a + b - (2^256 - 1) is below 2^256 - 1, so the wrapping
    // subtraction lands on it exactly.
    return {r - kMaxWinProb, true};
  }
  return {r, false};
}

bool wide_at_least(const U256::Wide& a, const U256::Wide& b) {
  return a.high != b.high ? a.high > b.high : a.low >= b.low;
}

Error too_large(const std::string& what) { return Error{ErrorCode::Internal, "payment balance overflow: " + what}; }

}  // namespace

bool Wei::at_least(const U256& amount) const {
  // this - amount = (whole - amount) + fractions, and the fractions lie in [0, 2): only an integer gap
  // d = amount - whole of exactly 1 needs them compared.
  if (whole < 0) {
    // d = amount + |whole| >= 1, and is 1 only for amount 0 and whole -1.
    if (!(amount.is_zero() && whole == -1)) return false;
  } else {
    std::array<uint8_t, 16> be{};
    auto m = static_cast<UInt128>(whole);
    for (int i = 15; i >= 0; --i, m >>= 8) be[static_cast<size_t>(i)] = static_cast<uint8_t>(m & 0xff);
    const U256 w = *U256::from_bytes(be);
    if (w >= amount) return true;
    if (*U256::checked_sub(amount, w) != U256(1)) return false;
  }
  // ev_frac / M + price_frac / den >= 1  <=>  ev_frac * den >= (den - price_frac) * M.
  return wide_at_least(U256::mul_wide(ev_frac, price_den), U256::mul_wide(price_den - price_frac, kMaxWinProb));
}

double Wei::to_double() const {
  return static_cast<double>(whole) + ev_frac.to_double() / kMaxWinProb.to_double() +
         static_cast<double>(price_frac) / static_cast<double>(price_den);
}

std::string Wei::to_string() const {
  std::string s = int128_to_dec(whole);
  if (!ev_frac.is_zero()) s += " + " + ev_frac.to_dec() + "/(2^256-1)";
  if (price_frac != 0) s += " + " + std::to_string(price_frac) + "/" + std::to_string(price_den);
  return s;
}

std::string Wei::whole_dec() const { return int128_to_dec(whole); }

std::optional<TicketEv> add_ev(const TicketEv& a, const TicketEv& b) {
  auto whole = U256::checked_add(a.whole, b.whole);
  if (!whole) return std::nullopt;
  auto [frac, carry] = add_frac(a.frac, b.frac);
  if (carry) whole = U256::checked_add(*whole, 1);
  if (!whole) return std::nullopt;
  return TicketEv{*whole, frac};
}

Balances::Balances(BalancesConfig cfg) : cfg_(std::move(cfg)), next_sweep_(now() + cfg_.ttl) {}

Balances::Clock::time_point Balances::now() const { return cfg_.now ? cfg_.now() : Clock::now(); }

const Balances::Entry* Balances::find_locked(const Key& key, Clock::time_point now) const {
  auto it = entries_.find(key);
  // An idle entry counts as gone even before a sweep removes it, so the TTL is exact.
  if (it == entries_.end() || idle(it->second, now)) return nullptr;
  return &it->second;
}

void Balances::sweep_locked(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return idle(kv.second, now); });
  next_sweep_ = now + cfg_.ttl;
}

Result<Balances::Entry*> Balances::find_or_create_locked(const Key& key, Clock::time_point now) {
  if (now >= next_sweep_) sweep_locked(now);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (idle(it->second, now)) it->second = Entry{};  // expired: start over, as if deleted
    it->second.last_update = now;
    return &it->second;
  }
  if (entries_.size() >= cfg_.max_streams) sweep_locked(now);
  if (entries_.size() >= cfg_.max_streams) {
    return Error{ErrorCode::Busy,
                 "payment balances are full: " + std::to_string(entries_.size()) + " streams are being paid for"};
  }
  Entry& e = entries_[key];
  e.last_update = now;
  return &e;
}

Result<void> Balances::fix_price_locked(Entry& e, const Price& price) {
  if (e.price) {
    if (*e.price == price) return {};
    return Error{ErrorCode::BadRequest, "price " + price_text(price) + " differs from the price " +
                                            price_text(*e.price) + " fixed for this stream"};
  }
  if (price.den <= 0) return Error{ErrorCode::BadRequest, "invalid price " + price_text(price)};
  e.price = price;
  // No debit can precede the fixed price, so there is no price fraction yet to re-express.
  e.amount.price_den = static_cast<uint64_t>(price.den);
  return {};
}

Result<void> Balances::credit(const eth::Address& sender, const std::string& stream, const TicketEv& ev) {
  auto add = to_int128(ev.whole);
  if (!add) return too_large("ticket EV " + ev.whole.to_dec() + " wei");
  std::lock_guard lock(mutex_);
  auto entry = find_or_create_locked({sender.bytes, stream}, now());
  if (!entry.ok()) return entry.error();
  Wei w = (*entry)->amount;
  if (__builtin_add_overflow(w.whole, *add, &w.whole)) return too_large("credit of " + ev.whole.to_dec() + " wei");
  auto [frac, carry] = add_frac(w.ev_frac, ev.frac);
  w.ev_frac = frac;
  if (carry && __builtin_add_overflow(w.whole, Int128(1), &w.whole)) return too_large("credit carry");
  (*entry)->amount = w;
  return {};
}

Result<void> Balances::debit(const eth::Address& sender, const std::string& stream, int64_t pixels,
                             const Price& price) {
  if (pixels < 0) return Error{ErrorCode::BadRequest, "negative pixel count " + std::to_string(pixels)};
  if (price.num < 0 || price.den <= 0) return Error{ErrorCode::BadRequest, "invalid price " + price_text(price)};
  const Key key{sender.bytes, stream};
  std::lock_guard lock(mutex_);
  const auto t = now();
  if ((pixels == 0 || price.num == 0) && !find_locked(key, t)) return {};
  auto entry = find_or_create_locked(key, t);
  if (!entry.ok()) return entry.error();
  if (auto fixed = fix_price_locked(**entry, price); !fixed.ok()) return fixed;
  // pixels * num < 2^126: exact in 128 bits, and so are its quotient and remainder by den.
  const UInt128 cost = static_cast<UInt128>(pixels) * static_cast<UInt128>(price.num);
  const auto den = static_cast<uint64_t>(price.den);
  const auto q = static_cast<Int128>(cost / den);
  const auto r = static_cast<uint64_t>(cost % den);
  Wei w = (*entry)->amount;
  if (__builtin_sub_overflow(w.whole, q, &w.whole)) return too_large("debit");
  if (w.price_frac >= r) {
    w.price_frac -= r;
  } else {
    w.price_frac = w.price_frac + (den - r);  // borrow one wei
    if (__builtin_sub_overflow(w.whole, Int128(1), &w.whole)) return too_large("debit borrow");
  }
  (*entry)->amount = w;
  return {};
}

std::optional<Wei> Balances::balance(const eth::Address& sender, const std::string& stream) const {
  std::lock_guard lock(mutex_);
  const Entry* e = find_locked({sender.bytes, stream}, now());
  if (!e) return std::nullopt;
  return e->amount;
}

bool Balances::sufficient(const eth::Address& sender, const std::string& stream, const U256& minimum) const {
  std::lock_guard lock(mutex_);
  const Entry* e = find_locked({sender.bytes, stream}, now());
  return e && e->amount.at_least(minimum);
}

std::optional<Price> Balances::fixed_price(const eth::Address& sender, const std::string& stream) const {
  std::lock_guard lock(mutex_);
  const Entry* e = find_locked({sender.bytes, stream}, now());
  if (!e) return std::nullopt;
  return e->price;
}

Result<Price> Balances::fix_price(const eth::Address& sender, const std::string& stream, const Price& price) {
  std::lock_guard lock(mutex_);
  auto entry = find_or_create_locked({sender.bytes, stream}, now());
  if (!entry.ok()) return entry.error();
  if (auto fixed = fix_price_locked(**entry, price); !fixed.ok()) return fixed.error();
  return *(*entry)->price;
}

void Balances::cleanup() {
  std::lock_guard lock(mutex_);
  sweep_locked(now());
}

std::vector<Balances::Listed> Balances::list() const {
  std::lock_guard lock(mutex_);
  const Clock::time_point t = now();
  std::vector<Listed> out;
  for (const auto& [key, e] : entries_) {
    if (idle(e, t)) continue;
    Listed l;
    std::copy(key.first.begin(), key.first.end(), l.sender.bytes.begin());
    l.stream = key.second;
    l.amount = e.amount;
    l.price = e.price;
    out.push_back(std::move(l));
  }
  return out;
}

size_t Balances::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace lp::pm
