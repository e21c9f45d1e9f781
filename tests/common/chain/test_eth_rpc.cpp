// EthRpc, the Controller lookup, the contract reads and TxSender against a real chain: the
// lpchain devnet (hardhat node + Livepeer's contracts, tests/support/devnet.h), started once
// for this binary. The error paths (closed port, malformed answers) use a local stand-in.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <future>
#include <map>
#include <thread>

#include "abi.h"
#include "contracts.h"
#include "devnet.h"
#include "eth_rpc.h"
#include "tx_sender.h"

namespace lp::chain {
namespace {

const U256 kEther = U256(1'000'000'000'000'000'000ull);

U256 mul(const U256& a, uint64_t b) { return U256::checked_mul(a, b).value(); }

class DevnetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::lpchain_source().empty()) return;
    const gint64 t0 = g_get_monotonic_time();
    auto started = test::Devnet::start();
    if (!started) {
      start_error_ = started.error().message;
      return;
    }
    devnet_ = std::move(*started);
    g_print("devnet up in %.1f s at %s (%s)\n", (g_get_monotonic_time() - t0) / 1e6, devnet_->info().rpc_url.c_str(),
            devnet_->dir().c_str());
  }
  static void TearDownTestSuite() { devnet_.reset(); }

  void SetUp() override {
    if (test::lpchain_source().empty()) GTEST_SKIP() << test::kNoLpchain;
    ASSERT_TRUE(devnet_) << "the devnet did not start: " << start_error_;
    rpc_ = std::make_unique<EthRpc>(info().rpc_url);
  }
  void TearDown() override {
    if (HasFailure() && devnet_) ADD_FAILURE() << "node log (" << devnet_->dir() << "):\n" << devnet_->node_log_tail();
  }

  static const test::DevnetInfo& info() { return devnet_->info(); }

  static inline std::unique_ptr<test::Devnet> devnet_;
  static inline std::string start_error_;
  std::unique_ptr<EthRpc> rpc_;
};

TEST_F(DevnetTest, ChainIdAndHead) {
  auto id = rpc_->chain_id();
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, info().chain_id);
  auto number = rpc_->block_number();
  ASSERT_TRUE(number) << number.error().message;
  auto head = rpc_->get_block(BlockId::latest());
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_GE(head->number, *number);
  EXPECT_GT(head->timestamp, 1'600'000'000u);
  EXPECT_TRUE(head->base_fee_per_gas) << "hardhat 2.8 is post-London";
  auto parent = rpc_->get_block(head->number - 1);
  ASSERT_TRUE(parent) << parent.error().message;
  EXPECT_EQ(parent->hash, head->parent_hash);
  auto none = rpc_->get_block(head->number + 1000);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::NotFound) << none.error().message;
  auto price = rpc_->gas_price();
  ASSERT_TRUE(price) << price.error().message;
  EXPECT_FALSE(price->is_zero());
}

TEST_F(DevnetTest, ControllerLookupMatchesDevnetJson) {
  auto c = lookup_contracts(*rpc_, info().controller);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->bonding_manager, info().contract("BondingManager"));
  EXPECT_EQ(c->ticket_broker, info().contract("TicketBroker"));
  EXPECT_EQ(c->rounds_manager, info().contract("RoundsManager"));
  EXPECT_EQ(c->service_registry, info().contract("ServiceRegistry"));
  EXPECT_EQ(c->minter, info().contract("Minter"));
  EXPECT_EQ(c->livepeer_token, info().contract("LivepeerToken"));
  EXPECT_EQ(info().contract("Controller"), info().controller);

  auto missing = controller_lookup(*rpc_, info().controller, "NoSuchContract");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("NoSuchContract"), std::string::npos) << missing.error().message;
  // An account without code answers empty data, which must not read as the zero address.
  auto not_controller = controller_lookup(*rpc_, info().account("spare").address, "BondingManager");
  ASSERT_FALSE(not_controller);
  EXPECT_EQ(not_controller.error().code, ErrorCode::BadRequest) << not_controller.error().message;
}

