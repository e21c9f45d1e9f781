#include "eth_rpc.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <cctype>

#include "abi.h"
#include "hex.h"
#include "json_text.h"

namespace lp::chain {
namespace {

// Deeper than any answer we read (json_nested_deeper_than says why it matters).
constexpr int kMaxNesting = 64;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string clip(std::string_view text, size_t n = 200) {
  return text.size() <= n ? std::string(text) : std::string(text.substr(0, n)) + "...";
}

Error bad_answer(const char* method, const std::string& why) {
  return Error{ErrorCode::BadRequest, std::string(method) + ": malformed answer: " + why};
}

// "0x" and 64 hex digits.
Result<eth::Digest> digest_from(const std::string& text, const std::string& at) {
  if (text.rfind("0x", 0) != 0) return Error{ErrorCode::BadRequest, at + ": expected 0x and 64 hex digits"};
  auto b = eth::from_hex_sized(text, 32, at, ErrorCode::BadRequest);
  if (!b) return b.error();
  eth::Digest d{};
  std::copy(b->begin(), b->end(), d.begin());
  return d;
}

// "0x" and an even number of hex digits.
Result<Bytes> data_from(const std::string& text, const std::string& at) {
  if (text.rfind("0x", 0) != 0) return Error{ErrorCode::BadRequest, at + ": expected 0x-prefixed hex data"};
  return eth::from_hex(text, at, ErrorCode::BadRequest);
}

// Reads the members of one answer object; the first error sticks (like wire's json::Reader),
// so a description is a list of reads with one check at the end.
class Fields {
 public:
  Fields(JsonNode* node, const char* method, std::string path) : method_(method), path_(std::move(path)) {
    if (node == nullptr || !JSON_NODE_HOLDS_OBJECT(node)) {
      fail(path_, "expected an object");
    } else {
      object_ = json_node_get_object(node);
    }
  }

  const std::optional<Error>& error() const { return error_; }

  // The member's string value; nullopt when absent or null (an error when required).
  std::optional<std::string> string(const char* key, bool required = true) {
    if (error_) return std::nullopt;
    JsonNode* n = json_object_get_member(object_, key);
    if (n == nullptr || JSON_NODE_HOLDS_NULL(n)) {
      if (required) fail(where(key), "missing");
      return std::nullopt;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
      fail(where(key), "expected a string");
      return std::nullopt;
    }
    return std::string(json_node_get_string(n));
  }
  U256 quantity(const char* key) { return opt_quantity(key, true).value_or(U256()); }
  std::optional<U256> opt_quantity(const char* key, bool required = false) {
    auto s = string(key, required);
    if (!s) return std::nullopt;
    return take(parse_quantity(*s, where(key)));
  }
  uint64_t u64(const char* key) {
    auto s = string(key);
    return s ? take(parse_quantity_u64(*s, where(key))).value_or(0) : 0;
  }
  eth::Digest hash(const char* key) {
    auto s = string(key);
    return s ? digest_of(*s, where(key)) : eth::Digest{};
  }
  std::optional<eth::Address> address(const char* key, bool required = true) {
    auto s = string(key, required);
    if (!s) return std::nullopt;
    auto a = eth::parse_address(*s);
    if (!a) fail(where(key), a.error().message);
    return a ? std::optional(*a) : std::nullopt;
  }
  Bytes data(const char* key) {
    auto s = string(key);
    return s ? take(data_from(*s, where(key))).value_or(Bytes{}) : Bytes{};
  }
  bool boolean(const char* key) {
    if (error_) return false;
    JsonNode* n = json_object_get_member(object_, key);
    if (n == nullptr || JSON_NODE_HOLDS_NULL(n)) return false;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
      fail(where(key), "expected true or false");
      return false;
    }
    return json_node_get_boolean(n);
  }
  std::vector<JsonNode*> array(const char* key) {
    std::vector<JsonNode*> out;
    if (error_) return out;
    JsonNode* n = json_object_get_member(object_, key);
    if (n == nullptr || !JSON_NODE_HOLDS_ARRAY(n)) {
      fail(where(key), "expected an array");
      return out;
    }
    JsonArray* a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); ++i) out.push_back(json_array_get_element(a, i));
    return out;
  }

  eth::Digest digest_of(const std::string& text, const std::string& at) {
    return take(digest_from(text, at)).value_or(eth::Digest{});
  }
  void fail(const std::string& at, const std::string& why) {
    if (!error_) error_ = bad_answer(method_, at + ": " + why);
  }
  std::string where(const char* key) const { return path_ + "." + key; }

 private:
  template <typename T>
  std::optional<T> take(Result<T> r) {
    if (r) return *r;
    if (!error_) error_ = bad_answer(method_, r.error().message);
    return std::nullopt;
  }

  const char* method_;
  std::string path_;
  JsonObject* object_ = nullptr;
  std::optional<Error> error_;
};

