// The orchestrator's durable record of its winning tickets (issue 17, "Winning tickets are never
// lost"; go-livepeer keeps them in its SQLite db too, pm/queue.go and common/db.go). A winner is
// written here, committed and fsynced, before the segment's answer goes out; the redemption queue
// then drives each one pending -> submitted -> redeemed (or failed) and reads the totals that
// /status and /metrics show.
//
// One SQLite file in WAL mode with synchronous=FULL: once add_winner() returns, the row survives a
// kill -9 and a power cut. Every change is one statement, so a crash leaves each ticket in the
// state before or after that change, never in between.
//
// Never redeeming one twice is the redeemer's part, in this order:
//   1. sign the redeemWinningTicket transaction (its hash is then known), mark_submitted(), and only
//      then send it: after a crash a ticket that may have been sent is `submitted`, never `pending`;
//   2. for `submitted` tickets, look up the transaction's receipt: mined and successful ->
//      mark_redeemed(); reverted -> mark_failed();
//   3. reset_stale_submissions() puts tickets whose transaction never showed up back to `pending`,
//      keeping that hash in last_tx_hash. Such a transaction may still be mined later (it can sit in
//      a mempool), so before submitting a ticket with last_tx_hash set the redeemer must check
//      TicketBroker.usedTickets(hash) and mark_redeemed() instead if it is used. The contract would
//      revert a second redemption anyway, but only after charging its gas.
//
// One process per file: the store's mutex serialises this process only. Two nodes sharing a
// --data-dir would both redeem the same tickets.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "error.h"
#include "owned.h"
#include "ticket.h"

namespace lp::pm {

// What redeemWinningTicket(ticket, sig, recipientRand) needs, and when it may be sent.
struct WinningTicket {
  Ticket ticket;
  std::vector<uint8_t> sig;  // 65 bytes r ‖ s ‖ v, as the sender sent it
  RecipientRand recipient_rand{};
  // TicketParams.expiration_block: the redeemer waits until the latest block reaches it, as
  // go-livepeer's ticket queue does. Must fit in int64.
  U256 expiration_block;
};

enum class TicketStatus {
  Pending,    // waiting to be (re)submitted
  Submitted,  // a redeemWinningTicket transaction was signed, maybe sent, not yet confirmed
  Redeemed,   // the transaction was mined and succeeded: the face value was paid
  Failed,     // given up for good (ticket already used, round expired, ...): never retried
};
const char* ticket_status_name(TicketStatus status);

struct StoredTicket {
  Hash hash{};  // Ticket::hash(): the key here and in TicketBroker.usedTickets
  WinningTicket winner;
  TicketStatus status = TicketStatus::Pending;
  int64_t attempts = 0;         // retryable failures so far
  std::string last_error;       // the latest failure's reason, retryable or final
  std::optional<Hash> tx_hash;  // Submitted and Redeemed: the redeeming transaction
  int64_t submitted_block = 0;  // Submitted: the latest block when it was submitted
  // Pending after reset_stale_submissions(): a transaction that may still be mined. Check
  // TicketBroker.usedTickets before submitting again.
  std::optional<Hash> last_tx_hash;
  int64_t created_ms = 0;  // unix milliseconds
  int64_t updated_ms = 0;
};

struct TicketCounts {
  int64_t pending = 0;
  int64_t submitted = 0;
  int64_t redeemed = 0;
  int64_t failed = 0;
  U256 redeemed_face_value;    // sum over redeemed tickets, wei (to_dec() for JSON)
  U256 unredeemed_face_value;  // sum over pending and submitted tickets, wei
};

class TicketStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the store at `path` (missing parent folders are made, mode 0700). A file that
  // is not a SQLite database, a corrupt one, or one written by a newer schema is refused with an
  // error naming the path.
  static Result<std::unique_ptr<TicketStore>> open(const std::string& path);
  TicketStore(const TicketStore&) = delete;
  TicketStore& operator=(const TicketStore&) = delete;

  const std::string& path() const { return path_; }

  // Writes the winner durably as Pending. True when it was new; false when a ticket with this
  // hash is already stored (a replay: the stored row is left alone).
  Result<bool> add_winner(const WinningTicket& winner);

  // Pending tickets whose params have expired (expiration_block <= latest_block), oldest first,
  // at most `limit`.
  Result<std::vector<StoredTicket>> redeemable(uint64_t latest_block, size_t limit);
  // Submitted tickets, oldest submission first: what the redeemer checks receipts for.
  Result<std::vector<StoredTicket>> submitted();
  Result<std::optional<StoredTicket>> get(const Hash& hash);

  // Pending -> Submitted. NotFound for an unknown hash; BadRequest from any other state.
  Result<void> mark_submitted(const Hash& hash, const Hash& tx_hash, uint64_t block);
  // Pending or Submitted -> Redeemed. Marking a Redeemed ticket again is a no-op; a Failed one is
  // refused (BadRequest).
  Result<void> mark_redeemed(const Hash& hash, const Hash& tx_hash);
  // Pending or Submitted -> Failed when `final`; otherwise back to Pending with attempts + 1, to be
  // retried on a later block.
  Result<void> mark_failed(const Hash& hash, std::string_view reason, bool final);
  // Submitted tickets submitted before `before_block` -> Pending, their transaction hash kept in
  // last_tx_hash (see the file comment: check usedTickets before resubmitting). The count reset.
  Result<int64_t> reset_stale_submissions(uint64_t before_block);

  Result<TicketCounts> counts();
  // The face value of `sender`'s tickets whose redemption transaction is out (Submitted): what
  // go-livepeer's sender monitor holds back as pendingAmount from the sender's max float.
  Result<U256> submitted_face_value(const eth::Address& sender);

 private:
  TicketStore(Owned<sqlite3, sqlite3_close_v2> db, std::string path);
  Result<void> init_schema();

  std::string path_;
  // Guards db_: every public call holds it for its whole run, so its statements (and their
  // transactions) never interleave with another thread's on the one connection.
  std::mutex mutex_;
  Owned<sqlite3, sqlite3_close_v2> db_;
};

}  // namespace lp::pm
