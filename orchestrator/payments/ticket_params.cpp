#include "ticket_params.h"

#include <string>

namespace lp::pm {
namespace {

Error insufficient_reserve(const std::string& why) {
  return Error{ErrorCode::BadRequest, "insufficient sender reserve: " + why};
}

}  // namespace

Result<U256> redemption_tx_cost(const TicketParamsConfig& cfg, const U256& gas_price) {
  auto cost = U256::checked_mul(cfg.redeem_gas, gas_price);
  if (!cost) {
    return Error{ErrorCode::Internal, "redemption cost " + std::to_string(cfg.redeem_gas) + " gas * " +
                                          gas_price.to_dec() + " wei does not fit in 256 bits"};
  }
  return *cost;
}

Result<U256> face_value_for(const TicketParamsConfig& cfg, const U256& gas_price, const U256& max_float) {
  auto tx_cost = redemption_tx_cost(cfg, gas_price);
  if (!tx_cost) return tx_cost.error();
  auto scaled = U256::checked_mul(*tx_cost, cfg.tx_cost_multiplier);
  if (!scaled) return Error{ErrorCode::Internal, "face value (tx cost * multiplier) does not fit in 256 bits"};
  U256 face_value = *scaled;
  if (face_value < cfg.ev) {
    auto raised = U256::checked_mul(cfg.ev, kEvMultiplier);
    if (!raised) return Error{ErrorCode::Internal, "face value (EV * 100) does not fit in 256 bits"};
    face_value = *raised;
  }
  if (face_value > max_float) face_value = max_float;
  if (!cfg.max_face_value.is_zero() && cfg.max_face_value < face_value) face_value = cfg.max_face_value;
  if (face_value < cfg.ev) {
    return insufficient_reserve("face value " + face_value.to_dec() + " wei (max float " + max_float.to_dec() +
                                ") is below the ticket EV " + cfg.ev.to_dec());
  }
  // A face value below the current redemption cost is still fine when it covers the cost at the
  // average gas price: a spike should pass before a winner needs redeeming.
  if (face_value < *tx_cost) {
    auto avg_cost = redemption_tx_cost(cfg, kAvgGasPrice);
    if (!avg_cost) return avg_cost.error();
    if (face_value < *avg_cost) {
      return insufficient_reserve("face value " + face_value.to_dec() + " wei is below the redemption cost " +
                                  tx_cost->to_dec() + " and the cost at 3 gwei " + avg_cost->to_dec());
    }
  }
  return face_value;
}

Result<U256> win_prob_for(const U256& ev, const U256& face_value) {
  if (face_value.is_zero()) return U256(0);
  if (face_value == ev) return kMaxWinProb;
  U256::DivMod d = U256::divmod(kMaxWinProb, face_value);
  // go-livepeer tests the remainder with big.Int.Int64(), i.e. its low 64 bits only; follow it
  // so both compute the same winProb for the same face value.
  U256 per_wei = d.quotient;
  if (d.remainder.low64() != 0) per_wei = *U256::checked_add(per_wei, 1);  // quotient < 2^256 - 1: no overflow
  auto win_prob = U256::checked_mul(ev, per_wei);
  if (!win_prob) {
    return Error{ErrorCode::BadRequest, "win probability for EV " + ev.to_dec() + " and face value " +
                                            face_value.to_dec() + " does not fit in 256 bits"};
  }
  return *win_prob;
}

Result<TxCostRatio> tx_cost_multiplier(const TicketParamsConfig& cfg, const U256& gas_price, const U256& max_float) {
  auto face_value = face_value_for(cfg, gas_price, max_float);
  if (!face_value) return face_value.error();
  auto tx_cost = redemption_tx_cost(cfg, gas_price);
  if (!tx_cost) return tx_cost.error();
  if (tx_cost->is_zero()) return TxCostRatio{0, 1};
  return TxCostRatio{*face_value, *tx_cost};
}

ExpirationParams expiration_params_for(const ChainSnapshot& chain) {
  if (chain.last_initialized_block_hash == Hash{}) {
    return {chain.last_initialized_round - 1, chain.pre_last_initialized_block_hash};
  }
  return {chain.last_initialized_round, chain.last_initialized_block_hash};
}

RandInputs TicketParams::rand_inputs(const eth::Address& sender) const {
  return RandInputs{seed, sender, face_value, win_prob, expiration_block, price, expiration_params};
}

Result<TicketParams> make_ticket_params(const RecipientSecret& secret, const eth::Address& recipient,
                                        const eth::Address& sender, const Price& price, const TicketParamsConfig& cfg,
                                        const ChainSnapshot& chain, const U256& seed) {
  TicketParams p;
  p.recipient = recipient;
  p.seed = seed;
  p.price = price;
  if (price.positive()) {
    auto face_value = face_value_for(cfg, chain.gas_price, chain.max_float);
    if (!face_value) return face_value.error();
    p.face_value = *face_value;
  }
  auto win_prob = win_prob_for(cfg.ev, p.face_value);
  if (!win_prob) return win_prob.error();
  p.win_prob = *win_prob;
  // last_l1_block + a uint64 cannot reach 2^256.
  p.expiration_block = *U256::checked_add(chain.last_l1_block, cfg.expiration_blocks);
  p.expiration_params = expiration_params_for(chain);
  p.recipient_rand_hash = recipient_rand_hash(secret.rand(p.rand_inputs(sender)));
  return p;
}

Result<TicketParams> make_ticket_params(const RecipientSecret& secret, const eth::Address& recipient,
                                        const eth::Address& sender, const Price& price, const TicketParamsConfig& cfg,
                                        const ChainSnapshot& chain) {
  auto seed = random_seed();
  if (!seed) return seed.error();
  return make_ticket_params(secret, recipient, sender, price, cfg, chain, *seed);
}

}  // namespace lp::pm
