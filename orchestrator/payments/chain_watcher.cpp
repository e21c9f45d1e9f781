#include "chain_watcher.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <set>
#include <utility>

namespace lp::pm {

using chain::U256;
using Clock = std::chrono::steady_clock;

namespace {

std::array<uint8_t, 20> key_of(const eth::Address& a) { return a.bytes; }

// Errors that do not say which node they come from get its URL: /status shows them alone.
Error naming_url(Error e, const std::string& url) {
  if (e.message.find(url) == std::string::npos) e.message = "chain node " + url + ": " + e.message;
  return e;
}

Error naming_sender(Error e, const eth::Address& sender) {
  e.message = "sender " + sender.checksummed() + ": " + e.message;
  return e;
}

Result<eth::Digest> parse_hash(const char* text, const char* what) {
  if (text == nullptr || std::string_view(text).size() != 66) {
    return Error{ErrorCode::BadRequest, std::string("eth_getBlockByNumber: ") + what + " is not a 32-byte hash"};
  }
  auto v = U256::from_hex(text);
  if (!v) return Error{ErrorCode::BadRequest, std::string("eth_getBlockByNumber: ") + what + ": " + v.error().message};
  return v->to_bytes32();
}

}  // namespace

U256 reserve_alloc(const WatchedSender& sender, uint64_t pool_size) {
  if (pool_size == 0) return U256(0);
  // fundsRemaining + claimedInCurrentRound was the reserve at the round's start: each active
  // transcoder may claim an equal share of it per round (MixinReserve.claimableReserve).
  auto reserve = U256::checked_add(sender.info.reserve_funds_remaining, sender.info.reserve_claimed_in_current_round);
  const U256 total = reserve ? *reserve : U256::max();
  const U256 share = U256::divmod(total, U256(pool_size)).quotient;
  return share > sender.claimed_reserve ? share - sender.claimed_reserve : U256(0);
}

U256 max_float_for(const WatchedSender& sender, uint64_t pool_size, const U256& pending) {
  const U256 alloc = reserve_alloc(sender, pool_size);
  // deposit / pending >= 3, exactly: deposit >= 3 * pending (an overflowing product is more than
  // any deposit). With nothing pending go-livepeer's ratio is 0, and alloc - 0 is alloc anyway.
  if (!pending.is_zero()) {
    auto three_pending = U256::checked_mul(pending, U256(3));
    if (three_pending && sender.info.deposit >= *three_pending) return alloc;
  }
  return alloc > pending ? alloc - pending : U256(0);
}

ChainWatcher::ChainWatcher(ChainWatcherConfig config)
    : config_(std::move(config)),
      poll_rpc_(std::make_unique<chain::EthRpc>(config_.eth_url, config_.rpc)),
      fetch_rpc_(std::make_unique<chain::EthRpc>(config_.eth_url, config_.rpc)) {
  thread_ = std::thread([this] { run(); });
}

ChainWatcher::~ChainWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // Any call in flight (and every later one) fails at once with "cancelled".
  poll_rpc_->cancel();
  fetch_rpc_->cancel();
  thread_.join();
}

ChainState ChainWatcher::snapshot() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::optional<Error> ChainWatcher::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void ChainWatcher::run() {
  watcher_thread_id_ = std::this_thread::get_id();
  for (;;) {
    record(poll_once());
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, config_.poll_interval, [this] { return stopping_; });
    if (stopping_) return;
  }
}

// Keeps the error for /status and logs a failure streak once, when it starts, and once when it
// ends (blockwatch logs every failed poll; a node down for an hour would flood the log).
void ChainWatcher::record(const Result<void>& polled) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;  // "cancelled" is our own doing
  ++state_.polls;
  if (polled) {
    if (state_.consecutive_failures > 0) {
      g_message("chain watcher: %s answers again after %llu failed polls", config_.eth_url.c_str(),
                static_cast<unsigned long long>(state_.consecutive_failures));
    }
    state_.consecutive_failures = 0;
    last_error_.reset();
    return;
  }
  last_error_ = naming_url(polled.error(), config_.eth_url);
  if (state_.consecutive_failures++ == 0) {
    g_warning("chain watcher: %s (retrying every %lld ms; logged once until it recovers)", last_error_->message.c_str(),
              static_cast<long long>(config_.poll_interval.count()));
  }
}

