#include "ticket_sender.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "hex.h"

namespace lp::test {
namespace {

Error refused(std::string message) { return Error{ErrorCode::BadRequest, std::move(message)}; }

std::span<const uint8_t> as_span(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

Result<U256> param_number(std::string_view bytes, const char* name) {
  auto v = U256::from_bytes(as_span(bytes));
  if (!v.ok()) return refused(std::string("invalid ticket params: ") + name + " is over 256 bits");
  return v;
}

// (high * 2^256 + low) / (2^256 - 1), for high < 2^256 - 1: since 2^256 = max + 1, the value is
// high * max + (high + low), and high + low < 2 * max.
U256::DivMod div_by_max(const U256::Wide& w) {
  const U256 max = pm::kMaxWinProb;
  auto sum = U256::checked_add(w.high, w.low);
  if (!sum) return {w.high + 1, (w.high + w.low) + 1};  // 2^256 + wrapped = max + (wrapped + 1)
  if (*sum >= max) return {w.high + 1, *sum - max};
  return {w.high, *sum};
}

bool ev_above(const pm::TicketEv& ev, const U256& limit) {
  return ev.whole > limit || (ev.whole == limit && !ev.frac.is_zero());
}

std::string rat_float_string(const U256& value, unsigned decimals) {
  return ev_float_string(pm::TicketEv{value, 0}, decimals);
}

pm::TicketParams to_pm_params(const net::TicketParams& tp, const net::TicketExpirationParams& expiration,
                              const pm::Price& price, Result<void>* status) {
  pm::TicketParams p;
  p.recipient = eth::Address{pm::right_aligned<20>(tp.recipient())};
  p.recipient_rand_hash = pm::right_aligned<32>(tp.recipient_rand_hash());
  p.price = price;
  p.expiration_params = {expiration.creation_round(), pm::right_aligned<32>(expiration.creation_round_block_hash())};
  const std::pair<U256*, std::pair<const std::string*, const char*>> numbers[] = {
      {&p.face_value, {&tp.face_value(), "face_value"}},
      {&p.win_prob, {&tp.win_prob(), "win_prob"}},
      {&p.seed, {&tp.seed(), "seed"}},
      {&p.expiration_block, {&tp.expiration_block(), "expiration_block"}},
  };
  for (const auto& [out, in] : numbers) {
    auto v = param_number(*in.first, in.second);
    if (!v.ok()) {
      *status = v.error();
      return p;
    }
    *out = *v;
  }
  return p;
}

}  // namespace

std::optional<pm::TicketEv> ev_times(const pm::TicketEv& ev, uint64_t n) {
  auto whole = U256::checked_mul(ev.whole, U256(n));
  if (!whole) return std::nullopt;
  const U256::DivMod frac = div_by_max(U256::mul_wide(ev.frac, U256(n)));
  auto total = U256::checked_add(*whole, frac.quotient);
  if (!total) return std::nullopt;
  return pm::TicketEv{*total, frac.remainder};
}

std::string ev_float_string(const pm::TicketEv& ev, unsigned decimals) {
  // big.Rat.FloatString: q, r = a / b; r = r * 10^prec / b, rounded up when the rest is >= b/2.
  U256 p = 1;
  for (unsigned i = 0; i < decimals; ++i) p = *U256::checked_mul(p, U256(10));
  U256 whole = ev.whole;
  U256::DivMod d = div_by_max(U256::mul_wide(ev.frac, p));
  // 2 * rest >= max, max odd: rest > max / 2.
  if (d.remainder > U256::divmod(pm::kMaxWinProb, U256(2)).quotient) {
    d.quotient = d.quotient + 1;
    if (d.quotient >= p) {
      whole = whole + 1;
      d.quotient = d.quotient - p;
    }
  }
  std::string out = whole.to_dec();
  if (decimals == 0) return out;
  std::string digits = d.quotient.to_dec();
  return out + "." + std::string(decimals - std::min<size_t>(decimals, digits.size()), '0') + digits;
}

TicketSender::TicketSender(eth::PrivateKey key, SenderChainReader chain, TicketSenderConfig cfg)
    : key_(std::move(key)), address_(key_.address()), cfg_(std::move(cfg)), reader_(std::move(chain)) {}

TicketSender::TicketSender(eth::PrivateKey key, const SenderChainState& chain, TicketSenderConfig cfg)
    : key_(std::move(key)), address_(key_.address()), cfg_(std::move(cfg)), fixed_chain_(chain) {}

void TicketSender::set_chain_state(const SenderChainState& chain) {
  std::lock_guard lock(mutex_);
  fixed_chain_ = chain;
}

Result<SenderChainState> TicketSender::read_chain() const {
  if (reader_) return reader_();
  std::lock_guard lock(mutex_);
  return fixed_chain_;
}

Result<std::string> TicketSender::start_session(const net::TicketParams& params,
                                                const net::TicketExpirationParams& expiration, const pm::Price& price) {
  Result<void> status;
  pm::TicketParams p = to_pm_params(params, expiration, price, &status);
  if (!status.ok()) return status.error();
  std::string id = eth::to_hex_0x(p.recipient_rand_hash);  // RecipientRandHash.Hex()
  auto session = std::make_shared<Session>();
  session->params = std::move(p);
  std::lock_guard lock(mutex_);
  sessions_[id] = std::move(session);
  return id;
}

void TicketSender::cleanup_session(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session_id);
}

Result<std::shared_ptr<TicketSender::Session>> TicketSender::load(const std::string& session_id) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session_id);
  // errors.Errorf("error loading session: %x", sessionID): %x of a string is its bytes in hex.
  if (it == sessions_.end()) return refused("error loading session: " + eth::to_hex(eth::bytes_of(session_id)));
  return it->second;
}