// A transfer from `spare` mined in its own block: the sender pays value + gasUsed *
// effectiveGasPrice, the recipient gets value, and the head moves on.
void check_transfer(EthRpc& rpc, const test::DevnetInfo& info, bool legacy) {
  const auto key = info.account("spare").key();
  const eth::Address to = info.account(legacy ? "broadcaster2" : "orchestrator2").address;
  TxOptions options;
  options.force_legacy = legacy;
  TxSender sender(rpc, key, options);
  auto before = rpc.block_number();
  ASSERT_TRUE(before) << before.error().message;

  TxRequest req{to, U256::from_dec("250000000000000000").value(), {}, std::nullopt};
  auto estimate = rpc.estimate_gas({key.address(), to, {}, req.value, std::nullopt});
  ASSERT_TRUE(estimate) << estimate.error().message;
  EXPECT_GE(*estimate, 21000u);
  auto sent = sender.send(req);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->eip1559, !legacy);
  EXPECT_EQ(sent->gas_limit, *estimate * 6 / 5);
  auto receipt = sender.wait(*sent, req);
  ASSERT_TRUE(receipt) << receipt.error().message;
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(receipt->transaction_hash, sent->hash);
  EXPECT_EQ(receipt->from, key.address());
  EXPECT_EQ(receipt->to, to);
  EXPECT_EQ(receipt->gas_used, 21000u);
  EXPECT_GT(receipt->block_number, *before);
  auto after = rpc.block_number();
  ASSERT_TRUE(after);
  EXPECT_GE(*after, receipt->block_number);
  ASSERT_TRUE(receipt->effective_gas_price);
  EXPECT_LE(*receipt->effective_gas_price, sent->max_fee_per_gas);
  if (legacy) {
    EXPECT_EQ(*receipt->effective_gas_price, sent->max_fee_per_gas);
  }

  const uint64_t n = receipt->block_number;
  auto from_before = rpc.get_balance(key.address(), n - 1);
  auto from_after = rpc.get_balance(key.address(), n);
  auto to_before = rpc.get_balance(to, n - 1);
  auto to_after = rpc.get_balance(to, n);
  ASSERT_TRUE(from_before && from_after && to_before && to_after);
  const U256 fee = mul(*receipt->effective_gas_price, receipt->gas_used);
  EXPECT_EQ((*from_before - *from_after).to_dec(), (req.value + fee).to_dec());
  EXPECT_EQ((*to_after - *to_before).to_dec(), req.value.to_dec());
  auto nonce = rpc.get_transaction_count(key.address());
  ASSERT_TRUE(nonce);
  EXPECT_EQ(*nonce, sent->nonce + 1);
}

TEST_F(DevnetTest, Eip1559TransferIsMinedAndPaysGas) { check_transfer(*rpc_, info(), false); }
TEST_F(DevnetTest, LegacyEip155TransferIsMinedAndPaysGas) { check_transfer(*rpc_, info(), true); }

TEST_F(DevnetTest, RevertsCarryTheirReason) {
  const auto key = info().account("spare").key();
  TxSender sender(*rpc_, key);
  // LPT from the deployer without its allowance: refused when estimating, nothing is sent.
  const std::vector<abi::Value> take{abi::Value::address(info().account("deployer").address),
                                     abi::Value::address(key.address()), abi::Value::uint256(kEther)};
  TxRequest steal{info().contract("LivepeerToken"), U256(0), abi::encode_call("transferFrom", take), std::nullopt};
  auto nonce = rpc_->get_transaction_count(key.address());
  ASSERT_TRUE(nonce);
  auto refused = sender.send_and_wait(steal);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::BadRequest);
  EXPECT_NE(refused.error().message.find("eth_estimateGas"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("reverted: ERC20: insufficient allowance"), std::string::npos)
      << refused.error().message;
  auto same = rpc_->get_transaction_count(key.address());
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, *nonce);

  // eth_call says the same, as an error and as a value.
  CallRequest call{key.address(), steal.to, steal.data, std::nullopt, std::nullopt};
  auto called = rpc_->call(call);
  ASSERT_FALSE(called);
  EXPECT_NE(called.error().message.find("reverted: ERC20: insufficient allowance"), std::string::npos)
      << called.error().message;
  auto outcome = rpc_->try_call(call);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->reverted);
  EXPECT_EQ(outcome->reason, "ERC20: insufficient allowance");

  // A deposit whose msg.value (none) is not deposit + reserve, sent with a fixed gas limit:
  // mined with status 0, and the reason comes from replaying the call at its block.
  const std::vector<abi::Value> amounts{abi::Value::uint256(kEther), abi::Value::uint256(kEther)};
  TxRequest fund{info().contract("TicketBroker"), U256(0), abi::encode_call("fundDepositAndReserve", amounts), 300000};
  auto sent = sender.send(fund);
  ASSERT_TRUE(sent) << sent.error().message;
  auto mined = sender.wait(*sent, fund);
  ASSERT_FALSE(mined);
  EXPECT_EQ(mined.error().code, ErrorCode::BadRequest);
  EXPECT_NE(mined.error().message.find("reverted in block"), std::string::npos) << mined.error().message;
  EXPECT_NE(mined.error().message.find("msg.value does not equal sum of deposit amount and reserve amount"),
            std::string::npos)
      << mined.error().message;
  auto receipt = rpc_->get_transaction_receipt(sent->hash);
  ASSERT_TRUE(receipt && *receipt);
  EXPECT_FALSE((*receipt)->status);
}