std::string hex_of(std::span<const uint8_t> b) { return eth::to_hex_0x(b); }

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string call_object(const CallRequest& r) {
  std::string o = "{";
  auto add = [&](const char* key, const std::string& value) {
    if (o.size() > 1) o += ",";
    o += quoted(key) + ":" + quoted(value);
  };
  if (r.from) add("from", "0x" + r.from->hex());
  if (r.to) add("to", "0x" + r.to->hex());
  if (r.gas) add("gas", BlockId::quantity(*r.gas));
  if (r.value) add("value", r.value->to_hex());
  add("data", hex_of(r.data));
  return o + "}";
}

Result<Log> parse_log(JsonNode* node, const char* method, const std::string& path) {
  Fields f(node, method, path);
  Log log;
  log.address = f.address("address").value_or(eth::Address{});
  for (JsonNode* t : f.array("topics")) {
    if (!JSON_NODE_HOLDS_VALUE(t) || json_node_get_value_type(t) != G_TYPE_STRING) {
      f.fail(f.where("topics"), "expected strings");
      break;
    }
    log.topics.push_back(f.digest_of(json_node_get_string(t), f.where("topics")));
  }
  log.data = f.data("data");
  log.block_number = f.u64("blockNumber");
  log.transaction_hash = f.hash("transactionHash");
  log.log_index = f.u64("logIndex");
  log.removed = f.boolean("removed");
  if (f.error()) return *f.error();
  return log;
}

}  // namespace

std::string BlockId::quantity(uint64_t n) { return U256(n).to_hex(); }

Result<U256> parse_quantity(std::string_view text, std::string_view what) {
  auto fail = [&](const std::string& why) {
    return Error{ErrorCode::BadRequest, std::string(what) + ": " + why + " in quantity \"" + clip(text, 80) + "\""};
  };
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x') return fail("expected 0x and hex digits");
  const std::string_view digits = text.substr(2);
  if (digits.size() > 64) return fail("more than 64 hex digits");
  for (size_t i = 0; i < digits.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(digits[i]))) {
      return fail("'" + std::string(1, digits[i]) + "' at " + std::to_string(i + 2) + " is not a hex digit");
    }
  }
  if (digits.size() > 1 && digits[0] == '0') return fail("leading zero");
  auto v = U256::from_hex(digits);
  if (!v) return fail(v.error().message);
  return *v;
}

Result<uint64_t> parse_quantity_u64(std::string_view text, std::string_view what) {
  auto v = parse_quantity(text, what);
  if (!v) return v.error();
  auto small = v->to_u64();
  if (!small) return Error{ErrorCode::BadRequest, std::string(what) + ": " + std::string(text) + " exceeds 64 bits"};
  return *small;
}

void EthRpc::NodeDeleter::operator()(JsonNode* n) const { json_node_unref(n); }

EthRpc::EthRpc(std::string url, RpcOptions options)
    : url_(std::move(url)),
      options_(options),
      session_(soup_session_new_with_options(
          "timeout", static_cast<guint>(std::max<int64_t>(1, (options_.timeout.count() + 999) / 1000)), "user-agent",
          "lpgst", nullptr)),
      cancellable_(g_cancellable_new()) {}

EthRpc::~EthRpc() {
  g_object_unref(cancellable_);
  g_object_unref(session_);
}

void EthRpc::cancel() { g_cancellable_cancel(cancellable_); }

