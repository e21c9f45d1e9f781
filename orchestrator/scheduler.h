// Which worker takes a segment: the stream's own worker while it has room (sticky, so its
// pipeline can stay warm), otherwise the least loaded by load / capacity. Ties rotate, so an
// idle fleet fills evenly instead of always starting with the first transcoder.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lp {

struct WorkerLoad {
  std::string id;
  int load = 0;
  int capacity = 0;
};

class Scheduler {
 public:
  // Index into `workers` of the one to use, or nullopt when none has a free slot.
  // `sticky_id` is the worker the stream used last ("" for a new stream).
  std::optional<size_t> pick(std::span<const WorkerLoad> workers, std::string_view sticky_id);

 private:
  uint64_t rotation_ = 0;
};

}  // namespace lp
