#include "owned_threads.h"

namespace lp {

void OwnedThreads::start(std::function<void()> task) {
  reap();
  Entry& e = threads_.emplace_back();
  e.thread = std::thread([task = std::move(task), done = e.done] {
    task();
    *done = true;
  });
}

void OwnedThreads::reap() {
  for (auto it = threads_.begin(); it != threads_.end();) {
    if (!*it->done) {
      ++it;
      continue;
    }
    it->thread.join();  // returns at once: the task is over
    it = threads_.erase(it);
  }
}

void OwnedThreads::join_all() {
  for (auto& e : threads_) e.thread.join();
  threads_.clear();
}

}  // namespace lp