TEST_F(DevnetTest, FundedDepositReadsBack) {
  const test::DevnetAccount& b = info().account("broadcaster");
  const auto key = b.key();
  TicketBroker broker(*rpc_, info().contract("TicketBroker"));
  auto before = broker.get_sender_info(b.address);
  ASSERT_TRUE(before) << before.error().message;

  const U256 deposit = kEther, reserve = U256::from_dec("500000000000000000").value();
  const std::vector<abi::Value> amounts{abi::Value::uint256(deposit), abi::Value::uint256(reserve)};
  TxRequest fund{broker.address(), deposit + reserve, abi::encode_call("fundDepositAndReserve", amounts), std::nullopt};
  TxSender sender(*rpc_, key);
  auto receipt = sender.send_and_wait(fund);
  ASSERT_TRUE(receipt) << receipt.error().message;

  auto after = broker.get_sender_info(b.address);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ((after->deposit - before->deposit).to_dec(), deposit.to_dec());
  EXPECT_EQ((after->reserve_funds_remaining - before->reserve_funds_remaining).to_dec(), reserve.to_dec());
  EXPECT_EQ(after->withdraw_round, 0u);
  EXPECT_TRUE(after->reserve_claimed_in_current_round.is_zero());
  auto claimed = broker.claimed_reserve(b.address, info().account("orchestrator").address);
  ASSERT_TRUE(claimed) << claimed.error().message;
  EXPECT_TRUE(claimed->is_zero());

  // DepositFunded(address indexed sender, uint256 amount) and ReserveFunded(...), in the
  // receipt and from eth_getLogs.
  const eth::Digest deposit_topic = eth::keccak256("DepositFunded(address,uint256)");
  const eth::Digest reserve_topic = eth::keccak256("ReserveFunded(address,uint256)");
  eth::Digest sender_topic{};
  std::copy(b.address.bytes.begin(), b.address.bytes.end(), sender_topic.begin() + 12);
  ASSERT_EQ(receipt->logs.size(), 2u);
  std::map<eth::Digest, U256> amounts_by_topic;
  for (const Log& log : receipt->logs) {
    EXPECT_EQ(log.address, broker.address());
    ASSERT_EQ(log.topics.size(), 2u);
    EXPECT_EQ(log.topics[1], sender_topic);
    amounts_by_topic[log.topics[0]] = abi::Reader(log.data).u256(0).value();
  }
  EXPECT_EQ(amounts_by_topic[deposit_topic], deposit);
  EXPECT_EQ(amounts_by_topic[reserve_topic], reserve);
  LogFilter filter;
  filter.from_block = receipt->block_number;
  filter.to_block = receipt->block_number;
  filter.addresses = {broker.address()};
  filter.topics = {deposit_topic};
  auto logs = rpc_->get_logs(filter);
  ASSERT_TRUE(logs) << logs.error().message;
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].transaction_hash, receipt->transaction_hash);
  EXPECT_EQ((*logs)[0].data,
            receipt->logs[0].topics[0] == deposit_topic ? receipt->logs[0].data : receipt->logs[1].data);
}

