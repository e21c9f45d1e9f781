// TicketRedeemer against the real TicketBroker on the lpchain devnet (tests/support/devnet.h),
// started once for this binary: the orchestrator account bonds and becomes active, the broadcaster
// funds a deposit and reserve (as ../shared/lpchain/scenario.js does), then winning tickets signed
// by the broadcaster go through the store and the redeemer. Checked on chain: each ticket redeemed
// once, the fees and the deposit moving by the face values, no transaction where none is due
// (used, bad signature, face value under the cost), and simulated crashes (a redeemer stopped
// mid-flight, the store reopened, a new redeemer) that neither lose a ticket nor pay it twice.
#include <glib.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "abi.h"
#include "contracts.h"
#include "devnet.h"
#include "eth_rpc.h"
#include "hex.h"
#include "recipient_rand.h"
#include "ticket_redeemer.h"
#include "ticket_store.h"
#include "transaction.h"
#include "tx_sender.h"

namespace lp::pm {
namespace {

namespace abi = chain::abi;
namespace fs = std::filesystem;
using chain::TxRequest;
using chain::TxSender;

const U256 kEther = U256(1'000'000'000'000'000'000ull);
const U256 kFace = U256(100'000'000'000'000'000ull);  // 0.1 ETH, as scenario.js
const U256 kBond = U256::checked_mul(kEther, 1000).value();

U256 times(const U256& v, uint64_t n) { return U256::checked_mul(v, n).value(); }

template <typename T>
T ok(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

TEST(RevertClassification, ContractReasons) {
  for (const char* r :
       {"ticket is used", "ticket is expired", "invalid signature over ticket hash", "ECDSA: invalid signature",
        "INVALID_SIGNATURE_LENGTH", "ticket did not win", "recipientRand does not match recipientRandHash",
        "invalid length for ticket auxData: must be 64 bytes",
        "ticket creationRoundBlockHash invalid for creationRound"}) {
    EXPECT_EQ(classify_revert(r), RevertClass::Final) << r;
  }
  EXPECT_EQ(classify_revert("current round is not initialized"), RevertClass::Wait);
  EXPECT_EQ(classify_revert("system is paused"), RevertClass::Wait);
  for (const char* r : {"sender is unlocked", "sender deposit and reserve are zero", "transcoder must be registered",
                        "no reason given (boom)", "ticket is used!"}) {
    EXPECT_EQ(classify_revert(r), RevertClass::Retry) << r;
  }
}

class RedeemerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::lpchain_source().empty()) return;
    const gint64 t0 = g_get_monotonic_time();
    auto started = test::Devnet::start();
    if (!started) {
      setup_error_ = started.error().message;
      return;
    }
    devnet_ = std::move(*started);
    rpc_ = std::make_unique<chain::EthRpc>(info().rpc_url);
    try {
      prepare_chain();
    } catch (const std::exception& e) {
      setup_error_ = std::string("preparing the chain: ") + e.what();
    }
    g_print("devnet ready in %.1f s at %s (%s)\n", (g_get_monotonic_time() - t0) / 1e6, info().rpc_url.c_str(),
            devnet_->dir().c_str());
  }
  static void TearDownTestSuite() {
    rpc_.reset();
    devnet_.reset();
  }

