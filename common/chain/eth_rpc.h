// An Ethereum JSON-RPC 2.0 client over HTTP(S) POST (libsoup 3): what the payment code asks a
// chain node (blocks, balances, nonces, eth_call, gas, raw transactions, receipts, logs).
//
// Calls block: they are meant for the node's chain worker thread, never a main loop. Errors
// name the JSON-RPC method: Unreachable for transport failures (refused, reset, HTTP 5xx),
// Timeout when the node did not answer in time (or cancel() was called), TooLarge for an
// answer over the size limit, BadRequest for malformed answers and for JSON-RPC errors (the
// node's code and message are kept), NotFound for an unknown block.
// A call that reverts is BadRequest with "reverted: <reason>" in the message.
#pragma once

#include <gio/gio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "error.h"
#include "keccak.h"
#include "u256.h"

typedef struct _SoupSession SoupSession;
typedef struct _JsonNode JsonNode;

namespace lp::chain {

using Bytes = std::vector<uint8_t>;

struct RpcOptions {
  // The longest a call may wait for the node (connect, send, each read) and take overall.
  std::chrono::milliseconds timeout{30000};
  // Answers larger than this are refused (TooLarge): a broken or hostile node must not make
  // us buffer gigabytes. 16 MiB holds any receipt or log query we make.
  size_t max_response_bytes = 16u << 20;
};

// A block parameter: a number, or one of the tags "latest", "pending", "earliest".
class BlockId {
 public:
  BlockId(uint64_t number) : text_(quantity(number)) {}  // NOLINT: implicit, like a number
  static BlockId latest() { return BlockId("latest"); }
  static BlockId pending() { return BlockId("pending"); }
  static BlockId earliest() { return BlockId("earliest"); }
  const std::string& text() const { return text_; }

  static std::string quantity(uint64_t n);  // "0x" + hex without leading zeros

 private:
  explicit BlockId(const char* tag) : text_(tag) {}
  std::string text_;
};

struct BlockHeader {
  uint64_t number = 0;
  eth::Digest hash{};
  eth::Digest parent_hash{};
  uint64_t timestamp = 0;
  uint64_t gas_limit = 0;
  std::optional<U256> base_fee_per_gas;  // absent before London (legacy-only chains)
};

struct Log {
  eth::Address address;
  std::vector<eth::Digest> topics;
  Bytes data;
  uint64_t block_number = 0;
  eth::Digest transaction_hash{};
  uint64_t log_index = 0;
  bool removed = false;  // dropped by a reorg (eth_getLogs answers after one)
};

struct Receipt {
  eth::Digest transaction_hash{};
  eth::Digest block_hash{};
  uint64_t block_number = 0;
  bool status = false;  // true: success (0x1)
  uint64_t gas_used = 0;
  std::optional<U256> effective_gas_price;  // nodes before London leave it out
  eth::Address from;
  std::optional<eth::Address> to;                // empty for a contract creation
  std::optional<eth::Address> contract_address;  // set for a contract creation
  std::vector<Log> logs;
};

// eth_call / eth_estimateGas arguments; empty members are left out of the request.
struct CallRequest {
  std::optional<eth::Address> from;
  std::optional<eth::Address> to;
  Bytes data;
  std::optional<U256> value;
  std::optional<uint64_t> gas;
};

// eth_getLogs filter. Each topic position is an exact topic or empty (any).
struct LogFilter {
  BlockId from_block = BlockId::latest();
  BlockId to_block = BlockId::latest();
  std::vector<eth::Address> addresses;  // empty: any contract
  std::vector<std::optional<eth::Digest>> topics;
};

// What eth_call gave: return data, or a revert and its Error(string) reason when there is one.
struct CallOutcome {
  bool reverted = false;
  Bytes data;          // return data, or the revert data when the node gave it
  std::string reason;  // the revert's reason, or a description when it has none
};

class EthRpc {
 public:
  // `url` is the node's http:// or https:// endpoint (-ethUrl).
  explicit EthRpc(std::string url, RpcOptions options = {});
  ~EthRpc();
  EthRpc(const EthRpc&) = delete;
  EthRpc& operator=(const EthRpc&) = delete;

  const std::string& url() const { return url_; }

  // Aborts the call in progress and every later one (Timeout "cancelled"): for shutdown,
  // from any thread.
  void cancel();

  Result<uint64_t> chain_id();
  Result<uint64_t> block_number();
  Result<BlockHeader> get_block(const BlockId& block);
  Result<U256> gas_price();
  // eth_maxPriorityFeePerGas; Unsupported when the node does not have the method.
  Result<U256> max_priority_fee();
  Result<U256> get_balance(const eth::Address& account, const BlockId& block = BlockId::latest());
  Result<uint64_t> get_transaction_count(const eth::Address& account, const BlockId& block = BlockId::pending());
  // The return data; a revert is an error whose message carries the reason.
  Result<Bytes> call(const CallRequest& request, const BlockId& block = BlockId::latest());
  // The same, with a revert as a value rather than an error.
  Result<CallOutcome> try_call(const CallRequest& request, const BlockId& block = BlockId::latest());
  Result<uint64_t> estimate_gas(const CallRequest& request);
  Result<eth::Digest> send_raw_transaction(std::span<const uint8_t> raw);
  // nullopt while the transaction is pending or unknown.
  Result<std::optional<Receipt>> get_transaction_receipt(const eth::Digest& hash);
  Result<std::vector<Log>> get_logs(const LogFilter& filter);

  // Any other method (evm_mine, net_version, ...): `params_json` is a JSON array; the answer
  // is the "result" member as JSON text.
  Result<std::string> request(std::string_view method, std::string_view params_json);

 private:
  struct NodeDeleter {
    void operator()(JsonNode* n) const;
  };
  using NodePtr = std::unique_ptr<JsonNode, NodeDeleter>;
  // A JSON-RPC error answer, kept apart so reverts can be told from other errors.
  struct RpcError {
    int64_t code = 0;
    std::string message;
    std::optional<Bytes> data;  // revert data, when the node gives it
  };
  struct Answer {
    NodePtr result;                  // set on success (may hold JSON null)
    std::optional<RpcError> failed;  // set when the node answered with an error
  };

  // One round trip; `params` is the JSON array text. Transport and format problems are errors; a JSON-RPC
  // error answer is an Answer with `failed`.
  Result<Answer> exchange(const char* method, const std::string& params);
  // The result of `method`, with a JSON-RPC error turned into an Error.
  Result<NodePtr> invoke(const char* method, const std::string& params);
  Result<std::string> post(const char* method, const std::string& body);

  std::string url_;
  RpcOptions options_;
  SoupSession* session_;
  GCancellable* cancellable_;
  std::mutex mutex_;  // one call at a time on the session; ids stay in order
  int64_t next_id_ = 1;
};

// Strict JSON-RPC quantities (as go-ethereum's hexutil reads them): "0x", then 1 to 64 hex
// digits without leading zeros ("0x0" for zero). BadRequest naming `what` otherwise.
Result<U256> parse_quantity(std::string_view text, std::string_view what);
Result<uint64_t> parse_quantity_u64(std::string_view text, std::string_view what);

}  // namespace lp::chain
