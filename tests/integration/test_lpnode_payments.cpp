// An on-chain lpnode (-network devenv) paid by a go-livepeer-compatible gateway (tests/support:
// livepeer_gateway_peer for discovery and POST /segment, ticket_sender from go-livepeer's
// pm/sender.go for the tickets) on the lpchain devnet: price and ticket params from
// GetOrchestrator, tickets credited, balances debited by exactly the pixels' price, winners
// redeemed on TicketBroker (the gateway's deposit shrinks by their face values, the orchestrator's
// pending fees grow by them), each kind of bad payment refused with go-livepeer's status, a short
// balance refused before transcoding, and a kill -9 between a win and its redemption.
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "contracts.h"
#include "devnet.h"
#include "abi.h"
#include "devnet_chain.h"
#include "eth_rpc.h"
#include "keystore_dir.h"
#include "livepeer_gateway_peer.h"
#include "node_cluster.h"
#include "payment_receiver.h"
#include "ticket.h"
#include "ticket_params.h"
#include "ticket_sender.h"

namespace lp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using chain::U256;

const U256 kEther = U256(1'000'000'000'000'000'000ull);
const U256 kFace = U256(100'000'000'000'000'000ull);  // -maxFaceValue 0.1 ETH
const U256 kEv = U256(60'000'000'000'000'000ull);     // -ticketEV: win probability 0.6
constexpr int64_t kPrice = 7;                         // wei per pixel

template <typename T>
T ok(Result<T> r, const char* what) {
  return must(std::move(r), what);
}

U256 num(const std::string& b) {
  return U256::from_bytes({reinterpret_cast<const uint8_t*>(b.data()), b.size()}).value();
}

// The node's /status "payments" object, reduced to what the tests read.
struct PaymentsView {
  bool ok = false;
  bool chain_reachable = false;
  int64_t latest_block = 0;
  int64_t tickets_received = 0, winning_tickets = 0, payment_errors = 0;
  int64_t tickets_pending = 0, tickets_redeemed = 0, tickets_failed = 0;
  int64_t reward_calls = 0, last_reward_round = 0, rounds_initialized = 0;
  std::string value_redeemed_wei, last_redemption_error;
  std::map<std::string, std::string> balance_by_stream;  // whole wei
};

PaymentsView payments_view(int cli_port) {
  PaymentsView v;
  HttpResponse r = http_request("GET", "http://127.0.0.1:" + std::to_string(cli_port) + "/status", "", {}, 5s);
  if (r.status != 200) return v;
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, r.body.c_str(), -1, nullptr)) return v;
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  if (!json_object_has_member(root, "payments")) return v;
  JsonObject* p = json_object_get_object_member(root, "payments");
  v.ok = true;
  v.chain_reachable = json_object_get_boolean_member(p, "chain_reachable");
  v.latest_block = json_object_get_int_member(p, "latest_block");
  v.tickets_received = json_object_get_int_member(p, "tickets_received");
  v.winning_tickets = json_object_get_int_member(p, "winning_tickets");
  v.payment_errors = json_object_get_int_member(p, "payment_errors");
  v.tickets_pending = json_object_get_int_member(p, "tickets_pending");
  v.tickets_redeemed = json_object_get_int_member(p, "tickets_redeemed");
  v.tickets_failed = json_object_get_int_member(p, "tickets_failed");
  v.value_redeemed_wei = json_object_get_string_member(p, "value_redeemed_wei");
  v.reward_calls = json_object_get_int_member(p, "reward_calls");
  v.last_reward_round = json_object_get_int_member(p, "last_reward_round");
  v.rounds_initialized = json_object_get_int_member(p, "rounds_initialized");
  v.last_redemption_error = json_object_get_string_member(p, "last_redemption_error");
  JsonArray* balances = json_object_get_array_member(p, "balances");
  for (guint i = 0; i < json_array_get_length(balances); ++i) {
    JsonObject* b = json_array_get_object_element(balances, i);
    v.balance_by_stream[json_object_get_string_member(b, "stream")] = json_object_get_string_member(b, "balance_wei");
  }
  return v;
}

bool eventually(const std::function<bool()>& cond, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return cond();
}