  void SetUp() override {
    if (test::lpchain_source().empty()) GTEST_SKIP() << test::kNoLpchain;
    ASSERT_TRUE(devnet_ && setup_error_.empty()) << "the devnet is not ready: " << setup_error_;
    orch_key_ = std::make_unique<eth::PrivateKey>(info().account("orchestrator").key());
    std::string tmpl = (fs::temp_directory_path() / "lp-redeemer-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(tmpl.data()));
    dir_ = tmpl;
    reopen_store();
    ASSERT_NO_THROW(fresh_round());  // ~48 blocks of initialized round: no test crosses a boundary
  }
  void TearDown() override {
    if (rpc_) (void)rpc_->request("evm_setAutomine", "[true]");
    if (HasFailure() && devnet_) ADD_FAILURE() << "node log (" << devnet_->dir() << "):\n" << devnet_->node_log_tail();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static const test::DevnetInfo& info() { return devnet_->info(); }
  static eth::Address addr(const char* role) { return info().account(role).address; }
  static const eth::Address& contract(const char* name) { return info().contract(name); }

  static chain::Receipt send(const char* role, const eth::Address& to, chain::Bytes data, U256 value = U256()) {
    const eth::PrivateKey key = info().account(role).key();
    TxSender sender(*rpc_, key);
    return ok(sender.send_and_wait(TxRequest{to, value, std::move(data), std::nullopt}),
              (std::string(role) + " transaction").c_str());
  }
  static void mine(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) ok(rpc_->request("evm_mine", "[]"), "evm_mine");
  }
  static chain::RoundsManager rounds() { return chain::RoundsManager(*rpc_, contract("RoundsManager")); }
  // Initializes the current round if nobody has (a transaction lands in the next block: when that
  // one starts a new round, mine it first).
  static void ensure_initialized() {
    chain::RoundsManager rm = rounds();
    const uint64_t len = ok(rm.round_length(), "roundLength");
    const uint64_t start = ok(rm.current_round_start_block(), "currentRoundStartBlock");
    if (ok(rpc_->block_number(), "blockNumber") + 1 >= start + len) mine(1);
    if (ok(rm.current_round_initialized(), "currentRoundInitialized")) return;
    send("deployer", rm.address(), abi::encode_call("initializeRound", {}));
  }
  // Mines to the first block of the next round and initializes it.
  static void fresh_round() {
    chain::RoundsManager rm = rounds();
    const uint64_t len = ok(rm.round_length(), "roundLength");
    const uint64_t start = ok(rm.current_round_start_block(), "currentRoundStartBlock");
    const uint64_t head = ok(rpc_->block_number(), "blockNumber");
    mine(start + len > head ? start + len - head : 0);
    ensure_initialized();
  }
  // scenario.js (a) and (b): approve, bond to self, transcoder(10%, 50%), active next round; the
  // broadcaster's deposit and reserve.
  static void prepare_chain() {
    fresh_round();
    const eth::Address orch = addr("orchestrator");
    const eth::Address bm = contract("BondingManager");
    const std::vector<abi::Value> approve{abi::Value::address(bm), abi::Value::uint256(kBond)};
    send("orchestrator", contract("LivepeerToken"), abi::encode_call("approve", approve));
    const std::vector<abi::Value> bond{abi::Value::uint256(kBond), abi::Value::address(orch)};
    send("orchestrator", bm, abi::encode_call("bond", bond));
    const std::vector<abi::Value> params{abi::Value::uint256(100000), abi::Value::uint256(500000)};
    send("orchestrator", bm, abi::encode_call("transcoder", params));
    fresh_round();
    if (!ok(chain::BondingManager(*rpc_, bm).is_active_transcoder(orch), "isActiveTranscoder")) {
      throw std::runtime_error("the orchestrator is not active after bonding");
    }
    const U256 deposit = times(kEther, 2), reserve = kEther;
    const std::vector<abi::Value> amounts{abi::Value::uint256(deposit), abi::Value::uint256(reserve)};
    send("broadcaster", contract("TicketBroker"), abi::encode_call("fundDepositAndReserve", amounts),
         deposit + reserve);
  }

  void reopen_store() {
    store_.reset();
    auto s = TicketStore::open(dir_ + "/tickets.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }

  // A winning ticket (winProb max) from the broadcaster to the orchestrator, created in the last
  // initialized round, signed by `signer` (the broadcaster by default).
  static WinningTicket winner(const U256& face, const char* signer = "broadcaster", uint64_t expires_in = 0) {
    chain::RoundsManager rm = rounds();
    WinningTicket w;
    Ticket& t = w.ticket;
    t.recipient = addr("orchestrator");
    t.sender = addr("broadcaster");
    t.face_value = face;
    t.win_prob = kMaxWinProb;
    t.sender_nonce = next_nonce_++;
    t.creation_round = static_cast<int64_t>(ok(rm.last_initialized_round(), "lastInitializedRound"));
    t.creation_round_block_hash = ok(rm.block_hash_for_round(static_cast<uint64_t>(t.creation_round)), "blockHash");
    for (auto& b : w.recipient_rand) b = static_cast<uint8_t>(g_random_int());
    t.recipient_rand_hash = recipient_rand_hash(w.recipient_rand);
    const eth::PrivateKey key = info().account(signer).key();
    const eth::Signature sig = sign_ticket(key, t);
    w.sig.assign(sig.bytes().begin(), sig.bytes().end());
    w.expiration_block = ok(rpc_->block_number(), "blockNumber") + expires_in;
    return w;
  }
  Hash add(const WinningTicket& w) {
    auto added = store_->add_winner(w);
    EXPECT_TRUE(added && *added) << (added ? "a replay" : added.error().message);
    return w.ticket.hash();
  }
  StoredTicket get(const Hash& h) {
    auto t = store_->get(h);
    if (!t || !*t) throw std::runtime_error("ticket not in the store");
    return **t;
  }

  RedeemerOptions options() const {
    RedeemerOptions o;
    o.rpc_url = info().rpc_url;
    o.ticket_broker = contract("TicketBroker");
    o.bonding_manager = contract("BondingManager");
    o.tick_interval = std::chrono::milliseconds(300);
    o.stale_blocks = 3;
    o.receipt_wait = std::chrono::milliseconds(60000);  // stop() must not wait for it
    o.poll_interval = std::chrono::milliseconds(100);
    o.retry_delay = std::chrono::milliseconds(200);
    return o;
  }
  std::unique_ptr<TicketRedeemer> start_redeemer() {
    auto r = std::make_unique<TicketRedeemer>(*store_, *orch_key_, options());
    r->start();
    r->on_new_block(ok(rpc_->block_number(), "blockNumber"));
    return r;
  }
  static bool eventually(const std::function<bool()>& cond, int seconds = 60) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return cond();
  }
  bool status_is(const Hash& h, TicketStatus s) {
    return eventually([&] { return get(h).status == s; });
  }

  static U256 deposit() {
    return ok(chain::TicketBroker(*rpc_, contract("TicketBroker")).get_sender_info(addr("broadcaster")), "senderInfo")
        .deposit;
  }
  static U256 pending_fees() {
    const uint64_t round = ok(rounds().current_round(), "currentRound");
    return ok(chain::BondingManager(*rpc_, contract("BondingManager")).pending_fees(addr("orchestrator"), round),
              "pendingFees");
  }
  static uint64_t orch_nonce(const chain::BlockId& at = chain::BlockId::latest()) {
    return ok(rpc_->get_transaction_count(addr("orchestrator"), at), "nonce");
  }
  static bool used(const Hash& h) {
    return ok(chain::TicketBroker(*rpc_, contract("TicketBroker")).used_tickets(h), "usedTickets");
  }
  // The redemption mined for ticket `h` by transaction `tx`: sent by the orchestrator, succeeded.
  static void expect_redeemed_by(const Hash& tx) {
    auto receipt = ok(rpc_->get_transaction_receipt(tx), "receipt");
    ASSERT_TRUE(receipt) << eth::to_hex_0x(tx) << " not mined";
    EXPECT_TRUE(receipt->status);
    EXPECT_EQ(receipt->from, addr("orchestrator"));
    EXPECT_EQ(receipt->to, contract("TicketBroker"));
  }

  static inline std::unique_ptr<test::Devnet> devnet_;
  static inline std::unique_ptr<chain::EthRpc> rpc_;
  static inline std::string setup_error_;
  static inline uint32_t next_nonce_ = 1;
  std::unique_ptr<eth::PrivateKey> orch_key_;
  std::string dir_;
  std::unique_ptr<TicketStore> store_;
};

TEST_F(RedeemerTest, RedeemsEachWinnerOnceAndThePaymentArrives) {
  std::vector<Hash> due;
  for (int i = 0; i < 3; ++i) due.push_back(add(winner(kFace)));
  const Hash later = add(winner(kFace, "broadcaster", 10));  // params expire 10 blocks from now
  const U256 deposit0 = deposit(), fees0 = pending_fees();
  const uint64_t nonce0 = orch_nonce();

  auto redeemer = start_redeemer();
  for (const Hash& h : due) ASSERT_TRUE(status_is(h, TicketStatus::Redeemed)) << redeemer->stats().last_error;
  StoredTicket waiting = get(later);
  EXPECT_EQ(waiting.status, TicketStatus::Pending) << "redeemed before its params expired";
  EXPECT_EQ(waiting.attempts, 0);

  const U256 paid = times(kFace, 3);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), paid.to_dec());
  const U256 fees = pending_fees() - fees0;  // the orchestrator is its only delegator: all of it
  EXPECT_LE(fees, paid);
  EXPECT_LE(paid - fees, U256(1000)) << "pendingFees grew by " << fees.to_dec();
  EXPECT_EQ(orch_nonce(), nonce0 + 3) << "one transaction per ticket";
  for (const Hash& h : due) {
    EXPECT_TRUE(used(h));
    StoredTicket t = get(h);
    ASSERT_TRUE(t.tx_hash);
    expect_redeemed_by(*t.tx_hash);
  }
  RedeemerStats s = redeemer->stats();
  EXPECT_EQ(s.redeemed, 3u);
  EXPECT_EQ(s.transactions_sent, 3u);
  EXPECT_EQ(s.redeemed_face_value, paid);
  EXPECT_EQ(s.failed_final + s.failed_retryable, 0u) << s.last_error;

