// ChainCallQueue: the work runs off the main thread, its continuation on the main context; a full
// queue refuses at once; destroying the queue drops what waits (releasing what it holds) and no
// continuation runs after it.
#include "chain_call_queue.h"

#include <glib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace lp::pm {
namespace {

using namespace std::chrono_literals;

// Runs the default main context until `done` or 5 s pass.
void run_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) g_main_context_iteration(nullptr, FALSE);
}

TEST(ChainCallQueue, WorkOffTheMainThreadAnswerOnIt) {
  ChainCallQueue queue;
  const auto main_thread = std::this_thread::get_id();
  std::thread::id worker;
  std::optional<int> answer;
  std::thread::id answered_on;
  ASSERT_TRUE(queue.post<int>(
      [&] {
        worker = std::this_thread::get_id();
        return 42;
      },
      [&](int v) {
        answer = v;
        answered_on = std::this_thread::get_id();
      }));
  run_until([&] { return answer.has_value(); });
  ASSERT_EQ(answer, 42);
  EXPECT_NE(worker, main_thread);
  EXPECT_EQ(answered_on, main_thread);
}

TEST(ChainCallQueue, InOrderOfArrival) {
  ChainCallQueue queue;
  std::vector<int> seen;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(queue.post<int>([i] { return i; }, [&](int v) { seen.push_back(v); }));
  run_until([&] { return seen.size() == 20; });
  ASSERT_EQ(seen.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
}

TEST(ChainCallQueue, AFullQueueRefusesAndDestructionDropsWhatWaits) {
  auto held = std::make_shared<int>(0);  // owned by the waiting tasks' continuations
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  bool continued = false;
  {
    ChainCallQueue queue(2);
    // The first call blocks the thread (as a stalled chain node would).
    ASSERT_TRUE(queue.post<int>(
        [released, &ran] {
          released.wait();
          ++ran;
          return 0;
        },
        [&continued](int) { continued = true; }));
    // Wait for the thread to take it, so the queue itself is empty.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (queue.queued() != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(queue.post<int>([&ran] { return ++ran; }, [held, &continued](int) { continued = true; }));
    ASSERT_TRUE(queue.post<int>([&ran] { return ++ran; }, [held, &continued](int) { continued = true; }));
    EXPECT_FALSE(queue.post<int>([&ran] { return ++ran; }, [&continued](int) { continued = true; })) << "bounded at 2";
    EXPECT_EQ(held.use_count(), 3);
    release.set_value();
    // The destructor lets the running call finish and drops the two queued ones.
  }
  EXPECT_LE(ran.load(), 3);
  // Calls that ran before the destructor stopped the thread left their continuations on the main
  // context: they find the queue gone and do nothing, and what they held goes with them.
  for (int i = 0; i < 100; ++i) g_main_context_iteration(nullptr, FALSE);
  EXPECT_FALSE(continued);
  EXPECT_EQ(held.use_count(), 1) << "what the dropped calls held is released";
}

}  // namespace
}  // namespace lp::pm