// The HTTP exchange: the answer body, at most max_response_bytes of it.
Result<std::string> EthRpc::post(const char* method, const std::string& body) {
  const std::string who = std::string(method) + " at " + url_;
  g_autoptr(SoupMessage) msg = soup_message_new("POST", url_.c_str());
  if (msg == nullptr) return Error{ErrorCode::BadRequest, who + ": not a usable http(s) URL"};
  g_autoptr(GBytes) request = g_bytes_new(body.data(), body.size());
  soup_message_set_request_body_from_bytes(msg, "application/json", request);
  soup_message_headers_replace(soup_message_get_request_headers(msg), "Accept", "application/json");

  auto transport_error = [&](GError* e) {
    if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return Error{ErrorCode::Timeout, who + ": cancelled"};
    if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
      return Error{ErrorCode::Timeout, who + ": no answer in " + std::to_string(options_.timeout.count()) + " ms"};
    }
    return Error{ErrorCode::Unreachable, who + ": " + (e ? e->message : "no answer")};
  };
  const gint64 deadline = g_get_monotonic_time() + options_.timeout.count() * 1000;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GInputStream) in = soup_session_send(session_, msg, cancellable_, &error);
  if (in == nullptr) return transport_error(error);

  const goffset announced = soup_message_headers_get_content_length(soup_message_get_response_headers(msg));
  const std::string too_large =
      who + ": answer over the limit of " + std::to_string(options_.max_response_bytes) + " bytes";
  if (announced > 0 && static_cast<uint64_t>(announced) > options_.max_response_bytes) {
    return Error{ErrorCode::TooLarge, too_large};
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    // A node that dribbles bytes could keep every single read under the session's timeout.
    if (g_get_monotonic_time() > deadline) {
      return Error{ErrorCode::Timeout,
                   who + ": answer not complete in " + std::to_string(options_.timeout.count()) + " ms"};
    }
    const gssize n = g_input_stream_read(in, chunk, sizeof chunk, cancellable_, &error);
    if (n < 0) return transport_error(error);
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > options_.max_response_bytes)
      return Error{ErrorCode::TooLarge, too_large};
    text.append(chunk, static_cast<size_t>(n));
  }
  const guint status = soup_message_get_status(msg);
  // Some nodes answer JSON-RPC errors with 4xx/5xx: exchange() reads those bodies.
  if (status != SOUP_STATUS_OK && text.find("\"jsonrpc\"") == std::string::npos) {
    const ErrorCode code = status >= 500 || status == 429 ? ErrorCode::Unreachable : ErrorCode::BadRequest;
    return Error{code, who + ": HTTP " + std::to_string(status) + " " +
                           (soup_message_get_reason_phrase(msg) ? soup_message_get_reason_phrase(msg) : "") +
                           (text.empty() ? "" : ": " + clip(text))};
  }
  return text;
}

Result<EthRpc::Answer> EthRpc::exchange(const char* method, const std::string& params) {
  std::lock_guard lock(mutex_);
  const int64_t id = next_id_++;
  const std::string body =
      "{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  auto text = post(method, body);
  if (!text) return text.error();
  if (auto why = json_text_problem(*text)) return bad_answer(method, "invalid JSON: " + *why);
  if (json_nested_deeper_than(*text, kMaxNesting)) return bad_answer(method, "JSON nested too deep");
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text->data(), static_cast<gssize>(text->size()), &error)) {
    return bad_answer(method, std::string("invalid JSON: ") + error->message + " in \"" + clip(*text) + "\"");
  }
  JsonNode* root = json_parser_get_root(parser);
  if (root == nullptr || !JSON_NODE_HOLDS_OBJECT(root)) return bad_answer(method, "not a JSON object: " + clip(*text));
  JsonObject* o = json_node_get_object(root);
  if (g_strcmp0(json_object_get_string_member_with_default(o, "jsonrpc", ""), "2.0") != 0) {
    return bad_answer(method, "no \"jsonrpc\": \"2.0\"");
  }
  JsonNode* id_node = json_object_get_member(o, "id");
  if (id_node == nullptr || !JSON_NODE_HOLDS_VALUE(id_node) || json_node_get_value_type(id_node) != G_TYPE_INT64 ||
      json_node_get_int(id_node) != id) {
    return bad_answer(method, "answer's id is not the request's " + std::to_string(id));
  }
  Answer answer;
  if (JsonNode* e = json_object_get_member(o, "error"); e != nullptr && !JSON_NODE_HOLDS_NULL(e)) {
    if (!JSON_NODE_HOLDS_OBJECT(e)) return bad_answer(method, "\"error\" is not an object");
    JsonObject* eo = json_node_get_object(e);
    RpcError failed;
    failed.code = json_object_get_int_member_with_default(eo, "code", 0);
    const char* message = json_object_get_string_member_with_default(eo, "message", "");
    failed.message = message ? message : "(message is not a string)";
    // Revert data: a string (geth), or {"data": string} (hardhat).
    JsonNode* data = json_object_get_member(eo, "data");
    if (data != nullptr && JSON_NODE_HOLDS_OBJECT(data))
      data = json_object_get_member(json_node_get_object(data), "data");
    if (data != nullptr && JSON_NODE_HOLDS_VALUE(data) && json_node_get_value_type(data) == G_TYPE_STRING) {
      if (auto b = eth::from_hex(json_node_get_string(data), "error data", ErrorCode::BadRequest)) failed.data = *b;
    }
    answer.failed = std::move(failed);
    return answer;
  }
  JsonNode* result = json_object_get_member(o, "result");
  if (result == nullptr) return bad_answer(method, "neither \"result\" nor \"error\"");
  answer.result.reset(json_node_copy(result));
  return answer;
}