  // Its params expire: then it goes too.
  mine(10);
  redeemer->on_new_block(ok(rpc_->block_number(), "blockNumber"));
  ASSERT_TRUE(status_is(later, TicketStatus::Redeemed)) << redeemer->stats().last_error;
  EXPECT_EQ(orch_nonce(), nonce0 + 4);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), times(kFace, 4).to_dec());
  auto counts = store_->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->redeemed, 4);
  EXPECT_EQ(counts->redeemed_face_value, times(kFace, 4));
}

TEST_F(RedeemerTest, TicketRedeemedBySomeoneElseFailsWithoutATransaction) {
  const WinningTicket w = winner(kFace);
  const Hash h = add(w);
  // Anyone may submit a winning ticket (the recipient is paid either way).
  send("spare", contract("TicketBroker"), redeem_winning_ticket_call(w));
  ASSERT_TRUE(used(h));
  const uint64_t nonce0 = orch_nonce();

  auto redeemer = start_redeemer();
  ASSERT_TRUE(status_is(h, TicketStatus::Failed));
  EXPECT_EQ(get(h).last_error, "ticket already used");
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0);
  EXPECT_EQ(redeemer->stats().transactions_sent, 0u);
  EXPECT_EQ(redeemer->stats().failed_final, 1u);
}

