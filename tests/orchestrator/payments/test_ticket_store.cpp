// The winning-ticket store: its schema, idempotent adds, what is redeemable when, the status
// transitions, reopening, refusing a damaged file, and a real kill -9 of a process mid-write that
// loses no acknowledged ticket and never duplicates one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "hex.h"
#include "ticket_store.h"

namespace lp::pm {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lp-tickets-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A distinct winner per n; the store checks none of the cryptography, so the bytes are arbitrary.
WinningTicket winner(uint32_t n, uint64_t expiration_block = 100) {
  WinningTicket w;
  Ticket& t = w.ticket;
  t.recipient.bytes.fill(0xaa);
  t.sender.bytes.fill(0xbb);
  t.sender.bytes[0] = static_cast<uint8_t>(n >> 8);
  t.face_value = U256(1000000000000000000ull) + U256(n);
  t.win_prob = U256::max();
  t.sender_nonce = n;
  t.recipient_rand_hash.fill(0x11);
  t.creation_round = 4000 + n;
  t.creation_round_block_hash.fill(0x22);
  w.sig.assign(65, static_cast<uint8_t>(n));
  w.sig[64] = 27;
  w.recipient_rand.fill(static_cast<uint8_t>(n * 7));
  w.expiration_block = expiration_block;
  return w;
}

Hash tx(uint8_t b) {
  Hash h;
  h.fill(b);
  return h;
}

std::unique_ptr<TicketStore> open_ok(const std::string& path) {
  auto store = TicketStore::open(path);
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(*store) : nullptr;
}

// A one-value query straight through SQLite, to see what is really on disk.
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Owned<sqlite3, sqlite3_close_v2> db(raw);
  sqlite3_stmt* st = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "<null>";
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<uint32_t> nonces(const std::vector<StoredTicket>& tickets) {
  std::vector<uint32_t> out;
  for (const auto& t : tickets) out.push_back(t.winner.ticket.sender_nonce);
  return out;
}

TEST(TicketStore, CreatesTheSchemaInWalMode) {
  TempDir tmp;
  const std::string path = tmp.path() + "/payments/tickets.db";
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->path(), path);
  EXPECT_TRUE(fs::exists(path));
  struct stat st {};
  ASSERT_EQ(stat((tmp.path() + "/payments").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(query(path, "SELECT version FROM schema_version"), std::to_string(TicketStore::kSchemaVersion));
  EXPECT_EQ(query(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query(path, "SELECT count(*) FROM winning_tickets"), "0");
  auto c = store->counts();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->pending + c->submitted + c->redeemed + c->failed, 0);
  EXPECT_TRUE(c->redeemed_face_value.is_zero());
}

TEST(TicketStore, AddIsIdempotentAndKeepsEveryField) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  const WinningTicket w = winner(7, 1234);
  auto added = store->add_winner(w);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(*added);
  auto again = store->add_winner(w);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(query(store->path(), "SELECT count(*) FROM winning_tickets"), "1");

  auto got = store->get(w.ticket.hash());
  ASSERT_TRUE(got.ok() && got->has_value());
  const StoredTicket& s = **got;
  EXPECT_EQ(s.hash, w.ticket.hash());
  EXPECT_EQ(s.winner.ticket, w.ticket);
  EXPECT_EQ(s.winner.sig, w.sig);
  EXPECT_EQ(s.winner.recipient_rand, w.recipient_rand);
  EXPECT_EQ(s.winner.expiration_block, U256(1234));
  EXPECT_EQ(s.status, TicketStatus::Pending);
  EXPECT_EQ(s.attempts, 0);
  EXPECT_FALSE(s.tx_hash || s.last_tx_hash);
  EXPECT_GT(s.created_ms, 0);

  // A replay after the ticket moved on leaves its state alone.
  ASSERT_TRUE(store->mark_submitted(w.ticket.hash(), tx(1), 50).ok());
  EXPECT_FALSE(*store->add_winner(w));
  EXPECT_EQ((*store->get(w.ticket.hash()))->status, TicketStatus::Submitted);

  EXPECT_FALSE(store->get(tx(9))->has_value());
  WinningTicket unsigned_ticket = winner(8);
  unsigned_ticket.sig.clear();
  EXPECT_FALSE(store->add_winner(unsigned_ticket).ok());
}

TEST(TicketStore, RedeemableOnceExpiredOldestFirst) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  // Insertion order 0..4 with these expiration blocks.
  const uint64_t expirations[] = {10, 5, 20, 5, 10};
  for (uint32_t n = 0; n < 5; ++n) ASSERT_TRUE(*store->add_winner(winner(n, expirations[n])));

