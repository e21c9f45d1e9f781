// Sessions as go-livepeer counts them for -maxSessions: one per auth-token session id (one
// stream of one gateway), alive while segments come, over 70 s after the last one
// (core/orchestrator.go's transcode loop timeout) or when the gateway ends it. Main thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace lp::livepeer {

class Sessions {
 public:
  static constexpr std::chrono::seconds kIdle{70};

  // A segment of `id` arrived at `now`.
  void touch(const std::string& id, std::chrono::steady_clock::time_point now) { last_[id] = now; }
  void end(const std::string& id) {
    if (last_.erase(id) && on_end_) on_end_(id);
  }
  // Called with each session that ends, by expiry or end().
  void on_end(std::function<void(const std::string&)> callback) { on_end_ = std::move(callback); }
  // Drops sessions idle past kIdle; returns how many are left.
  size_t expire(std::chrono::steady_clock::time_point now);
  bool contains(const std::string& id) const { return last_.contains(id); }
  // go-livepeer's CheckCapacity: a known session always fits; a new one while `max` are open
  // does not.
  bool capped(const std::string& id, size_t max, std::chrono::steady_clock::time_point now);
  size_t size() const { return last_.size(); }
  // The open sessions with the time of their latest segment.
  const std::map<std::string, std::chrono::steady_clock::time_point>& list() const { return last_; }

 private:
  std::map<std::string, std::chrono::steady_clock::time_point> last_;
  std::function<void(const std::string&)> on_end_;
};

}  // namespace lp::livepeer