TEST_F(RedeemerTest, BadTicketsFailForGoodWithTheContractsReason) {
  const Hash forged = add(winner(kFace, "spare"));  // signed by someone other than the sender
  WinningTicket w = winner(kFace);
  w.recipient_rand[0] ^= 1;  // not the preimage of the ticket's recipientRandHash
  const Hash wrong_rand = add(w);
  const uint64_t nonce0 = orch_nonce();
  const U256 deposit0 = deposit();

  auto redeemer = start_redeemer();
  ASSERT_TRUE(status_is(forged, TicketStatus::Failed));
  EXPECT_EQ(get(forged).last_error, "invalid signature over ticket hash");
  ASSERT_TRUE(status_is(wrong_rand, TicketStatus::Failed));
  EXPECT_EQ(get(wrong_rand).last_error, "recipientRand does not match recipientRandHash");
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0) << "a dry run reverts: nothing is sent";
  EXPECT_EQ(deposit(), deposit0);
  EXPECT_EQ(redeemer->stats().failed_final, 2u);
}

TEST_F(RedeemerTest, FaceValueBelowTheTransactionCostStaysPending) {
  const Hash h = add(winner(U256(1000)));  // 1000 wei: far below ~300k gas at any gas price
  const uint64_t nonce0 = orch_nonce();
  auto redeemer = start_redeemer();
  ASSERT_TRUE(eventually([&] { return redeemer->stats().deferred >= 3; })) << redeemer->stats().last_error;
  StoredTicket t = get(h);
  EXPECT_EQ(t.status, TicketStatus::Pending);
  EXPECT_EQ(t.attempts, 0) << "a wait is not a failure";
  EXPECT_NE(redeemer->stats().last_error.find("does not cover the redemption's cost"), std::string::npos)
      << redeemer->stats().last_error;
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0);
  EXPECT_FALSE(used(h));
}

