// The orchestrator's signing key, found the way go-livepeer finds it: --eth-keystore-path (a
// file, or a directory narrowed by --eth-acct-addr) unlocked with --eth-password; with neither,
// a key kept under --data-dir, created on first start. Only the orchestrator role calls this:
// transcoders never touch a keystore.
#pragma once

#include <string>

#include "eth_key.h"
#include "node_options.h"

namespace lp {

struct NodeKey {
  eth::PrivateKey key;
  std::string keystore_path;  // the file it came from (or was written to)
  bool created = false;       // made on this start
};

// Errors name the path and what is wrong (no such file, wrong password, several keys and no
// --eth-acct-addr, ...). Never includes the password.
Result<NodeKey> load_node_key(const NodeOptions& options);

// --data-dir, or $HOME/.lpgst.
std::string node_data_dir(const NodeOptions& options);

// The key that makes the orchestrator's auth tokens: <data dir>/auth-token.key (64 hex digits,
// mode 0600), made once, so tokens survive a restart. Never the transcoders' secret.
Result<std::string> load_or_create_token_key(const std::string& data_dir);

}  // namespace lp