Result<chain::LivepeerContracts> ChainWatcher::contracts(chain::EthRpc& rpc) {
  {
    std::lock_guard lock(mutex_);
    if (contracts_) return *contracts_;
  }
  auto found = chain::lookup_contracts(rpc, config_.controller);
  if (!found) return found.error();
  std::lock_guard lock(mutex_);
  contracts_ = *found;
  return *found;
}

// eth_getBlockByNumber("latest") read by hand for Arbitrum's l1BlockNumber, which EthRpc's
// BlockHeader does not carry (blockwatch/client.go: without it, L1 is this chain).
Result<ChainWatcher::Head> ChainWatcher::latest_head() {
  auto text = poll_rpc_->request("eth_getBlockByNumber", R"(["latest", false])");
  if (!text) return text.error();
  g_autoptr(GError) error = nullptr;
  JsonNode* node = json_from_string(text->c_str(), &error);
  std::unique_ptr<JsonNode, decltype(&json_node_unref)> owned(node, json_node_unref);
  if (node == nullptr || !JSON_NODE_HOLDS_OBJECT(node)) {
    return Error{ErrorCode::BadRequest, "eth_getBlockByNumber: no latest block in the answer"};
  }
  JsonObject* block = json_node_get_object(node);
  auto member = [&](const char* name) { return json_object_get_string_member_with_default(block, name, nullptr); };
  Head head;
  const char* number = member("number");
  auto n = chain::parse_quantity_u64(number ? number : "", "eth_getBlockByNumber: number");
  if (!n) return n.error();
  head.number = head.l1_number = *n;
  auto hash = parse_hash(member("hash"), "hash");
  if (!hash) return hash.error();
  head.hash = *hash;
  if (const char* l1 = member("l1BlockNumber")) {
    auto l1n = chain::parse_quantity_u64(l1, "eth_getBlockByNumber: l1BlockNumber");
    if (!l1n) return l1n.error();
    head.l1_number = *l1n;
  }
  return head;
}

