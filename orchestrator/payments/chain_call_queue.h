// Runs payment calls that may wait on the chain node (a sender's reserve not cached yet, the
// orchestrator's activation once per round, a winner's fsync) on one owned thread, and hands each
// result back to the main context, so a slow or stalled node never stalls lpnode's main loop.
//
// One thread in order of arrival: PaymentService serialises its chain reads anyway, and one
// gateway's payments must be credited in the order they came. The queue is bounded: when it is
// full, post() refuses at once (the caller answers 503) instead of letting memory grow.
// Destruction stops the thread after the call it is running; calls still queued are dropped with
// their continuations (whatever they own is released, nothing runs).
#pragma once

#include <glib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace lp::pm {

class ChainCallQueue {
 public:
  explicit ChainCallQueue(size_t max_queued = 256);
  ~ChainCallQueue();
  ChainCallQueue(const ChainCallQueue&) = delete;
  ChainCallQueue& operator=(const ChainCallQueue&) = delete;

  // Runs `work` on the queue's thread, then `done(result)` on the global default main context
  // (unless the queue is gone by then). False, with nothing run, when the queue is full.
  template <typename T>
  bool post(std::function<T()> work, std::function<void(T)> done) {
    auto alive = alive_;
    return enqueue([work = std::move(work), done = std::move(done), alive]() mutable {
      auto result = std::make_shared<T>(work());
      hand_back([done = std::move(done), result, alive] {
        if (*alive) done(std::move(*result));
      });
    });
  }

  size_t queued() const;

 private:
  bool enqueue(std::function<void()> task);
  static void hand_back(std::function<void()> fn);
  void run();

  const size_t max_queued_;
  // False once the queue is destroyed (main thread): continuations queued on the main context
  // then do nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  mutable std::mutex mutex_;  // guards tasks_ and stopping_
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // owned: joined by the destructor
};

}  // namespace lp::pm