  EXPECT_TRUE(store->redeemable(4, 100)->empty());
  EXPECT_EQ(nonces(*store->redeemable(5, 100)), (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(nonces(*store->redeemable(10, 100)), (std::vector<uint32_t>{0, 1, 3, 4}));
  EXPECT_EQ(nonces(*store->redeemable(10, 2)), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(nonces(*store->redeemable(1000, 100)), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(nonces(*store->redeemable(UINT64_MAX, 100)).size(), 5u);

  // Only pending ones.
  ASSERT_TRUE(store->mark_submitted(winner(1).ticket.hash(), tx(1), 11).ok());
  ASSERT_TRUE(store->mark_failed(winner(3).ticket.hash(), "ticket is used", true).ok());
  EXPECT_EQ(nonces(*store->redeemable(10, 100)), (std::vector<uint32_t>{0, 4}));
}

TEST(TicketStore, SubmittedFaceValuePerSender) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  // winner(n)'s sender differs for n >= 256 only: 0..2 share one sender, 256 has another.
  for (uint32_t n : {0u, 1u, 2u, 256u}) ASSERT_TRUE(*store->add_winner(winner(n)));
  const eth::Address sender = winner(0).ticket.sender, other = winner(256).ticket.sender;
  EXPECT_EQ(store->submitted_face_value(sender).value(), U256(0)) << "pending tickets are still float";
  ASSERT_TRUE(store->mark_submitted(winner(1).ticket.hash(), tx(1), 10).ok());
  ASSERT_TRUE(store->mark_submitted(winner(2).ticket.hash(), tx(2), 10).ok());
  ASSERT_TRUE(store->mark_submitted(winner(256).ticket.hash(), tx(3), 10).ok());
  EXPECT_EQ(store->submitted_face_value(sender).value(), winner(1).ticket.face_value + winner(2).ticket.face_value);
  EXPECT_EQ(store->submitted_face_value(other).value(), winner(256).ticket.face_value);
  // Redeemed or failed: no longer held back.
  ASSERT_TRUE(store->mark_redeemed(winner(1).ticket.hash(), tx(1)).ok());
  ASSERT_TRUE(store->mark_failed(winner(2).ticket.hash(), "ticket is used", true).ok());
  EXPECT_EQ(store->submitted_face_value(sender).value(), U256(0));
}

TEST(TicketStore, StatusTransitions) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  for (uint32_t n = 0; n < 4; ++n) ASSERT_TRUE(*store->add_winner(winner(n)));
  const Hash a = winner(0).ticket.hash(), b = winner(1).ticket.hash(), c = winner(2).ticket.hash();

  // pending -> submitted -> redeemed; a repeat is harmless.
  ASSERT_TRUE(store->mark_submitted(a, tx(0xa1), 200).ok());
  auto sub = store->submitted();
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(sub->size(), 1u);
  EXPECT_EQ(sub->front().tx_hash, tx(0xa1));
  EXPECT_EQ(sub->front().submitted_block, 200);
  EXPECT_EQ(store->mark_submitted(a, tx(0xa2), 201).error().code, ErrorCode::BadRequest);
  ASSERT_TRUE(store->mark_redeemed(a, tx(0xa1)).ok());
  EXPECT_TRUE(store->mark_redeemed(a, tx(0xa1)).ok());
  EXPECT_EQ((*store->get(a))->status, TicketStatus::Redeemed);
  EXPECT_EQ((*store->get(a))->tx_hash, tx(0xa1));
  EXPECT_FALSE(store->mark_submitted(a, tx(0xa3), 202).ok());
  EXPECT_FALSE(store->mark_failed(a, "late", true).ok());

  // A retryable failure: back to pending, attempts counted, the old transaction remembered.
  ASSERT_TRUE(store->mark_submitted(b, tx(0xb1), 200).ok());
  ASSERT_TRUE(store->mark_failed(b, "nonce too low", false).ok());
  auto sb = **store->get(b);
  EXPECT_EQ(sb.status, TicketStatus::Pending);
  EXPECT_EQ(sb.attempts, 1);
  EXPECT_EQ(sb.last_error, "nonce too low");
  EXPECT_FALSE(sb.tx_hash);
  EXPECT_EQ(sb.last_tx_hash, tx(0xb1));
  ASSERT_TRUE(store->mark_failed(b, "gas price spike", false).ok());  // from pending too
  EXPECT_EQ((*store->get(b))->attempts, 2);
  EXPECT_EQ(store->redeemable(1000, 10)->size(), 3u);

  // A final failure: never offered again, nothing else applies.
  ASSERT_TRUE(store->mark_failed(c, "ticket is used", true).ok());
  auto sc = **store->get(c);
  EXPECT_EQ(sc.status, TicketStatus::Failed);
  EXPECT_EQ(sc.last_error, "ticket is used");
  EXPECT_EQ(sc.attempts, 0);
  EXPECT_EQ(store->mark_submitted(c, tx(0xc1), 300).error().code, ErrorCode::BadRequest);
  EXPECT_EQ(store->mark_redeemed(c, tx(0xc1)).error().code, ErrorCode::BadRequest);
  EXPECT_EQ(store->mark_failed(c, "again", false).error().code, ErrorCode::BadRequest);
  EXPECT_EQ(nonces(*store->redeemable(1000, 10)), (std::vector<uint32_t>{1, 3}));

  // Unknown tickets.
  EXPECT_EQ(store->mark_submitted(tx(0xee), tx(1), 1).error().code, ErrorCode::NotFound);
  EXPECT_EQ(store->mark_redeemed(tx(0xee), tx(1)).error().code, ErrorCode::NotFound);
  EXPECT_EQ(store->mark_failed(tx(0xee), "x", true).error().code, ErrorCode::NotFound);

  auto counts = store->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(counts->submitted, 0);
  EXPECT_EQ(counts->redeemed, 1);
  EXPECT_EQ(counts->failed, 1);
  EXPECT_EQ(counts->redeemed_face_value, winner(0).ticket.face_value);
  EXPECT_EQ(counts->redeemed_face_value.to_dec(), "1000000000000000000");
  EXPECT_EQ(counts->unredeemed_face_value, winner(1).ticket.face_value + winner(3).ticket.face_value);
}

TEST(TicketStore, StaleSubmissionsGoBackToPending) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  for (uint32_t n = 0; n < 3; ++n) ASSERT_TRUE(*store->add_winner(winner(n)));
  ASSERT_TRUE(store->mark_submitted(winner(0).ticket.hash(), tx(0xa0), 100).ok());
  ASSERT_TRUE(store->mark_submitted(winner(1).ticket.hash(), tx(0xa1), 150).ok());
  auto reset = store->reset_stale_submissions(150);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*reset, 1);
  auto s0 = **store->get(winner(0).ticket.hash());
  EXPECT_EQ(s0.status, TicketStatus::Pending);
  EXPECT_EQ(s0.last_tx_hash, tx(0xa0));  // the redeemer must check usedTickets before resubmitting
  EXPECT_EQ(s0.attempts, 0);
  EXPECT_EQ((*store->get(winner(1).ticket.hash()))->status, TicketStatus::Submitted);
  EXPECT_EQ(*store->reset_stale_submissions(150), 0);
}

