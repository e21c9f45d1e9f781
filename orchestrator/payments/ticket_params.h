// The ticket parameters an orchestrator offers a sender (go-livepeer pm/recipient.go TicketParams,
// faceValue, winProb; core/orchestrator.go sends them in OrchestratorInfo.ticket_params). The face
// value is sized so a winning ticket pays well over the gas its redemption costs, but no more than
// the sender's reserve can cover; the win probability then makes each ticket worth the configured EV.
// The chain-dependent inputs (gas price, max float, blocks, rounds) come in as plain values.
#pragma once

#include <cstdint>

#include "address.h"
#include "error.h"
#include "u256.h"
#include "recipient_rand.h"
#include "ticket.h"

namespace lp::pm {

// A face value below the EV is raised to EV times this (go-livepeer evMultiplier).
inline constexpr uint64_t kEvMultiplier = 100;
// The gas price a face value may fall back on when the current one spikes: 3 gwei (avgGasPrice).
inline constexpr uint64_t kAvgGasPrice = 3'000'000'000;
// TicketParams.expiration_block = last seen L1 block + this (WIRE.md 2c; older go-livepeer used 10).
inline constexpr uint64_t kParamsExpirationBlocks = 40;

struct TicketParamsConfig {
  U256 ev;                            // -ticketEV: wanted expected value per ticket, wei
  uint64_t redeem_gas = 0;            // gas a redemption takes (1 200 000 on Arbitrum)
  uint64_t tx_cost_multiplier = 100;  // -txCostMultiplier: face value = this * redemption cost
  U256 max_face_value;                // -maxFaceValue; 0 = no cap
  uint64_t expiration_blocks = kParamsExpirationBlocks;
};

// What the chain watchers know when params are made.
struct ChainSnapshot {
  U256 gas_price;  // wei per gas, current
  U256 max_float;  // the sender's max float (sender monitor): what its reserve can cover for us
  uint64_t last_l1_block = 0;
  int64_t last_initialized_round = 0;
  Hash last_initialized_block_hash{};
  // The round before's, used when the last one's hash is zero (an Arbitrum quirk go-livepeer
  // works around by stepping back one round).
  Hash pre_last_initialized_block_hash{};
};

// redeem_gas * gas_price.
Result<U256> redemption_tx_cost(const TicketParamsConfig& cfg, const U256& gas_price);

// go-livepeer's faceValue: tx_cost_multiplier * txCost, raised to EV * kEvMultiplier when that is
// below EV, capped at max_float and at max_face_value; refused ("insufficient sender reserve")
// when the result is below EV, or below both txCost and the cost at kAvgGasPrice.
Result<U256> face_value_for(const TicketParamsConfig& cfg, const U256& gas_price, const U256& max_float);

// go-livepeer's winProb: 0 for a zero face value, kMaxWinProb when face value == EV, else
// EV * ceil(kMaxWinProb / faceValue) (floor + 1 when the remainder's low 64 bits are non-zero,
// exactly as go-livepeer tests it). Refused where that does not fit in 256 bits (face values
// above about 2^128 wei).
Result<U256> win_prob_for(const U256& ev, const U256& face_value);

// go-livepeer's TxCostMultiplier: faceValue / txCost, which -autoAdjustPrice turns into a price
// overhead of 1 + 1/multiplier. {0, 1} when the tx cost is 0.
struct TxCostRatio {
  U256 num;
  U256 den;
};
Result<TxCostRatio> tx_cost_multiplier(const TicketParamsConfig& cfg, const U256& gas_price, const U256& max_float);

// The expiration params new tickets carry: the last initialized round and its block hash, or the
// round before when that hash is zero.
ExpirationParams expiration_params_for(const ChainSnapshot& chain);

struct TicketParams {
  eth::Address recipient;
  U256 face_value;
  U256 win_prob;
  Hash recipient_rand_hash{};
  U256 seed;
  U256 expiration_block;
  Price price;
  ExpirationParams expiration_params;

  // The inputs of the recipientRand these params commit to, for `sender`.
  RandInputs rand_inputs(const eth::Address& sender) const;
};

// Params for `sender` at `price`. A price of 0 or less asks for no payment: face value and win
// probability 0 (and no max float is needed).
Result<TicketParams> make_ticket_params(const RecipientSecret& secret, const eth::Address& recipient,
                                        const eth::Address& sender, const Price& price, const TicketParamsConfig& cfg,
                                        const ChainSnapshot& chain, const U256& seed);
// The same with a fresh random seed.
Result<TicketParams> make_ticket_params(const RecipientSecret& secret, const eth::Address& recipient,
                                        const eth::Address& sender, const Price& price, const TicketParamsConfig& cfg,
                                        const ChainSnapshot& chain);

}  // namespace lp::pm
