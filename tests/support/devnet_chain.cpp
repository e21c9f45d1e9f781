#include "devnet_chain.h"

#include <vector>

#include "abi.h"

namespace lp::test {

namespace abi = chain::abi;

DevnetChain::DevnetChain(const DevnetInfo& info) : info_(info), rpc_(std::make_unique<chain::EthRpc>(info.rpc_url)) {}

chain::Receipt DevnetChain::send(const std::string& role, const eth::Address& to, chain::Bytes data,
                                 const chain::U256& value) {
  const eth::PrivateKey key = info_.account(role).key();
  chain::TxSender sender(*rpc_, key);
  return must(sender.send_and_wait(chain::TxRequest{to, value, std::move(data), std::nullopt}), role + " transaction");
}

void DevnetChain::mine(uint64_t blocks) {
  for (uint64_t i = 0; i < blocks; ++i) must(rpc_->request("evm_mine", "[]"), "evm_mine");
}

uint64_t DevnetChain::head() { return must(rpc_->block_number(), "blockNumber"); }

void DevnetChain::ensure_initialized() {
  chain::RoundsManager rm = rounds();
  const uint64_t len = must(rm.round_length(), "roundLength");
  const uint64_t start = must(rm.current_round_start_block(), "currentRoundStartBlock");
  if (head() + 1 >= start + len) mine(1);
  if (must(rm.current_round_initialized(), "currentRoundInitialized")) return;
  send("deployer", rm.address(), abi::encode_call("initializeRound", {}));
}

void DevnetChain::fresh_round() {
  chain::RoundsManager rm = rounds();
  const uint64_t len = must(rm.round_length(), "roundLength");
  const uint64_t start = must(rm.current_round_start_block(), "currentRoundStartBlock");
  const uint64_t h = head();
  mine(start + len > h ? start + len - h : 0);
  ensure_initialized();
}

void DevnetChain::bond_orchestrator(const std::string& role, const chain::U256& stake, uint64_t reward_cut,
                                    uint64_t fee_share) {
  const eth::Address me = addr(role);
  const eth::Address bm = contract("BondingManager");
  const std::vector<abi::Value> approve{abi::Value::address(bm), abi::Value::uint256(stake)};
  send(role, contract("LivepeerToken"), abi::encode_call("approve", approve));
  const std::vector<abi::Value> bond{abi::Value::uint256(stake), abi::Value::address(me)};
  send(role, bm, abi::encode_call("bond", bond));
  const std::vector<abi::Value> params{abi::Value::uint256(chain::U256(reward_cut)),
                                       abi::Value::uint256(chain::U256(fee_share))};
  send(role, bm, abi::encode_call("transcoder", params));
  fresh_round();
  if (!must(bonding().is_active_transcoder(me), "isActiveTranscoder"))
    throw std::runtime_error(role + " is not active after bonding");
}

void DevnetChain::fund_sender(const std::string& role, const chain::U256& deposit, const chain::U256& reserve) {
  const std::vector<abi::Value> amounts{abi::Value::uint256(deposit), abi::Value::uint256(reserve)};
  send(role, contract("TicketBroker"), abi::encode_call("fundDepositAndReserve", amounts), deposit + reserve);
}

chain::SenderInfo DevnetChain::sender_info(const std::string& role) {
  return must(broker().get_sender_info(addr(role)), "getSenderInfo(" + role + ")");
}

}  // namespace lp::test
