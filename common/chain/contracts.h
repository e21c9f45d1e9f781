// Livepeer's protocol contracts as the payment code reads them: their addresses from the
// Controller registry (-ethController), and typed views of the calls an orchestrator needs.
// Signatures are the Solidity sources' (livepeer/protocol: Controller.sol,
// rounds/RoundsManager.sol, pm/mixins/MixinTicketBrokerCore.sol and MixinReserve.sol,
// bonding/BondingManager.sol). Every read is an eth_call at the latest block, through an
// EthRpc owned by the caller; errors are EthRpc's, or BadRequest "abi: ..." for return data
// that is not what the function returns (a wrong address, a contract that is not Livepeer's).
#pragma once

#include <cstdint>
#include <string_view>

#include "address.h"
#include "error.h"
#include "eth_rpc.h"
#include "u256.h"

namespace lp::chain {

// Names as Livepeer registers them: Controller.setContractInfo(keccak256(name), ...) in
// utils/deployer.ts; a proxied contract is registered under its plain name (the proxy) and
// "<name>Target" (the implementation). The contracts resolve each other the same way.
struct LivepeerContracts {
  eth::Address controller;
  eth::Address bonding_manager;
  eth::Address ticket_broker;
  eth::Address rounds_manager;
  eth::Address service_registry;
  eth::Address minter;
  eth::Address livepeer_token;
};

// Controller.getContract(bytes32 keccak256(name)); NotFound when the name is not registered
// (the zero address).
Result<eth::Address> controller_lookup(EthRpc& rpc, const eth::Address& controller, std::string_view name);
// All of the above; NotFound naming the first one missing.
Result<LivepeerContracts> lookup_contracts(EthRpc& rpc, const eth::Address& controller);

// RoundsManager (proxy): rounds are `roundLength` blocks; each must be initialized by a call.
class RoundsManager {
 public:
  RoundsManager(EthRpc& rpc, const eth::Address& address) : rpc_(rpc), address_(address) {}
  const eth::Address& address() const { return address_; }

  Result<uint64_t> current_round();
  Result<bool> current_round_initialized();
  Result<uint64_t> last_initialized_round();
  Result<uint64_t> current_round_start_block();
  Result<eth::Digest> block_hash_for_round(uint64_t round);  // zero until the round is initialized
  Result<uint64_t> round_length();

 private:
  EthRpc& rpc_;
  eth::Address address_;
};

// TicketBroker.getSenderInfo(address) returns (Sender{deposit, withdrawRound},
// ReserveInfo{fundsRemaining, claimedInCurrentRound}): four words.
struct SenderInfo {
  U256 deposit;
  uint64_t withdraw_round = 0;  // 0: locked (no unlock in progress)
  U256 reserve_funds_remaining;
  U256 reserve_claimed_in_current_round;
};

class TicketBroker {
 public:
  TicketBroker(EthRpc& rpc, const eth::Address& address) : rpc_(rpc), address_(address) {}
  const eth::Address& address() const { return address_; }

  Result<SenderInfo> get_sender_info(const eth::Address& sender);
  // What `claimant` has claimed from `reserve_holder`'s reserve in the current round.
  Result<U256> claimed_reserve(const eth::Address& reserve_holder, const eth::Address& claimant);
  Result<bool> used_tickets(const eth::Digest& ticket_hash);
  Result<uint64_t> unlock_period();
  Result<uint64_t> ticket_validity_period();

 private:
  EthRpc& rpc_;
  eth::Address address_;
};

// BondingManager.getTranscoder(address): ten uint256 in this order.
struct TranscoderInfo {
  uint64_t last_reward_round = 0;
  uint64_t reward_cut = 0;  // parts per million (Livepeer's PERC_DIVISOR = 1000000)
  uint64_t fee_share = 0;   // parts per million
  uint64_t last_active_stake_update_round = 0;
  uint64_t activation_round = 0;
  uint64_t deactivation_round = 0;  // UINT64_MAX: none planned (the contract's MAX_FUTURE_ROUND)
  U256 active_cumulative_rewards;
  U256 cumulative_rewards;
  U256 cumulative_fees;
  uint64_t last_fee_round = 0;
};

class BondingManager {
 public:
  BondingManager(EthRpc& rpc, const eth::Address& address) : rpc_(rpc), address_(address) {}
  const eth::Address& address() const { return address_; }

  Result<bool> is_active_transcoder(const eth::Address& transcoder);
  Result<TranscoderInfo> get_transcoder(const eth::Address& transcoder);
  // pendingFees(delegator, endRound): the contract ignores endRound and uses the current round.
  Result<U256> pending_fees(const eth::Address& delegator, uint64_t end_round);
  Result<U256> transcoder_total_stake(const eth::Address& transcoder);
  Result<uint64_t> get_transcoder_pool_size();

 private:
  EthRpc& rpc_;
  eth::Address address_;
};

}  // namespace lp::chain