TEST_F(DevnetTest, RoundsAndBondingReads) {
  RoundsManager rounds(*rpc_, info().contract("RoundsManager"));
  auto length = rounds.round_length();
  ASSERT_TRUE(length) << length.error().message;
  EXPECT_EQ(static_cast<int64_t>(*length), info().params.at("roundLength"));
  auto round = rounds.current_round();
  ASSERT_TRUE(round) << round.error().message;
  auto start = rounds.current_round_start_block();
  auto head = rpc_->block_number();
  ASSERT_TRUE(start && head);
  EXPECT_LE(*start, *head);
  EXPECT_LT(*head, *start + *length);

  // Initialize the current round if nobody has: then its block hash is set.
  auto initialized = rounds.current_round_initialized();
  ASSERT_TRUE(initialized) << initialized.error().message;
  if (!*initialized) {
    const auto key = info().account("deployer").key();
    TxSender sender(*rpc_, key);
    auto r = sender.send_and_wait({rounds.address(), U256(0), abi::encode_call("initializeRound", {}), std::nullopt});
    ASSERT_TRUE(r) << r.error().message;
  }
  round = rounds.current_round();
  ASSERT_TRUE(round);
  auto last = rounds.last_initialized_round();
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(*last, *round);
  auto hash = rounds.block_hash_for_round(*round);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_NE(*hash, eth::Digest{});
  initialized = rounds.current_round_initialized();
  ASSERT_TRUE(initialized);
  EXPECT_TRUE(*initialized);

  // Nobody has bonded on a fresh devnet.
  BondingManager bonding(*rpc_, info().contract("BondingManager"));
  const eth::Address orch = info().account("orchestrator").address;
  auto active = bonding.is_active_transcoder(orch);
  ASSERT_TRUE(active) << active.error().message;
  EXPECT_FALSE(*active);
  auto t = bonding.get_transcoder(orch);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->activation_round, 0u);
  EXPECT_EQ(t->fee_share, 0u);
  auto fees = bonding.pending_fees(orch, *round);
  ASSERT_TRUE(fees) << fees.error().message;
  EXPECT_TRUE(fees->is_zero());
  auto pool = bonding.get_transcoder_pool_size();
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(*pool, 0u);
  auto validity = TicketBroker(*rpc_, info().contract("TicketBroker")).ticket_validity_period();
  ASSERT_TRUE(validity) << validity.error().message;
  EXPECT_EQ(static_cast<int64_t>(*validity), info().params.at("ticketValidityPeriod"));
}

TEST_F(DevnetTest, RawRequestAndPriorityFee) {
  auto mined = rpc_->request("evm_mine", "[]");
  ASSERT_TRUE(mined) << mined.error().message;
  auto version = rpc_->request("net_version", "[]");
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, "\"" + std::to_string(info().chain_id) + "\"");
  auto bad = rpc_->request("eth_getBalance", "{}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::BadRequest);
  // Either a fee or Unsupported (hardhat 2.8.3 may lack the method): never another error.
  auto tip = rpc_->max_priority_fee();
  if (!tip) {
    EXPECT_EQ(tip.error().code, ErrorCode::Unsupported) << tip.error().message;
  }
}

// A port nothing listens on (the kernel's pick, closed again).
int closed_port() {
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  g_socket_bind(s, any, FALSE, nullptr);
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, nullptr);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

TEST(EthRpcErrors, ClosedPortIsUnreachableNamingTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  EthRpc rpc(url, RpcOptions{std::chrono::milliseconds(5000)});
  auto id = rpc.chain_id();
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::Unreachable) << id.error().message;
  EXPECT_NE(id.error().message.find(url), std::string::npos) << id.error().message;
  EXPECT_NE(id.error().message.find("eth_chainId"), std::string::npos) << id.error().message;
  EthRpc bad_url("not a url");
  EXPECT_EQ(bad_url.block_number().error().code, ErrorCode::BadRequest);
}

// A JSON-RPC node stand-in on its own thread and main context (owned here, joined on
// destruction): each path answers one way, echoing the request's id where it matters.
class FakeNode {
 public:
  FakeNode() : ctx_(g_main_context_new()), loop_(g_main_loop_new(ctx_, FALSE)) {
    std::promise<int> port;
    auto bound = port.get_future();
    thread_ = std::thread([this, &port] {
      g_main_context_push_thread_default(ctx_);
      SoupServer* server = soup_server_new(nullptr, nullptr);
      soup_server_add_handler(server, nullptr, handle, nullptr, nullptr);
      soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, nullptr);
      GSList* uris = soup_server_get_uris(server);
      port.set_value(uris ? g_uri_get_port(static_cast<GUri*>(uris->data)) : 0);
      g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
      g_main_loop_run(loop_);
      soup_server_disconnect(server);
      g_object_unref(server);
      g_main_context_pop_thread_default(ctx_);
    });
    port_ = bound.get();
  }
  ~FakeNode() {
    g_main_context_invoke(
        ctx_, [](gpointer l) { return g_main_loop_quit(static_cast<GMainLoop*>(l)), G_SOURCE_REMOVE; }, loop_);
    thread_.join();
    g_main_loop_unref(loop_);
    g_main_context_unref(ctx_);
  }
  std::string url(const char* path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  static void handle(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer) {
    SoupMessageBody* req = soup_server_message_get_request_body(msg);
    g_autoptr(GBytes) req_bytes = soup_message_body_flatten(req);
    g_autoptr(JsonParser) parser = json_parser_new();
    int64_t id = 0;
    gsize n = 0;
    const char* data = static_cast<const char*>(g_bytes_get_data(req_bytes, &n));
    if (json_parser_load_from_data(parser, data, static_cast<gssize>(n), nullptr)) {
      id = json_object_get_int_member_with_default(json_node_get_object(json_parser_get_root(parser)), "id", 0);
    }
    const std::string ids = std::to_string(id);
    const std::string p = path;
    std::string body;
    guint status = 200;
    if (p == "/garbage") body = "<html>not json</html>";
    if (p == "/wrong-id") body = R"({"jsonrpc":"2.0","id":424242,"result":"0x1"})";
    if (p == "/leading-zero") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"result":"0x01"})";
    if (p == "/no-prefix") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"result":"12"})";
    if (p == "/rpc-error") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"error":{"code":-32000,"message":"boom"}})";
    if (p == "/huge") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"result":")" + std::string(4096, 'a') + "\"}";
    if (p == "/deep") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"result":)" + std::string(100000, '[') + "}";
    if (p == "/odd-error") body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"error":{"code":"x","message":5}})";
    if (p == "/http500") status = 500, body = "overloaded";
    if (p == "/bad-receipt") {
      body = R"({"jsonrpc":"2.0","id":)" + ids + R"(,"result":{"transactionHash":"0x12","status":"0x1"}})";
    }
    soup_server_message_set_status(msg, status, nullptr);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body.data(), body.size());
  }

  GMainContext* ctx_;
  GMainLoop* loop_;
  std::thread thread_;
  int port_ = 0;
};

