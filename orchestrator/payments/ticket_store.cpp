#include "ticket_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <limits>
#include <span>

#include "hex.h"
#include "recipient_secret.h"

namespace lp::pm {
namespace {

// SQLITE_TRANSIENT without its C-style cast: SQLite copies what is bound, so temporaries may die.
const sqlite3_destructor_type kTransient = reinterpret_cast<sqlite3_destructor_type>(static_cast<intptr_t>(-1));

constexpr int kBusyTimeoutMs = 5000;

// Every column a StoredTicket is read from, in read_row()'s order.
constexpr const char* kColumns =
    "hash, recipient, sender, face_value, win_prob, sender_nonce, recipient_rand_hash, creation_round, "
    "creation_round_block_hash, sig, recipient_rand, expiration_block, status, attempts, last_error, tx_hash, "
    "submitted_block, last_tx_hash, created_ms, updated_ms";

constexpr const char* kSchema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE winning_tickets (
  hash BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
  recipient BLOB NOT NULL CHECK (length(recipient) = 20),
  sender BLOB NOT NULL CHECK (length(sender) = 20),
  face_value BLOB NOT NULL CHECK (length(face_value) = 32),
  win_prob BLOB NOT NULL CHECK (length(win_prob) = 32),
  sender_nonce INTEGER NOT NULL,
  recipient_rand_hash BLOB NOT NULL CHECK (length(recipient_rand_hash) = 32),
  creation_round INTEGER NOT NULL,
  creation_round_block_hash BLOB NOT NULL CHECK (length(creation_round_block_hash) = 32),
  sig BLOB NOT NULL,
  recipient_rand BLOB NOT NULL CHECK (length(recipient_rand) = 32),
  expiration_block INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'redeemed', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  tx_hash BLOB,
  submitted_block INTEGER,
  last_tx_hash BLOB,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX winning_tickets_by_status ON winning_tickets (status, expiration_block);
)sql";

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Block numbers are far below 2^63; clamping keeps a nonsense value from wrapping negative.
int64_t block_i64(uint64_t block) {
  return static_cast<int64_t>(std::min<uint64_t>(block, std::numeric_limits<int64_t>::max()));
}

// One prepared statement; bind failures are kept and reported by step().
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  sqlite3_stmt* get() const { return s_.get(); }

  void bind(int i, int64_t v) { keep(sqlite3_bind_int64(get(), i, v)); }
  void bind(int i, std::span<const uint8_t> b) {
    static const uint8_t kNone = 0;  // a null pointer would bind NULL, not an empty blob
    keep(sqlite3_bind_blob64(get(), i, b.empty() ? &kNone : b.data(), b.size(), kTransient));
  }
  void bind(int i, std::string_view t) {
    keep(sqlite3_bind_text64(get(), i, t.data(), t.size(), kTransient, SQLITE_UTF8));
  }
  void bind_optional(int i, const std::optional<Hash>& h) {
    if (h)
      bind(i, std::span<const uint8_t>(*h));
    else
      keep(sqlite3_bind_null(get(), i));
  }
  int step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(get()); }

  int64_t int_at(int col) const { return sqlite3_column_int64(get(), col); }
  bool null_at(int col) const { return sqlite3_column_type(get(), col) == SQLITE_NULL; }
  std::string text_at(int col) const {
    const unsigned char* t = sqlite3_column_text(get(), col);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(get(), col)))
             : std::string();
  }
  std::span<const uint8_t> blob_at(int col) const {
    const void* p = sqlite3_column_blob(get(), col);
    return {static_cast<const uint8_t*>(p), p ? static_cast<size_t>(sqlite3_column_bytes(get(), col)) : 0};
  }
  // A fixed-size blob column; false when its length is not N.
  template <size_t N>
  bool array_at(int col, std::array<uint8_t, N>* out) const {
    auto b = blob_at(col);
    if (b.size() != N) return false;
    std::copy(b.begin(), b.end(), out->begin());
    return true;
  }

 private:
  void keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  Owned<sqlite3_stmt, sqlite3_finalize> s_;
  int bind_rc_ = SQLITE_OK;
};

