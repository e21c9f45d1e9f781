// A local Ethereum chain with Livepeer's protocol contracts for a test: ../shared/lpchain (a
// hardhat node and Livepeer's own deploy scripts; see its README.md), copied into the build
// directory and set up once (npm packages, solc-js compile; minutes the first time, seconds
// after), then started fresh for each Devnet on a free port and stopped when it dies.
//
// Several test processes may each run their own devnet at once: the set-up copy is shared
// (behind a lock file), each chain runs in its own instance directory beside it, which keeps
// its logs (run/node.log, start.log) until a later start finds its process gone and removes it.
// node and npm must be installed: without them start() fails (tests must not pass silently).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "address.h"
#include "error.h"
#include "eth_key.h"

namespace lp::test {

struct DevnetAccount {
  std::string role;  // deployer, orchestrator, broadcaster, orchestrator2, broadcaster2, spare
  eth::Address address;
  std::string private_key;  // 0x + 64 hex digits (hardhat's public test mnemonic)

  eth::PrivateKey key() const;  // aborts on a malformed key: devnet.json is ours
};

// run/devnet.json, as lpchain's lib/post-deploy.js writes it.
struct DevnetInfo {
  std::string rpc_url;
  uint64_t chain_id = 0;
  eth::Address controller;
  std::map<std::string, eth::Address> contracts;  // every name registered in the Controller
  std::map<std::string, DevnetAccount> accounts;  // by role
  std::map<std::string, int64_t> params;          // roundLength, unlockPeriod, ... (integers only)
  std::string abi_dir;

  // The contract or account; aborts when devnet.json lacks it (a broken devnet, not a test result).
  const eth::Address& contract(const std::string& name) const;
  const DevnetAccount& account(const std::string& role) const;
};

Result<DevnetInfo> read_devnet_json(const std::string& path);

// Where lpchain's sources are: $LPCHAIN_SRC, else shared/lpchain beside the checkout (or inside
// it); empty when there is none. Chain tests skip, saying so, on a checkout without it; with it,
// every other missing piece (node, npm, a failing set-up) fails them.
std::string lpchain_source();
inline constexpr char kNoLpchain[] =
    "skipped: no shared/lpchain beside this checkout and LPCHAIN_SRC unset (the chain tests run Livepeer's "
    "contracts from it)";

struct DevnetOptions {
  int block_time_s = 0;  // 0: a block per transaction only; N: also one every N seconds
  // How long setup.sh (npm ci + compile the first time) and start.sh may take.
  int setup_timeout_s = 900;
  int start_timeout_s = 300;
};

class Devnet {
 public:
  // Sets up the shared copy if needed and starts a fresh chain. Errors carry the tail of the
  // failing script's log.
  static Result<std::unique_ptr<Devnet>> start(const DevnetOptions& options = {});
  ~Devnet();  // stop.sh
  Devnet(const Devnet&) = delete;
  Devnet& operator=(const Devnet&) = delete;

  const DevnetInfo& info() const { return info_; }
  const std::string& dir() const { return dir_; }  // this chain's instance directory
  // The last lines of run/node.log (calls, reverts with Solidity stack traces): for failures.
  std::string node_log_tail(size_t lines = 40) const;

 private:
  Devnet(std::string dir, DevnetInfo info) : dir_(std::move(dir)), info_(std::move(info)) {}
  std::string dir_;
  DevnetInfo info_;
};

}  // namespace lp::test
