// Threads with an owner: finished ones are joined when the owner next starts one or reaps,
// and the owner's end waits for the rest, so no task outlives what it works for.
#include "owned_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace lp {
namespace {

using namespace std::chrono_literals;

TEST(OwnedThreads, FinishedThreadsAreJoinedAndTheRestAwaited) {
  std::atomic<int> done{0};
  std::atomic<bool> release{false};
  {
    OwnedThreads threads;
    threads.start([&] { ++done; });
    threads.start([&] { ++done; });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (done < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    threads.reap();
    EXPECT_EQ(threads.size(), 0u);
    threads.start([&] {
      while (!release) std::this_thread::sleep_for(1ms);
      std::this_thread::sleep_for(50ms);
      ++done;
    });
    threads.reap();
    EXPECT_EQ(threads.size(), 1u);  // still running: not joined, not dropped
    release = true;
  }  // waits for the last task
  EXPECT_EQ(done, 3);
}

}  // namespace
}  // namespace lp