std::optional<TicketStatus> parse_status(std::string_view s) {
  for (auto st : {TicketStatus::Pending, TicketStatus::Submitted, TicketStatus::Redeemed, TicketStatus::Failed})
    if (s == ticket_status_name(st)) return st;
  return std::nullopt;
}

// The row Stmt is on; false (with nothing guaranteed in *out) when a column has the wrong shape.
bool read_row(const Stmt& st, StoredTicket* out) {
  Ticket& t = out->winner.ticket;
  Hash face{}, prob{};
  bool ok = st.array_at(0, &out->hash) && st.array_at(1, &t.recipient.bytes) && st.array_at(2, &t.sender.bytes) &&
            st.array_at(3, &face) && st.array_at(4, &prob) && st.array_at(6, &t.recipient_rand_hash) &&
            st.array_at(8, &t.creation_round_block_hash) && st.array_at(10, &out->winner.recipient_rand);
  if (!ok) return false;
  t.face_value = U256::from_bytes32(face);
  t.win_prob = U256::from_bytes32(prob);
  t.sender_nonce = static_cast<uint32_t>(st.int_at(5));
  t.creation_round = st.int_at(7);
  auto sig = st.blob_at(9);
  out->winner.sig.assign(sig.begin(), sig.end());
  out->winner.expiration_block = U256(static_cast<uint64_t>(std::max<int64_t>(st.int_at(11), 0)));
  auto status = parse_status(st.text_at(12));
  if (!status) return false;
  out->status = *status;
  out->attempts = st.int_at(13);
  out->last_error = st.text_at(14);
  auto optional_hash = [&](int col, std::optional<Hash>* h) {
    if (st.null_at(col)) return true;
    h->emplace();
    return st.array_at(col, &**h);
  };
  if (!optional_hash(15, &out->tx_hash) || !optional_hash(17, &out->last_tx_hash)) return false;
  out->submitted_block = st.null_at(16) ? 0 : st.int_at(16);
  out->created_ms = st.int_at(18);
  out->updated_ms = st.int_at(19);
  return true;
}

Result<void> fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{ErrorCode::Internal, "cannot open " + dir + ": " + std::strerror(errno)};
  int rc = fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Error{ErrorCode::Internal, "cannot fsync " + dir + ": " + std::strerror(err)};
  return {};
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

const char* ticket_status_name(TicketStatus status) {
  switch (status) {
    case TicketStatus::Pending: return "pending";
    case TicketStatus::Submitted: return "submitted";
    case TicketStatus::Redeemed: return "redeemed";
    case TicketStatus::Failed: return "failed";
  }
  return "unknown";
}

TicketStore::TicketStore(Owned<sqlite3, sqlite3_close_v2> db, std::string path)
    : path_(std::move(path)), db_(std::move(db)) {}

namespace {

// The connection's last error, with the path; a damaged or foreign file says so plainly.
Error sql_error(sqlite3* db, const std::string& path, std::string_view what) {
  const int rc = sqlite3_extended_errcode(db) & 0xff;
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
    return Error{ErrorCode::Internal,
                 "ticket store " + path + " is not a SQLite database or is corrupt (" + sqlite3_errmsg(db) + ")"};
  }
  return Error{ErrorCode::Internal, "ticket store " + path + ": " + std::string(what) + ": " + sqlite3_errmsg(db)};
}

Result<void> exec(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sql_error(db, path, sql);
  return {};
}

// Prepares `sql` on `db`; nullopt on failure, worded by the caller with sql_error().
std::optional<Stmt> prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  Stmt st(raw);  // owns it even on failure
  if (rc != SQLITE_OK) return std::nullopt;
  return st;
}

