#include "result_store.h"

#include <algorithm>

#include "job_media.h"
#include "main_context.h"

namespace lp {

ResultStore::ResultStore(std::chrono::seconds ttl, size_t max_bytes) : ttl_(ttl), max_bytes_(max_bytes) {
  sweep_ = add_timeout_repeat(std::chrono::seconds(1), [this] {
    expire();
    return true;
  });
}

ResultStore::~ResultStore() { remove_source(sweep_); }

std::string ResultStore::put(const std::vector<RenditionOutput>& renditions) {
  Stored s;
  for (const auto& r : renditions) {
    s.renditions.push_back(r.bytes);
    s.media_types.push_back(r.media_type);
    s.bytes += r.bytes ? g_bytes_get_size(r.bytes.get()) : 0;
  }
  s.expires_us = g_get_monotonic_time() + std::chrono::microseconds(ttl_).count();
  std::string id = random_token();
  bytes_ += s.bytes;
  results_[id] = std::move(s);
  order_.push_back(id);
  while (bytes_ > max_bytes_ && order_.size() > 1) drop(order_.front());
  return id;
}

ResultStore::Found ResultStore::get(std::string_view id, size_t index) const {
  auto it = results_.find(id);
  if (it == results_.end() || index >= it->second.renditions.size()) return {};
  if (it->second.expires_us <= g_get_monotonic_time()) return {};
  return {it->second.renditions[index], it->second.media_types[index]};
}

void ResultStore::expire() {
  const gint64 now = g_get_monotonic_time();
  // Same ttl for all, so expiry order is insertion order.
  while (!order_.empty()) {
    auto it = results_.find(order_.front());
    if (it != results_.end() && it->second.expires_us > now) break;
    drop(order_.front());
  }
}

void ResultStore::drop(const std::string& id) {
  auto it = results_.find(id);
  if (it != results_.end()) {
    bytes_ -= it->second.bytes;
    results_.erase(it);
  }
  order_.erase(std::find(order_.begin(), order_.end(), id));
}

}  // namespace lp