Result<void> ChainWatcher::poll_once() {
  chain::EthRpc& rpc = *poll_rpc_;
  auto found = contracts(rpc);
  if (!found) return found.error();
  const chain::LivepeerContracts& c = *found;
  auto head = latest_head();
  if (!head) return head.error();
  auto gas_price = rpc.gas_price();
  if (!gas_price) return gas_price.error();

  ChainState next = snapshot();
  const uint64_t previous_round = next.last_initialized_round;
  next.contracts = c;
  next.gas_price = *gas_price;
  const bool first = !next.ready;
  const bool new_block = first || head->hash != next.block_hash;
  bool resync = false;          // every cached sender must be re-read
  bool round_changed = false;   // and its per-round claims start from 0
  std::set<SenderKey> touched;  // senders named by TicketBroker events since the last poll
  if (new_block) {
    // Nothing on chain changes without a new block, so the rest is read only then.
    chain::RoundsManager rounds(rpc, c.rounds_manager);
    chain::BondingManager bonding(rpc, c.bonding_manager);
    auto current = rounds.current_round();
    if (!current) return current.error();
    auto initialized = rounds.current_round_initialized();
    if (!initialized) return initialized.error();
    auto last = rounds.last_initialized_round();
    if (!last) return last.error();
    auto pool = bonding.get_transcoder_pool_size();
    if (!pool) return pool.error();
    if (first || *current != next.current_round) {
      auto start = rounds.current_round_start_block();
      if (!start) return start.error();
      auto length = rounds.round_length();
      if (!length) return length.error();
      next.current_round_start_block = *start;
      next.round_length = *length;
    }
    // Re-read even when the round is the same: a reorg may have changed its block hash.
    auto hash = rounds.block_hash_for_round(*last);
    if (!hash) return hash.error();
    eth::Digest pre_hash{};
    if (*last > 0) {
      auto pre = rounds.block_hash_for_round(*last - 1);
      if (!pre) return pre.error();
      pre_hash = *pre;
    }
    // senderwatcher re-reads a sender on each of its TicketBroker events; reading the logs of
    // the blocks since the last poll does the same. A reorg or a long gap re-reads them all.
    if (!first && head->number > next.block_number && head->number - next.block_number <= config_.max_log_blocks) {
      chain::LogFilter filter;
      filter.from_block = next.block_number + 1;
      filter.to_block = head->number;
      filter.addresses = {c.ticket_broker};
      auto logs = rpc.get_logs(filter);
      if (!logs) return logs.error();
      // Every TicketBroker event has the sender (reserve holder) as its first indexed topic.
      for (const chain::Log& log : *logs) {
        if (log.topics.size() < 2) continue;
        SenderKey key;
        std::copy(log.topics[1].begin() + 12, log.topics[1].end(), key.begin());
        touched.insert(key);
      }
    } else if (!first) {
      resync = true;
    }
    // claimedInCurrentRound and claimedReserve are per round (MixinReserve.claimedForRound).
    round_changed = !first && (*current != next.current_round || *last != next.last_initialized_round);
    next.current_round = *current;
    next.current_round_initialized = *initialized;
    next.last_initialized_round = *last;
    next.last_initialized_block_hash = *hash;
    next.pre_last_initialized_block_hash = pre_hash;
    next.transcoder_pool_size = *pool;
    next.block_number = head->number;
    next.block_hash = head->hash;
    next.l1_block_number = head->l1_number;
  }
  const bool new_round = first || next.last_initialized_round != previous_round;
  next.ready = true;

  ChainState published;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return {};
    next.polls = state_.polls;
    next.consecutive_failures = state_.consecutive_failures;
    if (resync || round_changed) {
      ++sender_generation_;
      for (auto& [key, cached] : senders_) {
        if (round_changed) {
          // handleRoundEvent zeroes these at once; the chain's values follow on the re-read.
          cached.value.info.reserve_claimed_in_current_round = U256(0);
          cached.value.claimed_reserve = U256(0);
        }
        cached.stale = true;
      }
    }
    for (const SenderKey& key : touched) {
      auto it = senders_.find(key);
      if (it != senders_.end()) it->second.stale = true;
    }
    state_ = next;
    published = next;
  }
  dispatch(new_block, new_round, published);
  return refresh_senders();
}

// go-livepeer's sendermonitor cleanup (idle senders go after smTTL), and the re-reads: stale
// senders and those past sender_max_age. Stops at the first failure: a node that times out
// would otherwise hold the poll for a timeout per sender.
Result<void> ChainWatcher::refresh_senders() {
  std::vector<eth::Address> due;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (auto it = senders_.begin(); it != senders_.end();) {
      if (now - it->second.used_at > config_.sender_idle_ttl) {
        lru_.erase(it->second.lru);
        it = senders_.erase(it);
        continue;
      }
      if (it->second.stale || now - it->second.fetched_at >= config_.sender_max_age) due.push_back(*it->second.lru);
      ++it;
    }
    generation = sender_generation_;
  }
  for (const eth::Address& sender : due) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return {};
    }
    auto fetched = fetch_sender(*poll_rpc_, sender);
    if (!fetched) return fetched.error();
    store_sender(sender, *fetched, generation, /*refresh=*/true);
  }
  return {};
}

Result<WatchedSender> ChainWatcher::fetch_sender(chain::EthRpc& rpc, const eth::Address& sender) {
  auto c = contracts(rpc);
  if (!c) return naming_sender(c.error(), sender);
  chain::TicketBroker broker(rpc, c->ticket_broker);
  auto info = broker.get_sender_info(sender);
  if (!info) return naming_sender(info.error(), sender);
  auto claimed = broker.claimed_reserve(sender, config_.claimant);
  if (!claimed) return naming_sender(claimed.error(), sender);
  return WatchedSender{*info, *claimed};
}

