// Where a transcoder's jobs run. A CPU transcoder has no placement (every job on the CPU); a
// GPU transcoder (lpnode --transcoder --nvidia) places each stream's jobs on one of its GPUs
// and reports their state with every heartbeat.
#pragma once

#include <optional>
#include <vector>

#include "error.h"
#include "wire/capabilities.h"
#include "wire/transcoder_channel.h"

namespace lp {

class JobPlacement {
 public:
  virtual ~JobPlacement() = default;
  // The GPU a job runs on, or an error (Busy) when none can take it now.
  virtual Result<int> acquire(const wire::Job& job) = 0;
  // The job on `device` ended: `failure` is its error, success when it succeeded or was
  // cancelled. A failure that points at the GPU makes it re-test before new work.
  virtual void release(const wire::Job& job, int device, const Result<void>& failure) = 0;
  // The GPUs as they are now, for the pong's "hardware" (/status and /metrics upstream).
  virtual std::vector<wire::HardwareDevice> devices() const = 0;
};

}  // namespace lp