// kill -9 after the transaction went out, before its receipt: the node keeps it in its mempool
// (automine off), the redeemer is stopped while it waits, the store is reopened, and a new redeemer
// finds the receipt once the block is mined. One transaction, one payment.
TEST_F(RedeemerTest, CrashBetweenSendAndReceiptRedeemsOnce) {
  const Hash h = add(winner(kFace));
  const U256 deposit0 = deposit();
  const uint64_t nonce0 = orch_nonce();
  ASSERT_TRUE(rpc_->request("evm_setAutomine", "[false]"));

  auto first = start_redeemer();
  ASSERT_TRUE(eventually([&] { return orch_nonce(chain::BlockId::pending()) == nonce0 + 1; }))
      << first->stats().last_error;
  StoredTicket sent = get(h);
  ASSERT_EQ(sent.status, TicketStatus::Submitted);
  ASSERT_TRUE(sent.tx_hash);
  const auto t0 = std::chrono::steady_clock::now();
  first.reset();  // stop() while it waits for the receipt
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "stop() waited for the receipt";
  reopen_store();
  EXPECT_EQ(get(h).status, TicketStatus::Submitted);

  auto second = start_redeemer();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // a few passes with the tx unmined
  EXPECT_EQ(get(h).status, TicketStatus::Submitted);
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0 + 1) << "sent again while the first was pending";
  ASSERT_TRUE(rpc_->request("evm_setAutomine", "[true]"));
  mine(1);
  second->on_new_block(ok(rpc_->block_number(), "blockNumber"));
  ASSERT_TRUE(status_is(h, TicketStatus::Redeemed)) << second->stats().last_error;
  EXPECT_EQ(get(h).tx_hash, sent.tx_hash);
  expect_redeemed_by(*sent.tx_hash);
  EXPECT_EQ(orch_nonce(), nonce0 + 1);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), kFace.to_dec());
  EXPECT_EQ(second->stats().transactions_sent, 0u);
  EXPECT_EQ(second->stats().redeemed, 1u);
}