using Binder = std::function<void(Stmt&)>;

// SELECT every column ... `tail` (WHERE / ORDER BY / LIMIT, with parameters `bind` fills in).
Result<std::vector<StoredTicket>> select_tickets(sqlite3* db, const std::string& path, const std::string& tail,
                                                 const Binder& bind) {
  auto st = prepare(db, std::string("SELECT ") + kColumns + " FROM winning_tickets " + tail);
  if (!st) return sql_error(db, path, "preparing a query");
  bind(*st);
  std::vector<StoredTicket> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    if (!read_row(*st, &out.emplace_back())) {
      return Error{ErrorCode::Internal,
                   "ticket store " + path + ": a malformed row (hash " + eth::to_hex_0x(st->blob_at(0)) + ")"};
    }
  }
  if (rc != SQLITE_DONE) return sql_error(db, path, "reading winning tickets");
  return out;
}

// One UPDATE of the ticket `hash` (bound as ?1, the time as ?2, the rest by `bind`): whether it
// changed the row. One statement, so a crash leaves the old state or the new one.
Result<bool> update(sqlite3* db, const std::string& path, const Hash& hash, const char* sql, const Binder& bind) {
  auto st = prepare(db, sql);
  if (!st) return sql_error(db, path, "preparing an update");
  st->bind(1, std::span<const uint8_t>(hash));
  st->bind(2, now_ms());
  bind(*st);
  if (st->step() != SQLITE_DONE) return sql_error(db, path, "updating winning ticket " + eth::to_hex_0x(hash));
  return sqlite3_changes(db) > 0;
}

// Why an update changed nothing: NotFound for an unknown ticket, else BadRequest naming its state.
// `already` is the state in which the change is a harmless repeat.
Result<void> explain_unchanged(sqlite3* db, const std::string& path, const Hash& hash, std::string_view action,
                               std::optional<TicketStatus> already = std::nullopt) {
  auto st = prepare(db, "SELECT status FROM winning_tickets WHERE hash = ?1");
  if (!st) return sql_error(db, path, "preparing a query");
  st->bind(1, std::span<const uint8_t>(hash));
  int rc = st->step();
  if (rc == SQLITE_DONE) return Error{ErrorCode::NotFound, "no winning ticket " + eth::to_hex_0x(hash) + " in " + path};
  if (rc != SQLITE_ROW) return sql_error(db, path, "reading winning ticket " + eth::to_hex_0x(hash));
  const std::string status = st->text_at(0);
  if (already && status == ticket_status_name(*already)) return {};
  return Error{ErrorCode::BadRequest,
               "cannot " + std::string(action) + " winning ticket " + eth::to_hex_0x(hash) + ": it is " + status};
}

// Makes the result of an update() into the call's answer.
Result<void> settle(sqlite3* db, const std::string& path, const Hash& hash, const Result<bool>& changed,
                    std::string_view action, std::optional<TicketStatus> already = std::nullopt) {
  if (!changed) return changed.error();
  if (*changed) return {};
  return explain_unchanged(db, path, hash, action, already);
}

}  // namespace