// A running on-chain node and where it listens.
struct PaidNode {
  std::unique_ptr<NodeProcess> process;
  int http_port = 0;
  int cli_port = 0;
};

class LpnodePayments : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (lpchain_source().empty()) return;
    auto started = Devnet::start();
    if (!started) {
      setup_error_ = started.error().message;
      return;
    }
    devnet_ = std::move(*started);
    chain_ = std::make_unique<DevnetChain>(devnet_->info());
    try {
      // scenario.js (a) and (b): the orchestrator bonded and active (10% reward cut, 50% fee
      // share), the broadcaster funded.
      chain_->fresh_round();
      chain_->bond_orchestrator("orchestrator", U256::checked_mul(kEther, 1000).value(), 100000, 500000);
      chain_->fund_sender("broadcaster", U256::checked_mul(kEther, 5).value(), kEther);
    } catch (const std::exception& e) {
      setup_error_ = std::string("preparing the chain: ") + e.what();
    }
  }
  static void TearDownTestSuite() {
    chain_.reset();
    devnet_.reset();
  }

  void SetUp() override {
    if (lpchain_source().empty()) GTEST_SKIP() << kNoLpchain;
    ASSERT_TRUE(devnet_ && setup_error_.empty()) << "the devnet is not ready: " << setup_error_;
    std::string tmpl = (fs::temp_directory_path() / "lp-lpnode-payments-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(tmpl.data()));
    dir_ = tmpl;
    // The bonded orchestrator account's key, in a keystore lpnode opens.
    const eth::PrivateKey key = info().account("orchestrator").key();
    keystore_ = ok(eth::write_keystore_file(dir_ + "/keystore", key, "pw", eth::kScryptLight), "keystore");
    std::ofstream(dir_ + "/password") << "pw\n";
    ASSERT_NO_THROW(chain_->fresh_round());
  }
  void TearDown() override {
    if (HasFailure() && devnet_) ADD_FAILURE() << "chain log (" << devnet_->dir() << "):\n" << devnet_->node_log_tail();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static const DevnetInfo& info() { return devnet_->info(); }
  static eth::Address addr(const char* role) { return chain_->addr(role); }
  static void mine(uint64_t n) { chain_->mine(n); }
  static uint64_t head() { return chain_->head(); }
  static void ensure_initialized() { chain_->ensure_initialized(); }
  static U256 deposit() { return chain_->sender_info("broadcaster").deposit; }
  static U256 pending_fees() { return ok(chain_->bonding().pending_fees(addr("orchestrator"), 0), "pendingFees"); }
  // What the gateway reads of the chain for its checks (go-livepeer's SenderManager/TimeManager).
  static SenderChainState sender_chain() {
    SenderChainState s;
    const chain::SenderInfo info = chain_->sender_info("broadcaster");
    s.deposit = info.deposit;
    s.reserve = info.reserve_funds_remaining;
    s.withdraw_round = U256(info.withdraw_round);
    s.last_l1_block = head();
    s.last_initialized_round = static_cast<int64_t>(ok(chain_->rounds().last_initialized_round(), "round"));
    return s;
  }

  // `lpctl chain SUB --eth-url .. --eth-controller .. [more]`, to the end.
  static Ran lpctl_chain(const std::string& sub, std::vector<std::string> more, const std::string& name) {
    std::vector<std::string> args = {
        "chain", sub, "--eth-url", info().rpc_url, "--eth-controller", info().controller.checksummed()};
    args.insert(args.end(), more.begin(), more.end());
    return run_lpctl(args, name, std::chrono::seconds(120));
  }

  PaidNode start_node(const std::string& name, std::vector<std::string> extra = {}) {
    PaidNode n;
    n.http_port = free_port();
    n.cli_port = free_port();
    std::vector<std::string> args = {"-orchestrator",
                                     "-transcoder",
                                     "-network",
                                     "devenv",
                                     "-ethUrl",
                                     info().rpc_url,
                                     "-ethController",
                                     info().controller.checksummed(),
                                     "-ethKeystorePath",
                                     keystore_,
                                     "-ethPassword",
                                     dir_ + "/password",
                                     "-dataDir",
                                     dir_ + "/node",
                                     "-httpAddr",
                                     "127.0.0.1:" + std::to_string(n.http_port),
                                     "-cliAddr",
                                     "127.0.0.1:" + std::to_string(n.cli_port),
                                     "-pricePerUnit",
                                     std::to_string(kPrice),
                                     "-pixelsPerUnit",
                                     "1",
                                     "-ticketEV",
                                     kEv.to_dec(),
                                     "-maxFaceValue",
                                     kFace.to_dec(),
                                     "-autoAdjustPrice=false",
                                     "-blockPollingInterval",
                                     "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    n.process = NodeProcess::start(lpnode_binary(), args, name);
    EXPECT_TRUE(n.process->wait_for_log("lpnode: orchestrator on", 60s)) << n.process->log();
    EXPECT_TRUE(eventually([&] { return payments_view(n.cli_port).chain_reachable; }, 30s)) << n.process->log();
    return n;
  }

  static inline std::unique_ptr<Devnet> devnet_;
  static inline std::unique_ptr<DevnetChain> chain_;
  static inline std::string setup_error_;
  std::string dir_;
  std::string keystore_;
};

// The gateway side of one session: discovery signed by the broadcaster, then go-livepeer's
// sender session on the ticket params it was given.
struct GatewaySession {
  std::unique_ptr<LivepeerGatewayPeer> peer;
  net::OrchestratorInfo info;
  std::unique_ptr<TicketSender> sender;
  std::string session;  // the ticket session (recipientRandHash)

  std::string manifest() const { return info.auth_token().session_id(); }
  net::Payment tickets(size_t n) { return ok(sender->create_tickets(session, n), "create_tickets"); }
  GatewayAnswer post(int64_t seq, const net::Payment& payment, const eth::PrivateKey& key) {
    const std::string body = small_segments()[static_cast<size_t>(seq) % small_segments().size()];
    return peer->post(LivepeerGatewayPeer::segment_data(info, manifest(), seq, body, ladder(), &key), body, payment);
  }
  static std::vector<net::VideoProfile> ladder() {
    return {LivepeerGatewayPeer::profile("P144p30fps16x9", 256, 144, 400000)};
  }
};

GatewaySession open_session(const PaidNode& node, const eth::PrivateKey& key, const SenderChainState& chain) {
  GatewaySession g;
  g.peer = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(node.http_port));
  if (!g.peer) throw std::runtime_error("cannot connect");
  std::string error;
  auto info = g.peer->discover(&key, &error);
  if (!info) {
    const auto exit = node.process->wait_exit(2s);
    throw std::runtime_error("GetOrchestrator: " + error + "\nnode " +
                             (exit ? "exited with " + std::to_string(*exit) : std::string("runs")) + ", its log:\n" +
                             node.process->log());
  }
  g.info = *info;
  // The gateway's -maxTicketEV and -maxTotalEV raised to take these tests' large tickets.
  TicketSenderConfig limits;
  limits.max_ev = U256::checked_mul(kEv, 2).value();
  limits.max_total_ev = U256::checked_mul(kEv, 16).value();
  g.sender = std::make_unique<TicketSender>(ok(eth::PrivateKey::from_bytes(key.secret()), "key"), chain, limits);
  const pm::Price price{info->price_info().priceperunit(), info->price_info().pixelsperunit()};
  g.session = ok(g.sender->start_session(info->ticket_params(), info->ticket_params().expiration_params(), price),
                 "start_session");
  return g;
}

int64_t pixels_of(const GatewayAnswer& a) {
  int64_t n = 0;
  if (a.result && a.result->has_data())
    for (const auto& s : a.result->data().segments()) n += s.pixels();
  return n;
}

TEST_F(LpnodePayments, PaidSegmentsAreCreditedDebitedAndRedeemed) {
  // -initializeRound: the redemptions' own blocks may start a round, and nobody else is here.
  PaidNode node = start_node("paid-node", {"-initializeRound"});
  const eth::PrivateKey bkey = info().account("broadcaster").key();
  GatewaySession g = open_session(node, bkey, sender_chain());
  // GetOrchestrator: our price, ticket params for this gateway at the configured EV and face value.
  EXPECT_EQ(g.info.price_info().priceperunit(), kPrice);
  EXPECT_EQ(g.info.price_info().pixelsperunit(), 1);
  const net::TicketParams& tp = g.info.ticket_params();
  const eth::Address orch = addr("orchestrator");
  EXPECT_EQ(tp.recipient(), std::string(orch.bytes.begin(), orch.bytes.end()));
  EXPECT_EQ(num(tp.face_value()), kFace);
  EXPECT_EQ(num(tp.win_prob()), pm::win_prob_for(kEv, kFace).value());
  const pm::TicketEv ev = pm::ticket_ev(kFace, num(tp.win_prob()));

  const U256 deposit0 = deposit();
  const U256 fees0 = pending_fees();
  // Three segments, three tickets each (more than a gateway needs, so several win).
  constexpr int kSegments = 3, kPerSegment = 3;
  int64_t pixels = 0;
  for (int64_t seq = 0; seq < kSegments; ++seq) {
    GatewayAnswer a = g.post(seq, g.tickets(kPerSegment), bkey);
    ASSERT_EQ(a.status, 200) << a.text << node.process->log();
    ASSERT_TRUE(a.result && a.result->has_data()) << (a.result ? a.result->error() : "no result");
    // The answer's info carries fresh ticket params at the stream's price.
    EXPECT_EQ(a.result->info().price_info().priceperunit(), kPrice);
    EXPECT_TRUE(a.result->info().has_ticket_params());
    pixels += pixels_of(a);
  }
  ASSERT_GT(pixels, 0);
  PaymentsView v = payments_view(node.cli_port);
  ASSERT_TRUE(v.ok);
  EXPECT_EQ(v.tickets_received, kSegments * kPerSegment);
  EXPECT_EQ(v.payment_errors, 0);
  const int64_t winners = v.winning_tickets;
  ASSERT_GE(winners, 2) << "win probability 0.6 over 9 tickets";
  EXPECT_EQ(v.tickets_pending, winners);
  // The balance: exactly 9 tickets' EV less the renditions' pixels at 7 wei.
  auto credited = ev_times(ev, kSegments * kPerSegment);
  ASSERT_TRUE(credited);
  const U256 expected = credited->whole - U256(static_cast<uint64_t>(pixels * kPrice));
  EXPECT_EQ(v.balance_by_stream[g.manifest()], expected.to_dec());

  // The params expire; the node redeems every winner.
  const uint64_t expiry = *num(tp.expiration_block()).to_u64();
  if (head() < expiry) mine(expiry - head() + 1);
  ensure_initialized();
  ASSERT_TRUE(eventually([&] { return payments_view(node.cli_port).tickets_redeemed == winners; }, 120s))
      << payments_view(node.cli_port).last_redemption_error << node.process->log();
  const U256 face_total = U256::checked_mul(kFace, static_cast<uint64_t>(winners)).value();
  v = payments_view(node.cli_port);
  EXPECT_EQ(v.value_redeemed_wei, face_total.to_dec());
  EXPECT_EQ(v.tickets_failed, 0);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), face_total.to_dec());
  // The orchestrator is its only delegator: its pending fees grow by the face values (the
  // contract's fee-share arithmetic may round a few wei away).
  const U256 gained = pending_fees() - fees0;
  EXPECT_LE(gained, face_total);
  EXPECT_GE(gained + U256(1000), face_total) << gained.to_dec() << " of " << face_total.to_dec();
  // What the operator sees (lpctl chain status, with the node's own counts), then the fees
  // withdrawn to the orchestrator's account.
  Ran st = lpctl_chain(
      "status",
      {"--address", addr("orchestrator").checksummed(), "--cli-addr", "127.0.0.1:" + std::to_string(node.cli_port)},
      "chain-status");
  EXPECT_EQ(st.status, 0) << st.log;
  EXPECT_NE(st.log.find("active:           yes"), std::string::npos) << st.log;
  EXPECT_NE(st.log.find("tickets:          9 received, " + std::to_string(winners) + " won, " +
                        std::to_string(winners) + " redeemed, 0 pending, 0 failed"),
            std::string::npos)
      << st.log;
  EXPECT_NE(st.log.find("pending fees:     "), std::string::npos) << st.log;
  ensure_initialized();  // the redemptions' blocks may have reached a round boundary
  const U256 fees = pending_fees();
  const U256 eth0 = ok(chain_->rpc().get_balance(addr("orchestrator")), "balance");
  Ran wd = lpctl_chain("withdraw-fees", {"--eth-keystore-path", keystore_, "--eth-password", dir_ + "/password"},
                       "chain-withdraw");
  EXPECT_EQ(wd.status, 0) << wd.log;
  EXPECT_EQ(pending_fees(), U256(0)) << wd.log;
  const U256 eth1 = ok(chain_->rpc().get_balance(addr("orchestrator")), "balance");
  EXPECT_GT(eth1 + U256(10'000'000'000'000'000ull), eth0 + fees) << "the fees, less at most 0.01 ETH of gas";
  EXPECT_GT(eth1, eth0);
  wd = lpctl_chain("withdraw-fees", {"--eth-keystore-path", keystore_, "--eth-password", dir_ + "/password"},
                   "chain-withdraw-again");
  EXPECT_EQ(wd.status, 1);
  EXPECT_NE(wd.log.find("no pending fees"), std::string::npos) << wd.log;
  // lpctl status reads the same numbers from /status.
  Ran report = run_lpctl({"status", "--cli-addr", "127.0.0.1:" + std::to_string(node.cli_port)}, "lpctl-status");
  EXPECT_EQ(report.status, 0) << report.log;
  EXPECT_NE(report.log.find("tickets: 9 received, " + std::to_string(winners) + " won, " + std::to_string(winners) +
                            " redeemed, 0 pending, 0 failed; " + face_total.to_dec() + " wei redeemed"),
            std::string::npos)
      << report.log;
  EXPECT_NE(report.log.find("chain: block "), std::string::npos) << report.log;
  // /metrics carries go-livepeer's names.
  HttpResponse m = http_request("GET", "http://127.0.0.1:" + std::to_string(node.cli_port) + "/metrics");
  EXPECT_NE(m.body.find("lpgst_winning_tickets_recv_total " + std::to_string(winners)), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("lpgst_tickets_recv_total 9"), std::string::npos);
}

TEST_F(LpnodePayments, InitializesRoundsAndCallsRewardOncePerRound) {
  PaidNode node = start_node("duty-node", {"-reward", "-initializeRound"});
  // The round the node starts in is initialized and not rewarded yet: reward() for it first.
  const uint64_t first = ok(chain_->rounds().current_round(), "currentRound");
  ASSERT_TRUE(
      eventually([&] { return payments_view(node.cli_port).last_reward_round == static_cast<int64_t>(first); }, 60s))
      << node.process->log();
  for (int rounds = 0; rounds < 2; ++rounds) {
    // A new round that nobody else initializes (the test's mining does not): the node does (its
    // count below says so), then calls reward() for it.
    chain::RoundsManager rm = chain_->rounds();
    const uint64_t len = ok(rm.round_length(), "roundLength");
    const uint64_t start = ok(rm.current_round_start_block(), "currentRoundStartBlock");
    mine(start + len - head());
    const uint64_t round = ok(rm.current_round(), "currentRound");
    ASSERT_TRUE(eventually([&] { return ok(rm.current_round_initialized(), "initialized"); }, 60s))
        << node.process->log();
    ASSERT_TRUE(
        eventually([&] { return payments_view(node.cli_port).last_reward_round == static_cast<int64_t>(round); }, 60s))
        << node.process->log();
    EXPECT_EQ(ok(chain_->bonding().get_transcoder(addr("orchestrator")), "getTranscoder").last_reward_round, round);
  }
  // Once per round: more blocks in the same round call nothing more.
  mine(3);
  std::this_thread::sleep_for(3s);
  const PaymentsView v = payments_view(node.cli_port);
  EXPECT_EQ(v.reward_calls, 3);
  EXPECT_EQ(v.rounds_initialized, 2);
  HttpResponse m = http_request("GET", "http://127.0.0.1:" + std::to_string(node.cli_port) + "/metrics");
  EXPECT_NE(m.body.find("lpgst_reward_calls_total 3"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("lpgst_reward_call_errors_total 0"), std::string::npos);
}

TEST_F(LpnodePayments, LpctlActivatesAnOrchestratorAndCallsReward) {
  // orchestrator2 gets LPT from the deployer, as scenario.js gives the orchestrator its stake.
  const eth::Address o2 = addr("orchestrator2");
  const U256 stake = U256::checked_mul(kEther, 500).value();
  const std::vector<chain::abi::Value> transfer{chain::abi::Value::address(o2), chain::abi::Value::uint256(stake)};
  chain_->send("deployer", chain_->contract("LivepeerToken"), chain::abi::encode_call("transfer", transfer));
  const std::string keystore =
      ok(eth::write_keystore_file(dir_ + "/keystore2", info().account("orchestrator2").key(), "pw", eth::kScryptLight),
         "keystore");
  const std::vector<std::string> key_args = {"--eth-keystore-path", keystore, "--eth-password", dir_ + "/password"};

  std::vector<std::string> args = key_args;
  args.insert(args.end(), {"--stake", stake.to_dec(), "--reward-cut", "10", "--fee-share", "50", "--service-uri",
                           "https://127.0.0.1:9999"});
  Ran r = lpctl_chain("activate", args, "chain-activate");
  ASSERT_EQ(r.status, 0) << r.log;
  const chain::TranscoderInfo t = ok(chain_->bonding().get_transcoder(o2), "getTranscoder");
  EXPECT_EQ(t.reward_cut, 100000u);
  EXPECT_EQ(t.fee_share, 500000u);
  EXPECT_EQ(ok(chain_->bonding().transcoder_total_stake(o2), "stake"), stake);
  chain_->fresh_round();
  ASSERT_TRUE(ok(chain_->bonding().is_active_transcoder(o2), "active"));

  r = lpctl_chain("status", key_args, "chain-status2");
  EXPECT_EQ(r.status, 0) << r.log;
  EXPECT_NE(r.log.find("stake:            500 LPT"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("active:           yes"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("reward cut:       10%   fee share: 50%"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("service URI:      https://127.0.0.1:9999"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("tickets:          (no on-chain node answering"), std::string::npos) << r.log;

  r = lpctl_chain("reward", key_args, "chain-reward");
  EXPECT_EQ(r.status, 0) << r.log;
  EXPECT_EQ(ok(chain_->bonding().get_transcoder(o2), "getTranscoder").last_reward_round,
            ok(chain_->rounds().current_round(), "round"));
  EXPECT_GT(ok(chain_->bonding().transcoder_total_stake(o2), "stake"), stake) << "the round's reward was bonded";
  // Twice in a round: the contract refuses, and lpctl says why.
  r = lpctl_chain("reward", key_args, "chain-reward-again");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.log.find("reward"), std::string::npos) << r.log;

  // Usage mistakes.
  r = lpctl_chain("reward", {}, "chain-no-key");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.log.find("--eth-keystore-path is required"), std::string::npos) << r.log;
  r = run_lpctl({"chain", "status"}, "chain-no-url", std::chrono::seconds(30));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.log.find("--eth-url is required"), std::string::npos) << r.log;
  r = run_lpctl({"chain", "mint"}, "chain-bad-sub", std::chrono::seconds(30));
  EXPECT_EQ(r.status, 2);
}

TEST_F(LpnodePayments, BadPaymentsAndShortBalancesAreRefused) {
  PaidNode node = start_node("refusing-node");
  const eth::PrivateKey bkey = info().account("broadcaster").key();
  GatewaySession g = open_session(node, bkey, sender_chain());

  // A short balance: no tickets, price > 0 -> go-livepeer's refusal, before any transcoding.
  net::Payment no_tickets = g.tickets(1);
  no_tickets.clear_ticket_sender_params();
  GatewayAnswer a = g.post(0, no_tickets, bkey);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.text, "Insufficient balance\n");
  HttpResponse m = http_request("GET", "http://127.0.0.1:" + std::to_string(node.cli_port) + "/metrics");
  EXPECT_NE(m.body.find("lpgst_segment_transcoded_total 0"), std::string::npos) << m.body;

  // A good payment, then the same tickets again: the nonces were seen.
  const net::Payment paid = g.tickets(1);
  a = g.post(1, paid, bkey);
  ASSERT_EQ(a.status, 200) << a.text;
  a = g.post(2, paid, bkey);
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.text.find("already seen"), std::string::npos) << a.text;

  // A ticket whose signature was tampered with.
  net::Payment bad = g.tickets(1);
  std::string sig = bad.ticket_sender_params(0).sig();
  sig[10] = static_cast<char>(sig[10] ^ 0x5a);
  bad.mutable_ticket_sender_params(0)->set_sig(sig);
  a = g.post(3, bad, bkey);
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.text.find("invalid ticket signature"), std::string::npos) << a.text;

  // An unfunded sender: refused at discovery, and its tickets refused at /segment.
  const eth::PrivateKey skey = info().account("spare").key();
  auto peer = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(node.http_port));
  std::string error;
  EXPECT_FALSE(peer->discover(&skey, &error));
  EXPECT_NE(error.find("insufficient sender reserve"), std::string::npos) << error;
  net::Payment unfunded = g.tickets(1);
  const eth::Address spare = addr("spare");
  unfunded.set_sender(std::string(spare.bytes.begin(), spare.bytes.end()));
  a = g.post(4, unfunded, skey);
  EXPECT_EQ(a.status, 400) << a.text;

  // Expired params: tickets made on them after their expiration block are refused.
  const uint64_t expiry = *num(g.info.ticket_params().expiration_block()).to_u64();
  SenderChainState stale = sender_chain();
  stale.last_l1_block = 0;  // the gateway's view lags: it still makes the tickets
  g.sender->set_chain_state(stale);
  if (head() < expiry) mine(expiry - head() + 1);
  // Once the node has seen those blocks.
  ASSERT_TRUE(
      eventually([&] { return payments_view(node.cli_port).latest_block > static_cast<int64_t>(expiry); }, 30s));
  a = g.post(5, g.tickets(1), bkey);
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.text.find("expired"), std::string::npos) << a.text;
  // The node serves on.
  EXPECT_EQ(http_request("GET", "http://127.0.0.1:" + std::to_string(node.cli_port) + "/status").status, 200);
  EXPECT_GE(payments_view(node.cli_port).payment_errors, 3);
}