void ChainWatcher::store_sender(const eth::Address& sender, const WatchedSender& value, uint64_t generation,
                                bool refresh) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  // A re-read of a sender evicted meanwhile does not bring it back.
  if (refresh && !senders_.contains(key_of(sender))) return;
  auto [it, added] = senders_.try_emplace(key_of(sender));
  CachedSender& cached = it->second;
  if (added) {
    lru_.push_front(sender);
    cached.lru = lru_.begin();
    cached.used_at = now;
  }
  cached.value = value;
  cached.fetched_at = now;
  // Read before the round changed: keep it, but read it again.
  cached.stale = generation != sender_generation_;
  while (senders_.size() > config_.max_senders && !lru_.empty()) {
    senders_.erase(key_of(lru_.back()));
    lru_.pop_back();
  }
}

Result<WatchedSender> ChainWatcher::sender_info(const eth::Address& sender) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = senders_.find(key_of(sender));
    if (it != senders_.end()) {
      it->second.used_at = Clock::now();
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.value;
    }
    generation = sender_generation_;
  }
  // senderwatcher's GetSenderInfo: a sender not cached is read now. Two callers may both read
  // it; the later store wins, both values being fresh.
  auto fetched = fetch_sender(*fetch_rpc_, sender);
  if (!fetched) return naming_url(fetched.error(), config_.eth_url);
  store_sender(sender, *fetched, generation, /*refresh=*/false);
  return *fetched;
}

Result<U256> ChainWatcher::max_float(const eth::Address& sender, const U256& pending) {
  auto info = sender_info(sender);
  if (!info) return info.error();
  std::lock_guard lock(mutex_);
  if (!state_.ready) {
    const std::string why = last_error_ ? last_error_->message : "no poll has finished yet";
    return Error{ErrorCode::Unreachable, "sender " + sender.checksummed() +
                                             ": max float unknown: the transcoder pool size is not read yet (" + why +
                                             ")"};
  }
  return max_float_for(*info, state_.transcoder_pool_size, pending);
}

ChainWatcher::CallbackId ChainWatcher::subscribe(bool rounds, Callback callback) {
  std::lock_guard lock(callbacks_mutex_);
  const CallbackId id = next_callback_id_++;
  subscribers_.push_back({id, rounds, std::move(callback)});
  return id;
}

ChainWatcher::CallbackId ChainWatcher::on_new_block(Callback callback) { return subscribe(false, std::move(callback)); }
ChainWatcher::CallbackId ChainWatcher::on_new_round(Callback callback) { return subscribe(true, std::move(callback)); }

void ChainWatcher::remove_callback(CallbackId id) {
  {
    std::lock_guard lock(callbacks_mutex_);
    std::erase_if(subscribers_, [id](const Subscriber& s) { return s.id == id; });
  }
  // Wait out a dispatch that may have copied it (not from the watcher thread: that would wait
  // for itself).
  if (std::this_thread::get_id() != watcher_thread_id_.load()) {
    std::lock_guard wait(dispatch_mutex_);
  }
}

void ChainWatcher::dispatch(bool new_block, bool new_round, const ChainState& state) {
  if (!new_block && !new_round) return;
  std::lock_guard running(dispatch_mutex_);
  std::vector<Subscriber> subscribers;
  {
    std::lock_guard lock(callbacks_mutex_);
    subscribers = subscribers_;
  }
  for (const Subscriber& s : subscribers) {
    {
      // Removed by an earlier callback of this dispatch?
      std::lock_guard lock(callbacks_mutex_);
      if (std::none_of(subscribers_.begin(), subscribers_.end(), [&](const Subscriber& x) { return x.id == s.id; })) {
        continue;
      }
    }
    if (s.rounds ? new_round : new_block) s.callback(state);
  }
}

}  // namespace lp::pm