// Someone else's redemption of the same ticket, paying a higher tip, is mined in the same block just
// before ours: our transaction reverts, the reason is read back at that block ("ticket is used"), and
// the ticket fails for good. The deposit moves once.
TEST_F(RedeemerTest, LosingARaceInTheSameBlockIsFinal) {
  const WinningTicket w = winner(kFace);
  const Hash h = add(w);
  const U256 deposit0 = deposit();
  const uint64_t nonce0 = orch_nonce();
  ASSERT_TRUE(rpc_->request("evm_setAutomine", "[false]"));
  auto redeemer = start_redeemer();
  ASSERT_TRUE(eventually([&] { return orch_nonce(chain::BlockId::pending()) == nonce0 + 1; }))
      << redeemer->stats().last_error;

  const eth::PrivateKey spare = info().account("spare").key();
  chain::Eip1559Tx tx;
  tx.chain_id = info().chain_id;
  tx.nonce = ok(rpc_->get_transaction_count(spare.address(), chain::BlockId::pending()), "nonce");
  tx.max_priority_fee_per_gas = times(U256(1'000'000'000), 100);
  tx.max_fee_per_gas = times(U256(1'000'000'000), 200);
  tx.gas = 1'000'000;
  tx.to = contract("TicketBroker");
  tx.data = redeem_winning_ticket_call(w);
  const chain::SignedTx theirs = chain::sign(tx, spare);
  ASSERT_TRUE(rpc_->send_raw_transaction(theirs.raw));
  ASSERT_TRUE(rpc_->request("evm_setAutomine", "[true]"));
  mine(1);

  ASSERT_TRUE(status_is(h, TicketStatus::Failed)) << redeemer->stats().last_error;
  const StoredTicket t = get(h);
  EXPECT_EQ(t.last_error, "ticket is used");
  auto their_receipt = ok(rpc_->get_transaction_receipt(theirs.hash), "receipt");
  ASSERT_TRUE(their_receipt);
  EXPECT_TRUE(their_receipt->status);
  ASSERT_TRUE(t.last_tx_hash || t.tx_hash);
  auto our_receipt = ok(rpc_->get_transaction_receipt(t.last_tx_hash ? *t.last_tx_hash : *t.tx_hash), "receipt");
  ASSERT_TRUE(our_receipt);
  EXPECT_FALSE(our_receipt->status);
  EXPECT_EQ(our_receipt->block_number, their_receipt->block_number);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), kFace.to_dec());
  EXPECT_EQ(orch_nonce(), nonce0 + 1);
  EXPECT_EQ(redeemer->stats().redeemed, 0u);
  EXPECT_EQ(redeemer->stats().failed_final, 1u);
}

// kill -9 between mark_submitted() and sending: the store names a transaction nobody ever saw. It
// stays Submitted until stale, then goes out once.
TEST_F(RedeemerTest, CrashBeforeSendResubmitsOnceStale) {
  const Hash h = add(winner(kFace));
  Hash never_sent;
  for (auto& b : never_sent) b = static_cast<uint8_t>(g_random_int());
  const uint64_t head = ok(rpc_->block_number(), "blockNumber");
  ASSERT_TRUE(store_->mark_submitted(h, never_sent, head));
  reopen_store();
  const U256 deposit0 = deposit();
  const uint64_t nonce0 = orch_nonce();

  auto redeemer = start_redeemer();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(get(h).status, TicketStatus::Submitted) << "reset before it was stale";
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0);
  mine(options().stale_blocks + 1);
  redeemer->on_new_block(ok(rpc_->block_number(), "blockNumber"));
  ASSERT_TRUE(status_is(h, TicketStatus::Redeemed)) << redeemer->stats().last_error;
  StoredTicket t = get(h);
  ASSERT_TRUE(t.tx_hash);
  EXPECT_NE(*t.tx_hash, never_sent);
  EXPECT_EQ(t.last_tx_hash, never_sent);
  expect_redeemed_by(*t.tx_hash);
  EXPECT_EQ(orch_nonce(), nonce0 + 1);
  EXPECT_EQ((deposit0 - deposit()).to_dec(), kFace.to_dec());
}

// Our transaction was mined, but the crash came before the receipt was recorded and the submission
// has since been reset as stale: usedTickets is set and last_tx_hash is ours, so it is Redeemed
// with that transaction and nothing more is sent.
TEST_F(RedeemerTest, MinedButUnrecordedRedemptionIsRecognisedAsOurs) {
  const WinningTicket w = winner(kFace);
  const Hash h = add(w);
  const chain::Receipt mined = send("orchestrator", contract("TicketBroker"), redeem_winning_ticket_call(w));
  ASSERT_TRUE(store_->mark_submitted(h, mined.transaction_hash, mined.block_number - 1));
  auto reset = store_->reset_stale_submissions(mined.block_number + 1000);
  ASSERT_TRUE(reset && *reset == 1);
  reopen_store();
  ASSERT_EQ(get(h).status, TicketStatus::Pending);
  const uint64_t nonce0 = orch_nonce();

  auto redeemer = start_redeemer();
  ASSERT_TRUE(status_is(h, TicketStatus::Redeemed)) << redeemer->stats().last_error;
  EXPECT_EQ(get(h).tx_hash, mined.transaction_hash);
  EXPECT_EQ(orch_nonce(chain::BlockId::pending()), nonce0);
  EXPECT_EQ(redeemer->stats().transactions_sent, 0u);
  EXPECT_EQ(redeemer->stats().redeemed, 1u);
}

}  // namespace
}  // namespace lp::pm
