#include "contracts.h"

#include <vector>

#include "abi.h"

namespace lp::chain {
namespace {

// eth_call of `name(args)` on `to`; the returned words must be at least `words` (a contract
// without the function answers empty data, which would otherwise read as zeros).
Result<Bytes> view(EthRpc& rpc, const eth::Address& to, std::string_view name, std::vector<abi::Value> args,
                   size_t words) {
  CallRequest req;
  req.to = to;
  req.data = abi::encode_call(name, args);
  auto data = rpc.call(req);
  if (!data) return data.error();
  if (data->size() < words * 32) {
    return Error{ErrorCode::BadRequest, abi::signature(name, args) + " on " + to.checksummed() + " returned " +
                                            std::to_string(data->size()) + " bytes, not " + std::to_string(words * 32) +
                                            ": not the expected contract?"};
  }
  return data;
}

Error in_call(const Error& e, std::string_view what) { return Error{e.code, std::string(what) + ": " + e.message}; }

// Word `i` as uint64: rounds, lengths and percentages always fit.
Result<uint64_t> small(const abi::Reader& r, size_t i) {
  auto v = r.uint_n(i, 64);
  if (!v) return v.error();
  return *v->to_u64();
}

Result<U256> u256_view(EthRpc& rpc, const eth::Address& to, std::string_view name, std::vector<abi::Value> args = {}) {
  auto data = view(rpc, to, name, std::move(args), 1);
  if (!data) return data.error();
  auto v = abi::Reader(*data).u256(0);
  if (!v) return in_call(v.error(), name);
  return v;
}

Result<uint64_t> u64_view(EthRpc& rpc, const eth::Address& to, std::string_view name,
                          std::vector<abi::Value> args = {}) {
  auto data = view(rpc, to, name, std::move(args), 1);
  if (!data) return data.error();
  auto v = small(abi::Reader(*data), 0);
  if (!v) return in_call(v.error(), name);
  return v;
}

Result<bool> bool_view(EthRpc& rpc, const eth::Address& to, std::string_view name, std::vector<abi::Value> args = {}) {
  auto data = view(rpc, to, name, std::move(args), 1);
  if (!data) return data.error();
  auto v = abi::Reader(*data).boolean(0);
  if (!v) return in_call(v.error(), name);
  return v;
}

}  // namespace

Result<eth::Address> controller_lookup(EthRpc& rpc, const eth::Address& controller, std::string_view name) {
  const std::vector<abi::Value> args{abi::Value::bytes32(eth::keccak256(name))};
  auto data = view(rpc, controller, "getContract", args, 1);
  if (!data) return in_call(data.error(), "Controller " + controller.checksummed() + " " + std::string(name));
  auto a = abi::Reader(*data).address(0);
  if (!a) return in_call(a.error(), "Controller.getContract(" + std::string(name) + ")");
  if (*a == eth::Address{}) {
    return Error{ErrorCode::NotFound,
                 "Controller " + controller.checksummed() + " has no contract registered as " + std::string(name)};
  }
  return a;
}

Result<LivepeerContracts> lookup_contracts(EthRpc& rpc, const eth::Address& controller) {
  LivepeerContracts c;
  c.controller = controller;
  const std::pair<const char*, eth::Address*> names[] = {
      {"BondingManager", &c.bonding_manager},
      {"TicketBroker", &c.ticket_broker},
      {"RoundsManager", &c.rounds_manager},
      {"ServiceRegistry", &c.service_registry},
      {"Minter", &c.minter},
      {"LivepeerToken", &c.livepeer_token},
  };
  for (const auto& [name, out] : names) {
    auto a = controller_lookup(rpc, controller, name);
    if (!a) return a.error();
    *out = *a;
  }
  return c;
}

Result<uint64_t> RoundsManager::current_round() { return u64_view(rpc_, address_, "currentRound"); }
Result<bool> RoundsManager::current_round_initialized() { return bool_view(rpc_, address_, "currentRoundInitialized"); }
Result<uint64_t> RoundsManager::last_initialized_round() { return u64_view(rpc_, address_, "lastInitializedRound"); }
Result<uint64_t> RoundsManager::current_round_start_block() {
  return u64_view(rpc_, address_, "currentRoundStartBlock");
}
Result<uint64_t> RoundsManager::round_length() { return u64_view(rpc_, address_, "roundLength"); }

Result<eth::Digest> RoundsManager::block_hash_for_round(uint64_t round) {
  auto data = view(rpc_, address_, "blockHashForRound", {abi::Value::uint256(round)}, 1);
  if (!data) return data.error();
  auto w = abi::Reader(*data).word(0);
  if (!w) return in_call(w.error(), "blockHashForRound");
  return *w;
}

Result<SenderInfo> TicketBroker::get_sender_info(const eth::Address& sender) {
  auto data = view(rpc_, address_, "getSenderInfo", {abi::Value::address(sender)}, 4);
  if (!data) return data.error();
  abi::Reader r(*data);
  auto deposit = r.u256(0);
  auto withdraw = small(r, 1);
  auto funds = r.u256(2);
  auto claimed = r.u256(3);
  for (const Error* e : {deposit ? nullptr : &deposit.error(), withdraw ? nullptr : &withdraw.error(),
                         funds ? nullptr : &funds.error(), claimed ? nullptr : &claimed.error()}) {
    if (e) return in_call(*e, "getSenderInfo");
  }
  return SenderInfo{*deposit, *withdraw, *funds, *claimed};
}

Result<U256> TicketBroker::claimed_reserve(const eth::Address& reserve_holder, const eth::Address& claimant) {
  return u256_view(rpc_, address_, "claimedReserve",
                   {abi::Value::address(reserve_holder), abi::Value::address(claimant)});
}
Result<bool> TicketBroker::used_tickets(const eth::Digest& ticket_hash) {
  return bool_view(rpc_, address_, "usedTickets", {abi::Value::bytes32(ticket_hash)});
}
Result<uint64_t> TicketBroker::unlock_period() { return u64_view(rpc_, address_, "unlockPeriod"); }
Result<uint64_t> TicketBroker::ticket_validity_period() { return u64_view(rpc_, address_, "ticketValidityPeriod"); }

Result<bool> BondingManager::is_active_transcoder(const eth::Address& transcoder) {
  return bool_view(rpc_, address_, "isActiveTranscoder", {abi::Value::address(transcoder)});
}

Result<TranscoderInfo> BondingManager::get_transcoder(const eth::Address& transcoder) {
  auto data = view(rpc_, address_, "getTranscoder", {abi::Value::address(transcoder)}, 10);
  if (!data) return data.error();
  abi::Reader r(*data);
  TranscoderInfo t;
  uint64_t* rounds[] = {&t.last_reward_round,
                        &t.reward_cut,
                        &t.fee_share,
                        &t.last_active_stake_update_round,
                        &t.activation_round,
                        &t.deactivation_round,
                        nullptr,
                        nullptr,
                        nullptr,
                        &t.last_fee_round};
  U256* amounts[] = {nullptr,
                     nullptr,
                     nullptr,
                     nullptr,
                     nullptr,
                     nullptr,
                     &t.active_cumulative_rewards,
                     &t.cumulative_rewards,
                     &t.cumulative_fees,
                     nullptr};
  for (size_t i = 0; i < 10; ++i) {
    if (i == 5) {
      // deactivationRound is MAX_FUTURE_ROUND (2^256 - 1) while the transcoder stays active:
      // "never", kept as UINT64_MAX.
      auto v = r.u256(i);
      if (!v) return in_call(v.error(), "getTranscoder");
      t.deactivation_round = v->to_u64().value_or(UINT64_MAX);
    } else if (rounds[i]) {
      auto v = small(r, i);
      if (!v) return in_call(v.error(), "getTranscoder");
      *rounds[i] = *v;
    } else {
      auto v = r.u256(i);
      if (!v) return in_call(v.error(), "getTranscoder");
      *amounts[i] = *v;
    }
  }
  return t;
}

Result<U256> BondingManager::pending_fees(const eth::Address& delegator, uint64_t end_round) {
  return u256_view(rpc_, address_, "pendingFees", {abi::Value::address(delegator), abi::Value::uint256(end_round)});
}
Result<U256> BondingManager::transcoder_total_stake(const eth::Address& transcoder) {
  return u256_view(rpc_, address_, "transcoderTotalStake", {abi::Value::address(transcoder)});
}
Result<uint64_t> BondingManager::get_transcoder_pool_size() {
  return u64_view(rpc_, address_, "getTranscoderPoolSize");
}

}  // namespace lp::chain