TEST(TicketStore, ReopenKeepsEverything) {
  TempDir tmp;
  const std::string path = tmp.path() + "/t.db";
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    for (uint32_t n = 0; n < 4; ++n) ASSERT_TRUE(*store->add_winner(winner(n, 10 + n)));
    ASSERT_TRUE(store->mark_submitted(winner(1).ticket.hash(), tx(1), 20).ok());
    ASSERT_TRUE(store->mark_submitted(winner(2).ticket.hash(), tx(2), 20).ok());
    ASSERT_TRUE(store->mark_redeemed(winner(2).ticket.hash(), tx(2)).ok());
    ASSERT_TRUE(store->mark_failed(winner(3).ticket.hash(), "round expired", true).ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto c = *store->counts();
  EXPECT_EQ(c.pending, 1);
  EXPECT_EQ(c.submitted, 1);
  EXPECT_EQ(c.redeemed, 1);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.redeemed_face_value, winner(2).ticket.face_value);
  auto s1 = **store->get(winner(1).ticket.hash());
  EXPECT_EQ(s1.winner.ticket, winner(1).ticket);
  EXPECT_EQ(s1.tx_hash, tx(1));
  EXPECT_EQ((*store->get(winner(3).ticket.hash()))->last_error, "round expired");
  EXPECT_FALSE(*store->add_winner(winner(0, 10)));
  EXPECT_EQ(nonces(*store->redeemable(100, 10)), (std::vector<uint32_t>{0}));
}