TEST_F(LpnodePayments, KillBetweenAWinAndItsRedemptionLosesNothing) {
  const eth::PrivateKey bkey = info().account("broadcaster").key();
  const U256 deposit0 = deposit();
  int64_t winners = 0;
  uint64_t expiry = 0;
  {
    PaidNode node = start_node("node-before-kill", {"-initializeRound"});
    GatewaySession g = open_session(node, bkey, sender_chain());
    expiry = *num(g.info.ticket_params().expiration_block()).to_u64();
    for (int64_t seq = 0; seq < 2 && winners == 0; ++seq) {
      GatewayAnswer a = g.post(seq, g.tickets(4), bkey);
      ASSERT_EQ(a.status, 200) << a.text;
      winners = payments_view(node.cli_port).winning_tickets;
    }
    ASSERT_GE(winners, 1);
    // The winners are on disk before the answer went out; the node dies before redeeming them.
    node.process->signal(SIGKILL);
    ASSERT_TRUE(node.process->wait_exit(10s));
  }
  EXPECT_EQ(deposit(), deposit0) << "nothing redeemed before the params expired";
  if (head() < expiry) mine(expiry - head() + 1);
  ensure_initialized();
  PaidNode again = start_node("node-after-kill", {"-initializeRound"});
  ASSERT_TRUE(eventually([&] { return payments_view(again.cli_port).tickets_redeemed == winners; }, 120s))
      << payments_view(again.cli_port).last_redemption_error << again.process->log();
  // Redeemed once each: the deposit paid exactly their face values, nothing failed.
  std::this_thread::sleep_for(3s);
  const PaymentsView v = payments_view(again.cli_port);
  EXPECT_EQ(v.tickets_redeemed, winners);
  EXPECT_EQ(v.tickets_failed, 0);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), U256::checked_mul(kFace, static_cast<uint64_t>(winners)).value().to_dec());
}

}  // namespace
}  // namespace lp::test
