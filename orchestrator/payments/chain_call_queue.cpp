#include "chain_call_queue.h"

#include "main_context.h"

namespace lp::pm {

ChainCallQueue::ChainCallQueue(size_t max_queued) : max_queued_(max_queued), thread_([this] { run(); }) {}

ChainCallQueue::~ChainCallQueue() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

size_t ChainCallQueue::queued() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

bool ChainCallQueue::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || tasks_.size() >= max_queued_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void ChainCallQueue::hand_back(std::function<void()> fn) { invoke_on(g_main_context_default(), std::move(fn)); }

void ChainCallQueue::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;  // queued tasks are dropped with the deque
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace lp::pm