TEST(TicketStore, ManyThreadsAtOnce) {
  TempDir tmp;
  auto store = open_ok(tmp.path() + "/t.db");
  ASSERT_TRUE(store);
  constexpr uint32_t kThreads = 4, kEach = 24;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < kEach; ++i) {
        const uint32_t n = t * kEach + i;
        if (!store->add_winner(winner(n)).ok()) ++failures;
        if (!store->add_winner(winner(n)).ok()) ++failures;  // a replay racing nothing but itself
        if (!store->counts().ok() || !store->redeemable(1000, 5).ok()) ++failures;
        if (i % 2 && !store->mark_submitted(winner(n).ticket.hash(), tx(1), n).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = *store->counts();
  EXPECT_EQ(c.pending + c.submitted, kThreads * kEach);
  EXPECT_EQ(c.submitted, kThreads * kEach / 2);
}

TEST(TicketStore, RefusesAFileThatIsNotAStore) {
  TempDir tmp;
  const std::string garbage = tmp.path() + "/garbage.db";
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(i * 31 + 7));
  }
  auto store = TicketStore::open(garbage);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(garbage), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("not a SQLite database"), std::string::npos) << store.error().message;

  // A SQLite database of some other program is not taken over.
  const std::string foreign = tmp.path() + "/foreign.db";
  {
    sqlite3* raw = nullptr;
    sqlite3_open(foreign.c_str(), &raw);
    Owned<sqlite3, sqlite3_close_v2> db(raw);
    ASSERT_EQ(sqlite3_exec(db.get(), "CREATE TABLE songs (title TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  store = TicketStore::open(foreign);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(foreign), std::string::npos) << store.error().message;
  EXPECT_EQ(query(foreign, "SELECT count(*) FROM sqlite_master WHERE name = 'winning_tickets'"), "0");
}

TEST(TicketStore, RefusesADamagedStore) {
  TempDir tmp;
  const std::string path = tmp.path() + "/t.db";
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    for (uint32_t n = 0; n < 50; ++n) ASSERT_TRUE(*store->add_winner(winner(n)));
  }  // the last close checkpoints the WAL into the main file
  ASSERT_FALSE(fs::exists(path + "-wal") && fs::file_size(path + "-wal") > 0);
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 3 * 4096u);
  {
    // Scribble over everything after the first page (the schema stays readable).
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    for (uintmax_t i = 4096; i < size; ++i) f.put(static_cast<char>(0xff));
  }
  auto store = TicketStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

// The child: opens the store and adds winners first_nonce.., acknowledging each add on `ack_fd`
// (2n) only once add_winner() returned, and each even ticket's submission (2n + 1) likewise. Never
// returns: it is killed, or exits if something fails.
[[noreturn]] void write_until_killed(const std::string& path, uint32_t first_nonce, uint32_t count, int ack_fd) {
  auto store = TicketStore::open(path);
  if (!store) _exit(2);
  for (uint32_t n = first_nonce; n < first_nonce + count; ++n) {
    auto added = (*store)->add_winner(winner(n));
    if (!added || !*added) _exit(3);
    uint32_t ack = 2 * n;
    if (write(ack_fd, &ack, sizeof ack) != sizeof ack) _exit(4);
    if (n % 2 == 0) {
      if (!(*store)->mark_submitted(winner(n).ticket.hash(), tx(static_cast<uint8_t>(n)), n)) _exit(5);
      ack = 2 * n + 1;
      if (write(ack_fd, &ack, sizeof ack) != sizeof ack) _exit(4);
    }
  }
  for (;;) pause();
}

TEST(TicketStore, KillDashNineLosesNoAcknowledgedTicket) {
  TempDir tmp;
  const std::string path = tmp.path() + "/payments/tickets.db";
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr uint32_t kPerRun = 150;
  constexpr int kRuns = 6;
  std::map<uint32_t, bool> acked;  // nonce -> whether its submission was acknowledged too
  size_t unacked_commits_allowed = 0;

  for (int run = 0; run < kRuns; ++run) {
    const uint32_t first = static_cast<uint32_t>(run) * kPerRun;
    // Run 0 is killed before it can have acknowledged anything, maybe while making the schema.
    const uint32_t kill_after = run == 0 ? 0 : std::uniform_int_distribution<uint32_t>(0, kPerRun * 3 / 2)(rng);
    const auto extra_us = std::uniform_int_distribution<int>(0, 3000)(rng);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      write_until_killed(path, first, kPerRun, fds[1]);
    }
    close(fds[1]);
    auto take = [&](uint32_t ack) {
      const uint32_t n = ack / 2;
      if (ack % 2 == 0)
        acked.emplace(n, false);
      else
        acked[n] = true;
    };
    uint32_t seen = 0, ack = 0;
    while (seen < kill_after && read(fds[0], &ack, sizeof ack) == sizeof ack) take(ack), ++seen;
    std::this_thread::sleep_for(std::chrono::microseconds(extra_us));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    while (read(fds[0], &ack, sizeof ack) == sizeof ack) take(ack);  // written before it died
    close(fds[0]);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "run " << run << ": the writer failed by itself, status " << wstatus;
    ++unacked_commits_allowed;  // the add in flight may have committed just before the kill

    auto store = TicketStore::open(path);
    ASSERT_TRUE(store.ok()) << "run " << run << ": " << store.error().message;
    for (const auto& [n, submitted] : acked) {
      const Hash h = winner(n).ticket.hash();
      auto got = (*store)->get(h);
      ASSERT_TRUE(got.ok() && got->has_value()) << "run " << run << ": acknowledged ticket " << n << " is lost";
      EXPECT_EQ((**got).winner.ticket, winner(n).ticket);
      if (submitted) {
        EXPECT_EQ((**got).status, TicketStatus::Submitted) << "ticket " << n;
      }
      const std::string hex = eth::to_hex(h);
      EXPECT_EQ(query(path, "SELECT count(*) FROM winning_tickets WHERE hex(hash) = upper('" + hex + "')"), "1");
    }
    const auto rows = std::stoul(query(path, "SELECT count(*) FROM winning_tickets"));
    EXPECT_GE(rows, acked.size());
    EXPECT_LE(rows, acked.size() + unacked_commits_allowed);
    // The next run sees what this one left: every row of it, unacknowledged ones included.
    auto c = (*store)->counts();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(static_cast<size_t>(c->pending + c->submitted), rows);
  }
  EXPECT_GT(acked.size(), 0u);
}

}  // namespace
}  // namespace lp::pm
