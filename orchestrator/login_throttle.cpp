#include "login_throttle.h"

#include <algorithm>
#include <vector>

namespace lp {
namespace {
constexpr gint64 kForgetUs = 600 * G_USEC_PER_SEC;  // an address's failures are forgotten after 10 min
constexpr gint64 kLogEveryUs = 10 * G_USEC_PER_SEC;
constexpr size_t kMaxRecords = 10000;
}  // namespace

bool LoginThrottle::may_try(const std::string& address, gint64 now_us) {
  auto it = records_.find(address);
  if (it == records_.end()) return true;
  Record& r = it->second;
  if (r.failures < kFreeFailures || now_us - r.last_attempt_us >= kRetryUs) {
    r.last_attempt_us = now_us;
    return true;
  }
  return false;
}

void LoginThrottle::failed(const std::string& address, gint64 now_us) {
  if (records_.size() >= kMaxRecords) forget_old(now_us);
  if (records_.size() < kMaxRecords || records_.count(address)) {
    Record& r = records_[address];
    ++r.failures;
    r.last_attempt_us = now_us;
  }
  ++failed_since_log_;
  if (failed_by_address_.size() < 1000 || failed_by_address_.count(address)) ++failed_by_address_[address];
}

void LoginThrottle::throttled(gint64) { ++throttled_since_log_; }

void LoginThrottle::succeeded(const std::string& address) { records_.erase(address); }

void LoginThrottle::forget_old(gint64 now_us) {
  std::erase_if(records_, [now_us](const auto& kv) { return now_us - kv.second.last_attempt_us > kForgetUs; });
}

std::string LoginThrottle::flush(gint64 now_us, bool force) {
  if (failed_since_log_ == 0 && throttled_since_log_ == 0) return "";
  if (!force && now_us - last_log_us_ < kLogEveryUs) return "";
  std::vector<std::pair<uint64_t, std::string>> top;
  for (const auto& [address, n] : failed_by_address_) top.emplace_back(n, address);
  std::sort(top.rbegin(), top.rend());
  std::string line = "transcoder logins refused: " + std::to_string(failed_since_log_) + " wrong secret, " +
                     std::to_string(throttled_since_log_) + " throttled (429), from " +
                     std::to_string(failed_by_address_.size()) + " address(es)";
  for (size_t i = 0; i < top.size() && i < 3; ++i)
    line += (i == 0 ? ": " : ", ") + top[i].second + " x" + std::to_string(top[i].first);
  failed_since_log_ = throttled_since_log_ = 0;
  failed_by_address_.clear();
  last_log_us_ = now_us;
  return line;
}

}  // namespace lp