Result<std::unique_ptr<TicketStore>> TicketStore::open(const std::string& path) {
  const std::string dir = parent_dir(path);
  if (auto made = make_private_dirs(dir); !made) return made.error();
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Owned<sqlite3, sqlite3_close_v2> owned(raw);  // a failed open still hands back a handle to close
  if (rc != SQLITE_OK) {
    return Error{ErrorCode::Internal,
                 "cannot open ticket store " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  sqlite3* db = owned.get();
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);

  // The first statement reads the header: a file that is not SQLite fails here. WAL with
  // synchronous=FULL fsyncs the log at each commit, so a returned add_winner() survives power loss.
  {
    auto mode = prepare(db, "PRAGMA journal_mode=WAL");
    if (!mode || mode->step() != SQLITE_ROW) return sql_error(db, path, "setting WAL mode");
    if (mode->text_at(0) != "wal") {
      return Error{ErrorCode::Internal,
                   "ticket store " + path + ": SQLite refused WAL mode (journal mode " + mode->text_at(0) + ")"};
    }
  }
  if (auto r = exec(db, path, "PRAGMA synchronous=FULL"); !r) return r.error();
  // A damaged page is reported now, with the path, not in the middle of a redemption. The table
  // holds winners only (thousands of rows, not millions), so this is quick.
  {
    auto check = prepare(db, "PRAGMA quick_check");
    if (!check || check->step() != SQLITE_ROW) return sql_error(db, path, "checking integrity");
    if (check->text_at(0) != "ok")
      return Error{ErrorCode::Internal, "ticket store " + path + " is corrupt: " + check->text_at(0)};
  }
  std::unique_ptr<TicketStore> store(new TicketStore(std::move(owned), path));
  if (auto r = store->init_schema(); !r) return r.error();
  // SQLite syncs the WAL's folder entry but not the database file's: do it once.
  if (auto r = fsync_dir(dir); !r) return r.error();
  return store;
}

Result<void> TicketStore::init_schema() {
  sqlite3* db = db_.get();
  if (auto r = exec(db, path_, "BEGIN IMMEDIATE"); !r) return r;
  auto fail = [db](Error e) -> Result<void> {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  int64_t n_tables = 0;
  bool has_version = false;
  {
    auto st = prepare(db, "SELECT count(*), sum(name = 'schema_version') FROM sqlite_master WHERE type = 'table'");
    if (!st || st->step() != SQLITE_ROW) return fail(sql_error(db, path_, "reading the schema"));
    n_tables = st->int_at(0);
    has_version = st->int_at(1) > 0;
  }
  if (!has_version && n_tables > 0) {
    return fail(Error{ErrorCode::Internal,
                      "ticket store " + path_ + " is a SQLite database of something else (no schema_version table)"});
  }
  if (!has_version) {
    if (auto r = exec(db, path_, kSchema); !r) return fail(r.error());
    const std::string insert = "INSERT INTO schema_version (version) VALUES (" + std::to_string(kSchemaVersion) + ")";
    if (auto r = exec(db, path_, insert.c_str()); !r) return fail(r.error());
  } else {
    auto st = prepare(db, "SELECT max(version) FROM schema_version");
    if (!st || st->step() != SQLITE_ROW) return fail(sql_error(db, path_, "reading the schema version"));
    const int64_t v = st->int_at(0);
    if (v != kSchemaVersion) {
      return fail(Error{ErrorCode::Internal, "ticket store " + path_ + " has schema version " + std::to_string(v) +
                                                 "; this lpgst reads version " + std::to_string(kSchemaVersion)});
    }
  }
  if (auto r = exec(db, path_, "COMMIT"); !r) return fail(r.error());
  return {};
}

Result<bool> TicketStore::add_winner(const WinningTicket& w) {
  if (w.sig.empty()) return Error{ErrorCode::BadRequest, "a winning ticket without a signature"};
  auto expiration = w.expiration_block.to_u64();
  if (!expiration || *expiration > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return Error{ErrorCode::BadRequest, "a ticket expiration block over 2^63: " + w.expiration_block.to_dec()};
  const Ticket& t = w.ticket;
  const Hash hash = t.hash();
  const auto face = t.face_value.to_bytes32();
  const auto prob = t.win_prob.to_bytes32();
  std::lock_guard lock(mutex_);
  sqlite3* db = db_.get();
  // ON CONFLICT DO NOTHING: a replayed winner is not a second row and its stored state stays.
  auto st = prepare(db,
                    "INSERT INTO winning_tickets (hash, recipient, sender, face_value, win_prob, sender_nonce, "
                    "recipient_rand_hash, creation_round, creation_round_block_hash, sig, recipient_rand, "
                    "expiration_block, status, created_ms, updated_ms) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13, ?13) "
                    "ON CONFLICT (hash) DO NOTHING");
  if (!st) return sql_error(db, path_, "preparing the insert");
  st->bind(1, std::span<const uint8_t>(hash));
  st->bind(2, std::span<const uint8_t>(t.recipient.bytes));
  st->bind(3, std::span<const uint8_t>(t.sender.bytes));
  st->bind(4, std::span<const uint8_t>(face));
  st->bind(5, std::span<const uint8_t>(prob));
  st->bind(6, static_cast<int64_t>(t.sender_nonce));
  st->bind(7, std::span<const uint8_t>(t.recipient_rand_hash));
  st->bind(8, t.creation_round);
  st->bind(9, std::span<const uint8_t>(t.creation_round_block_hash));
  st->bind(10, std::span<const uint8_t>(w.sig));
  st->bind(11, std::span<const uint8_t>(w.recipient_rand));
  st->bind(12, static_cast<int64_t>(*expiration));
  st->bind(13, now_ms());
  if (st->step() != SQLITE_DONE) return sql_error(db, path_, "storing winning ticket " + eth::to_hex_0x(hash));
  return sqlite3_changes(db) == 1;
}

Result<std::vector<StoredTicket>> TicketStore::redeemable(uint64_t latest_block, size_t limit) {
  std::lock_guard lock(mutex_);
  // rowid order is insertion order: nothing is ever deleted.
  return select_tickets(db_.get(), path_, "WHERE status = 'pending' AND expiration_block <= ?1 ORDER BY rowid LIMIT ?2",
                        [&](Stmt& st) {
                          st.bind(1, block_i64(latest_block));
                          st.bind(2, static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)));
                        });
}

Result<std::vector<StoredTicket>> TicketStore::submitted() {
  std::lock_guard lock(mutex_);
  return select_tickets(db_.get(), path_, "WHERE status = 'submitted' ORDER BY submitted_block, rowid", [](Stmt&) {});
}

Result<std::optional<StoredTicket>> TicketStore::get(const Hash& hash) {
  std::lock_guard lock(mutex_);
  auto rows = select_tickets(db_.get(), path_, "WHERE hash = ?1",
                             [&](Stmt& st) { st.bind(1, std::span<const uint8_t>(hash)); });
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<StoredTicket>();
  return std::optional<StoredTicket>(std::move(rows->front()));
}

Result<void> TicketStore::mark_submitted(const Hash& hash, const Hash& tx_hash, uint64_t block) {
  std::lock_guard lock(mutex_);
  auto changed = update(db_.get(), path_, hash,
                        "UPDATE winning_tickets SET status = 'submitted', tx_hash = ?3, submitted_block = ?4, "
                        "updated_ms = ?2 WHERE hash = ?1 AND status = 'pending'",
                        [&](Stmt& st) {
                          st.bind(3, std::span<const uint8_t>(tx_hash));
                          st.bind(4, block_i64(block));
                        });
  return settle(db_.get(), path_, hash, changed, "submit");
}

Result<void> TicketStore::mark_redeemed(const Hash& hash, const Hash& tx_hash) {
  std::lock_guard lock(mutex_);
  auto changed = update(db_.get(), path_, hash,
                        "UPDATE winning_tickets SET status = 'redeemed', tx_hash = ?3, updated_ms = ?2 "
                        "WHERE hash = ?1 AND status IN ('pending', 'submitted')",
                        [&](Stmt& st) { st.bind(3, std::span<const uint8_t>(tx_hash)); });
  return settle(db_.get(), path_, hash, changed, "mark redeemed", TicketStatus::Redeemed);
}

Result<void> TicketStore::mark_failed(const Hash& hash, std::string_view reason, bool final) {
  std::lock_guard lock(mutex_);
  // A retryable failure keeps the transaction hash as last_tx_hash: if it was sent it may yet be
  // mined, so the redeemer checks usedTickets before trying again.
  const char* sql = final ? "UPDATE winning_tickets SET status = 'failed', last_error = ?3, updated_ms = ?2 "
                            "WHERE hash = ?1 AND status IN ('pending', 'submitted')"
                          : "UPDATE winning_tickets SET status = 'pending', attempts = attempts + 1, last_error = ?3, "
                            "last_tx_hash = coalesce(tx_hash, last_tx_hash), tx_hash = NULL, submitted_block = NULL, "
                            "updated_ms = ?2 WHERE hash = ?1 AND status IN ('pending', 'submitted')";
  auto changed = update(db_.get(), path_, hash, sql, [&](Stmt& st) { st.bind(3, reason); });
  return settle(db_.get(), path_, hash, changed, "mark failed");
}

Result<int64_t> TicketStore::reset_stale_submissions(uint64_t before_block) {
  std::lock_guard lock(mutex_);
  sqlite3* db = db_.get();
  auto st = prepare(db,
                    "UPDATE winning_tickets SET status = 'pending', last_tx_hash = tx_hash, tx_hash = NULL, "
                    "submitted_block = NULL, updated_ms = ?2 WHERE status = 'submitted' AND submitted_block < ?1");
  if (!st) return sql_error(db, path_, "preparing an update");
  st->bind(1, block_i64(before_block));
  st->bind(2, now_ms());
  if (st->step() != SQLITE_DONE) return sql_error(db, path_, "resetting stale submissions");
  return static_cast<int64_t>(sqlite3_changes(db));
}

Result<U256> TicketStore::submitted_face_value(const eth::Address& sender) {
  std::lock_guard lock(mutex_);
  sqlite3* db = db_.get();
  auto st = prepare(db, "SELECT face_value FROM winning_tickets WHERE sender = ?1 AND status = 'submitted'");
  if (!st) return sql_error(db, path_, "preparing a query");
  st->bind(1, std::span<const uint8_t>(sender.bytes));
  U256 sum;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    Hash face{};
    if (!st->array_at(0, &face)) return Error{ErrorCode::Internal, "ticket store " + path_ + ": a malformed row"};
    sum = U256::checked_add(sum, U256::from_bytes32(face)).value_or(U256::max());
  }
  if (rc != SQLITE_DONE) return sql_error(db, path_, "summing submitted face values");
  return sum;
}