namespace {

Error rpc_error(const char* method, int64_t code, const std::string& message) {
  return Error{ErrorCode::BadRequest,
               std::string(method) + ": JSON-RPC error " + std::to_string(code) + ": " + clip(message, 500)};
}

// A revert as the node reports it: with revert data (geth: code 3; hardhat: data.data) or
// only in the message (hardhat without data, other nodes).
std::optional<CallOutcome> as_revert(int64_t code, const std::string& message, const std::optional<Bytes>& data) {
  const std::string m = lower(message);
  if (!data && m.find("revert") == std::string::npos) return std::nullopt;
  if (data && code != 3 && m.find("revert") == std::string::npos && m.find("vm exception") == std::string::npos) {
    return std::nullopt;
  }
  CallOutcome out;
  out.reverted = true;
  if (data) out.data = *data;
  static const abi::Selector kPanic = abi::selector("Panic(uint256)");
  if (auto reason = abi::revert_reason(out.data)) {
    out.reason = *reason;
  } else if (out.data.size() == 36 && std::equal(kPanic.begin(), kPanic.end(), out.data.begin())) {
    out.reason = "panic " + U256::from_bytes(std::span(out.data).subspan(4)).value().to_hex();
  } else if (auto at = message.find("reverted with reason string '"); at != std::string::npos) {
    const size_t start = at + 29;
    const size_t end = message.rfind('\'');
    out.reason = end > start ? message.substr(start, end - start) : message.substr(start);
  } else if (auto ex = message.find("execution reverted: "); ex != std::string::npos) {
    out.reason = message.substr(ex + 20);
  } else {
    out.reason = "no reason given (" + clip(message) + ")";
  }
  return out;
}

}  // namespace

Result<EthRpc::NodePtr> EthRpc::invoke(const char* method, const std::string& params) {
  auto answer = exchange(method, params);
  if (!answer) return answer.error();
  if (answer->failed) return rpc_error(method, answer->failed->code, answer->failed->message);
  return std::move(answer->result);
}

Result<std::string> EthRpc::request(std::string_view method, std::string_view params_json) {
  const std::string name(method);
  const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!name_ok) return Error{ErrorCode::BadRequest, "not a JSON-RPC method name: " + clip(name, 80)};
  g_autoptr(JsonParser) check = json_parser_new();
  const std::string params(params_json);
  if (!json_parser_load_from_data(check, params.data(), static_cast<gssize>(params.size()), nullptr) ||
      !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(check))) {
    return Error{ErrorCode::BadRequest, name + ": params must be a JSON array: " + clip(params)};
  }
  auto result = invoke(name.c_str(), params);
  if (!result) return result.error();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, result->get());
  g_autofree char* text = json_generator_to_data(gen, nullptr);
  return std::string(text);
}