void expect_error(const Error& e, ErrorCode code, std::initializer_list<const char*> parts) {
  EXPECT_EQ(e.code, code) << e.message;
  for (const char* part : parts) EXPECT_NE(e.message.find(part), std::string::npos) << e.message << " lacks " << part;
}

TEST(EthRpcErrors, MalformedAnswersAreBadRequestNamingTheMethod) {
  FakeNode node;
  expect_error(EthRpc(node.url("/garbage")).chain_id().error(), ErrorCode::BadRequest,
               {"eth_chainId", "malformed answer", "invalid JSON"});
  expect_error(EthRpc(node.url("/wrong-id")).block_number().error(), ErrorCode::BadRequest, {"eth_blockNumber", "id"});
  expect_error(EthRpc(node.url("/leading-zero")).gas_price().error(), ErrorCode::BadRequest,
               {"eth_gasPrice", "leading zero"});
  expect_error(EthRpc(node.url("/no-prefix")).chain_id().error(), ErrorCode::BadRequest, {"eth_chainId", "0x"});
  expect_error(EthRpc(node.url("/rpc-error")).get_balance(eth::Address{}).error(), ErrorCode::BadRequest,
               {"eth_getBalance", "JSON-RPC error -32000: boom"});
  expect_error(EthRpc(node.url("/deep")).chain_id().error(), ErrorCode::BadRequest, {"eth_chainId", "nested"});
  expect_error(EthRpc(node.url("/odd-error")).chain_id().error(), ErrorCode::BadRequest,
               {"eth_chainId", "JSON-RPC error"});
  RpcOptions small;
  small.max_response_bytes = 1024;
  expect_error(EthRpc(node.url("/huge"), small).chain_id().error(), ErrorCode::TooLarge, {"eth_chainId", "1024"});
  expect_error(EthRpc(node.url("/http500")).chain_id().error(), ErrorCode::Unreachable,
               {"eth_chainId", "HTTP 500", "overloaded"});
  expect_error(EthRpc(node.url("/bad-receipt")).get_transaction_receipt(eth::Digest{}).error(), ErrorCode::BadRequest,
               {"eth_getTransactionReceipt", "result.transactionHash"});
}

TEST(EthRpcErrors, QuantitiesAreStrict) {
  EXPECT_EQ(parse_quantity_u64("0x0", "q").value(), 0u);
  EXPECT_EQ(parse_quantity_u64("0xd431", "q").value(), 54321u);
  EXPECT_EQ(parse_quantity("0xDE0B6B3A7640000", "q").value().to_dec(), "1000000000000000000");
  for (const char* bad : {"", "0x", "0x00", "0x01", "12", "0xg", "0x-1", " 0x1"}) {
    EXPECT_FALSE(parse_quantity(bad, "q")) << bad;
  }
  EXPECT_FALSE(parse_quantity("0x1" + std::string(64, '0'), "q"));
  EXPECT_FALSE(parse_quantity_u64("0x10000000000000000", "q"));
}

}  // namespace
}  // namespace lp::chain
