// Driving a Devnet (devnet.h) from a test: transactions from its accounts, mining, rounds, and
// ../shared/lpchain/scenario.js's set-up steps (an orchestrator bonded and registered, a
// broadcaster's deposit and reserve). Every call throws std::runtime_error naming what failed:
// a broken chain is a failed test, never a silently different one.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "contracts.h"
#include "devnet.h"
#include "eth_rpc.h"
#include "tx_sender.h"

namespace lp::test {

// The value, or std::runtime_error("<what>: <error>").
template <typename T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

class DevnetChain {
 public:
  explicit DevnetChain(const DevnetInfo& info);

  const DevnetInfo& info() const { return info_; }
  chain::EthRpc& rpc() { return *rpc_; }
  eth::Address addr(const std::string& role) const { return info_.account(role).address; }
  const eth::Address& contract(const std::string& name) const { return info_.contract(name); }

  // A transaction from `role`'s account, mined.
  chain::Receipt send(const std::string& role, const eth::Address& to, chain::Bytes data,
                      const chain::U256& value = chain::U256());
  void mine(uint64_t blocks);
  uint64_t head();
  chain::RoundsManager rounds() { return chain::RoundsManager(*rpc_, contract("RoundsManager")); }
  chain::BondingManager bonding() { return chain::BondingManager(*rpc_, contract("BondingManager")); }
  chain::TicketBroker broker() { return chain::TicketBroker(*rpc_, contract("TicketBroker")); }

  // Initializes the current round if nobody has (the transaction lands in the next block: when
  // that one starts a new round, it is mined first).
  void ensure_initialized();
  // Mines to the first block of the next round and initializes it.
  void fresh_round();
  // scenario.js (a): `role` approves and bonds `stake` LPT wei to itself and registers with the
  // reward cut and fee share (parts per million); active from the next round, which this starts.
  void bond_orchestrator(const std::string& role, const chain::U256& stake, uint64_t reward_cut, uint64_t fee_share);
  // scenario.js (b): `role` funds a deposit and a reserve on the TicketBroker.
  void fund_sender(const std::string& role, const chain::U256& deposit, const chain::U256& reserve);
  chain::SenderInfo sender_info(const std::string& role);

 private:
  const DevnetInfo& info_;
  std::unique_ptr<chain::EthRpc> rpc_;
};

}  // namespace lp::test