namespace {

// The result as a string (quantities, hashes, data).
Result<std::string> string_result(const char* method, JsonNode* node) {
  if (node == nullptr || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
    return bad_answer(method, "result is not a string");
  }
  return std::string(json_node_get_string(node));
}

// A method whose result is one quantity.
template <typename NodeResult, typename T>
Result<T> quantity_result(NodeResult node, const char* method, Result<T> (*parse)(std::string_view, std::string_view)) {
  if (!node) return node.error();
  auto text = string_result(method, node->get());
  if (!text) return text.error();
  auto v = parse(*text, "result");
  if (!v) return bad_answer(method, v.error().message);
  return *v;
}

}  // namespace

Result<uint64_t> EthRpc::chain_id() {
  return quantity_result(invoke("eth_chainId", "[]"), "eth_chainId", parse_quantity_u64);
}
Result<uint64_t> EthRpc::block_number() {
  return quantity_result(invoke("eth_blockNumber", "[]"), "eth_blockNumber", parse_quantity_u64);
}
Result<U256> EthRpc::gas_price() {
  return quantity_result(invoke("eth_gasPrice", "[]"), "eth_gasPrice", parse_quantity);
}
Result<U256> EthRpc::get_balance(const eth::Address& account, const BlockId& block) {
  const std::string params = "[" + quoted("0x" + account.hex()) + "," + quoted(block.text()) + "]";
  return quantity_result(invoke("eth_getBalance", params), "eth_getBalance", parse_quantity);
}
Result<uint64_t> EthRpc::get_transaction_count(const eth::Address& account, const BlockId& block) {
  const std::string params = "[" + quoted("0x" + account.hex()) + "," + quoted(block.text()) + "]";
  return quantity_result(invoke("eth_getTransactionCount", params), "eth_getTransactionCount", parse_quantity_u64);
}

Result<U256> EthRpc::max_priority_fee() {
  const char* method = "eth_maxPriorityFeePerGas";
  auto answer = exchange(method, "[]");
  if (!answer) return answer.error();
  if (answer->failed) {
    const std::string m = lower(answer->failed->message);
    const bool missing = answer->failed->code == -32601 || answer->failed->code == -32004 ||
                         m.find("not supported") != std::string::npos ||
                         m.find("does not exist") != std::string::npos || m.find("not found") != std::string::npos;
    Error e = rpc_error(method, answer->failed->code, answer->failed->message);
    if (missing) e.code = ErrorCode::Unsupported;
    return e;
  }
  return quantity_result(Result<NodePtr>(std::move(answer->result)), method, parse_quantity);
}

Result<BlockHeader> EthRpc::get_block(const BlockId& block) {
  const char* method = "eth_getBlockByNumber";
  auto node = invoke(method, "[" + quoted(block.text()) + ",false]");
  if (!node) return node.error();
  if (JSON_NODE_HOLDS_NULL(node->get()))
    return Error{ErrorCode::NotFound, std::string(method) + ": no block " + block.text()};
  Fields f(node->get(), method, "result");
  BlockHeader h;
  h.number = f.u64("number");
  h.hash = f.hash("hash");
  h.parent_hash = f.hash("parentHash");
  h.timestamp = f.u64("timestamp");
  h.gas_limit = f.u64("gasLimit");
  h.base_fee_per_gas = f.opt_quantity("baseFeePerGas");
  if (f.error()) return *f.error();
  return h;
}

Result<CallOutcome> EthRpc::try_call(const CallRequest& request, const BlockId& block) {
  const char* method = "eth_call";
  auto answer = exchange(method, "[" + call_object(request) + "," + quoted(block.text()) + "]");
  if (!answer) return answer.error();
  if (answer->failed) {
    if (auto revert = as_revert(answer->failed->code, answer->failed->message, answer->failed->data)) return *revert;
    return rpc_error(method, answer->failed->code, answer->failed->message);
  }
  auto text = string_result(method, answer->result.get());
  if (!text) return text.error();
  CallOutcome out;
  auto data = data_from(*text, "result");
  if (!data) return bad_answer(method, data.error().message);
  out.data = std::move(*data);
  return out;
}

Result<Bytes> EthRpc::call(const CallRequest& request, const BlockId& block) {
  auto outcome = try_call(request, block);
  if (!outcome) return outcome.error();
  if (outcome->reverted) {
    return Error{ErrorCode::BadRequest, "eth_call" + (request.to ? " to " + request.to->checksummed() : std::string()) +
                                            " reverted: " + outcome->reason};
  }
  return std::move(outcome->data);
}

