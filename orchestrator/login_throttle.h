// Failed transcoder logins per client address: after kFreeFailures wrong secrets an address
// may try once per second (others get 429 without the secret being looked at), and refusals
// are logged as one summary line per 10 s rather than a line each.
#pragma once

#include <glib.h>

#include <cstdint>
#include <map>
#include <string>

namespace lp {

class LoginThrottle {
 public:
  static constexpr int kFreeFailures = 5;
  static constexpr gint64 kRetryUs = G_USEC_PER_SEC;

  // True when `address` may try its secret now (counts as its attempt).
  bool may_try(const std::string& address, gint64 now_us);
  void failed(const std::string& address, gint64 now_us);
  void throttled(gint64 now_us);
  void succeeded(const std::string& address);
  // Writes the summary when one is due (or `force`); returns the line ("" when none).
  std::string flush(gint64 now_us, bool force = false);

 private:
  struct Record {
    int failures = 0;
    gint64 last_attempt_us = 0;
  };
  void forget_old(gint64 now_us);
  // Main thread only.
  std::map<std::string, Record> records_;
  uint64_t failed_since_log_ = 0;
  uint64_t throttled_since_log_ = 0;
  std::map<std::string, uint64_t> failed_by_address_;  // since the last summary
  gint64 last_log_us_ = 0;
};

}  // namespace lp