Result<pm::TicketEv> TicketSender::ev(const std::string& session_id) const {
  auto s = load(session_id);
  if (!s.ok()) return s.error();
  return pm::ticket_ev((*s)->params.face_value, (*s)->params.win_prob);
}

Result<void> TicketSender::validate_ticket_params(const net::TicketParams& params, size_t num_tickets) const {
  Result<void> status;
  const pm::TicketParams p = to_pm_params(params, params.expiration_params(), pm::Price{}, &status);
  if (!status.ok()) return status;
  return validate(p, num_tickets);
}

Result<void> TicketSender::validate(const pm::TicketParams& params, size_t num_tickets) const {
  if (params.expiration_block.is_zero()) return {};
  // Read once: the go-livepeer checks below see one TimeManager and one GetSenderInfo answer.
  auto chain = read_chain();
  if (!chain.ok()) return chain.error();
  // currentBuffer := expirationBlock - latestL1Block; expired when <= paramsExpiryBuffer (1).
  if (params.expiration_block <= U256(chain->last_l1_block) + 1) return refused("TicketParams expired");

  const pm::TicketEv ev = pm::ticket_ev(params.face_value, params.win_prob);
  if (ev == pm::TicketEv{}) return {};
  if (ev.whole >= params.face_value) return refused("ticket faceValue too low faceValue=" + params.face_value.to_dec());
  if (ev_above(ev, cfg_.max_ev)) {
    return refused("ticket EV " + ev_float_string(ev) + " > max ticket EV " + rat_float_string(cfg_.max_ev, 5));
  }

  // validateSender.
  const U256 max_withdraw_round = U256(static_cast<uint64_t>(std::max<int64_t>(chain->last_initialized_round, 0))) + 1;
  if (!chain->withdraw_round.is_zero() && chain->withdraw_round <= max_withdraw_round) {
    return refused("unable to validate sender: deposit and reserve is set to unlock soon");
  }
  if (chain->reserve.is_zero()) return refused("no sender reserve");
  if (chain->deposit.is_zero()) return refused("no sender deposit");

  auto total = ev_times(ev, num_tickets);
  if (!total || ev_above(*total, cfg_.max_total_ev)) {
    return refused("total ticket EV " + (total ? ev_float_string(*total) : std::string("(over 2^256)")) + " for " +
                   std::to_string(num_tickets) + " tickets > max total ticket EV " +
                   rat_float_string(cfg_.max_total_ev, 5));
  }

  const U256 max_face_value =
      U256::divmod(chain->deposit, U256(std::max<uint64_t>(cfg_.deposit_multiplier, 1))).quotient;
  if (params.face_value > max_face_value) {
    return refused("ticket faceValue " + params.face_value.to_dec() + " > max faceValue " + max_face_value.to_dec());
  }
  return {};
}

Result<net::Payment> TicketSender::create_tickets(const std::string& session_id, size_t n) {
  auto session = load(session_id);
  if (!session.ok()) return session.error();
  Session& s = **session;
  if (auto v = validate(s.params, n); !v.ok()) return v.error();

  pm::TicketParams params = s.params;
  // Backwards compatibility: params without expiration params get the sender's last round.
  if (params.expiration_params.creation_round == 0 ||
      params.expiration_params.creation_round_block_hash == pm::Hash{}) {
    auto chain = read_chain();
    if (!chain.ok()) return chain.error();
    params.expiration_params = {chain->last_initialized_round, chain->last_initialized_block_hash};
  }

  net::Payment payment = pm::payment_for(params, address_);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t nonce = s.sender_nonce.fetch_add(1) + 1;  // atomic.AddUint32(&senderNonce, 1)
    const eth::Signature sig = pm::sign_ticket(key_, pm::ticket_for(params, address_, nonce));
    net::TicketSenderParams* t = payment.add_ticket_sender_params();
    t->set_sender_nonce(nonce);
    t->set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
  }
  return payment;
}

Result<std::string> TicketSender::create_payment_header(const std::string& session_id, size_t n) {
  auto payment = create_tickets(session_id, n);
  if (!payment.ok()) return payment.error();
  return pm::payment_header(*payment);
}

}  // namespace lp::test