Result<uint64_t> EthRpc::estimate_gas(const CallRequest& request) {
  const char* method = "eth_estimateGas";
  auto answer = exchange(method, "[" + call_object(request) + "]");
  if (!answer) return answer.error();
  if (answer->failed) {
    if (auto revert = as_revert(answer->failed->code, answer->failed->message, answer->failed->data)) {
      return Error{ErrorCode::BadRequest, std::string(method) +
                                              (request.to ? " to " + request.to->checksummed() : std::string()) +
                                              " reverted: " + revert->reason};
    }
    return rpc_error(method, answer->failed->code, answer->failed->message);
  }
  return quantity_result(Result<NodePtr>(std::move(answer->result)), method, parse_quantity_u64);
}

Result<eth::Digest> EthRpc::send_raw_transaction(std::span<const uint8_t> raw) {
  const char* method = "eth_sendRawTransaction";
  auto node = invoke(method, "[" + quoted(hex_of(raw)) + "]");
  if (!node) return node.error();
  auto text = string_result(method, node->get());
  if (!text) return text.error();
  auto d = digest_from(*text, "result");
  if (!d) return bad_answer(method, d.error().message);
  // The node's hash must be the one the raw bytes hash to: anything else is a broken node.
  if (*d != eth::keccak256(raw)) return bad_answer(method, "hash " + *text + " is not keccak256 of the transaction");
  return *d;
}

Result<std::optional<Receipt>> EthRpc::get_transaction_receipt(const eth::Digest& hash) {
  const char* method = "eth_getTransactionReceipt";
  auto node = invoke(method, "[" + quoted(hex_of(hash)) + "]");
  if (!node) return node.error();
  if (JSON_NODE_HOLDS_NULL(node->get())) return std::optional<Receipt>();
  Fields f(node->get(), method, "result");
  Receipt r;
  r.transaction_hash = f.hash("transactionHash");
  r.block_hash = f.hash("blockHash");
  r.block_number = f.u64("blockNumber");
  const U256 status = f.quantity("status");
  if (!f.error() && status > U256(1)) f.fail(f.where("status"), "expected 0x0 or 0x1");
  r.status = status == U256(1);
  r.gas_used = f.u64("gasUsed");
  r.effective_gas_price = f.opt_quantity("effectiveGasPrice");
  r.from = f.address("from").value_or(eth::Address{});
  r.to = f.address("to", false);
  r.contract_address = f.address("contractAddress", false);
  const auto logs = f.array("logs");
  if (f.error()) return *f.error();
  if (r.transaction_hash != hash) return bad_answer(method, "receipt of another transaction");
  for (size_t i = 0; i < logs.size(); ++i) {
    auto log = parse_log(logs[i], method, "result.logs[" + std::to_string(i) + "]");
    if (!log) return log.error();
    r.logs.push_back(std::move(*log));
  }
  return std::optional<Receipt>(std::move(r));
}

Result<std::vector<Log>> EthRpc::get_logs(const LogFilter& filter) {
  const char* method = "eth_getLogs";
  std::string o =
      "{\"fromBlock\":" + quoted(filter.from_block.text()) + ",\"toBlock\":" + quoted(filter.to_block.text());
  if (!filter.addresses.empty()) {
    o += ",\"address\":[";
    for (size_t i = 0; i < filter.addresses.size(); ++i) o += (i ? "," : "") + quoted("0x" + filter.addresses[i].hex());
    o += "]";
  }
  if (!filter.topics.empty()) {
    o += ",\"topics\":[";
    for (size_t i = 0; i < filter.topics.size(); ++i) {
      o += (i ? "," : "") + (filter.topics[i] ? quoted(hex_of(*filter.topics[i])) : std::string("null"));
    }
    o += "]";
  }
  auto node = invoke(method, "[" + o + "}]");
  if (!node) return node.error();
  if (!JSON_NODE_HOLDS_ARRAY(node->get())) return bad_answer(method, "result is not an array");
  JsonArray* a = json_node_get_array(node->get());
  std::vector<Log> logs;
  for (guint i = 0; i < json_array_get_length(a); ++i) {
    auto log = parse_log(json_array_get_element(a, i), method, "result[" + std::to_string(i) + "]");
    if (!log) return log.error();
    logs.push_back(std::move(*log));
  }
  return logs;
}

}  // namespace lp::chain
