// Renditions kept downloadable after a result: GET /v1/results/<id>/<i> for `ttl`, then
// freed. Bounded in bytes too: past `max_bytes` the oldest results go first. Main context.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "worker.h"

namespace lp {

class ResultStore {
 public:
  ResultStore(std::chrono::seconds ttl, size_t max_bytes);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Stores the renditions; returns the result id (random, unguessable).
  std::string put(const std::vector<RenditionOutput>& renditions);
  struct Found {
    SharedBytes bytes;  // nullptr when unknown, expired or out of range
    std::string media_type;
  };
  Found get(std::string_view id, size_t index) const;

  size_t bytes() const { return bytes_; }
  size_t count() const { return results_.size(); }
  void expire();  // drops results past their ttl (on every put, and every second from the orchestrator)

 private:
  struct Stored {
    std::vector<SharedBytes> renditions;
    std::vector<std::string> media_types;
    size_t bytes = 0;
    gint64 expires_us = 0;
  };
  void drop(const std::string& id);

  std::chrono::seconds ttl_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<std::string, Stored, std::less<>> results_;
  std::deque<std::string> order_;  // oldest first
  guint sweep_ = 0;
};

}  // namespace lp