Result<TicketCounts> TicketStore::counts() {
  std::lock_guard lock(mutex_);
  sqlite3* db = db_.get();
  TicketCounts c;
  // Summed on each call rather than kept as a running total: one source of truth, and winners are
  // few enough for a scan.
  auto st = prepare(db, "SELECT status, face_value FROM winning_tickets");
  if (!st) return sql_error(db, path_, "preparing a query");
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    auto status = parse_status(st->text_at(0));
    Hash face{};
    if (!status || !st->array_at(1, &face))
      return Error{ErrorCode::Internal, "ticket store " + path_ + ": a malformed row"};
    U256* sum = nullptr;
    switch (*status) {
      case TicketStatus::Pending:
        ++c.pending;
        sum = &c.unredeemed_face_value;
        break;
      case TicketStatus::Submitted:
        ++c.submitted;
        sum = &c.unredeemed_face_value;
        break;
      case TicketStatus::Redeemed:
        ++c.redeemed;
        sum = &c.redeemed_face_value;
        break;
      case TicketStatus::Failed: ++c.failed; break;
    }
    // Saturates: 2^256 wei cannot be reached, but a wrapped total would be a wrong number.
    if (sum) *sum = U256::checked_add(*sum, U256::from_bytes32(face)).value_or(U256::max());
  }
  if (rc != SQLITE_DONE) return sql_error(db, path_, "counting winning tickets");
  return c;
}

}  // namespace lp::pm
