// Threads with an owner, for work that runs off the main loop (a job's pipeline, a stream
// being torn down): each thread runs one task; the owner joins the finished ones whenever it
// starts another (or calls reap()), and its destructor joins the rest, so no thread outlives
// what it works for. Tasks must end promptly once their own cancel flag is set: the owner
// sets those before it goes.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <thread>

namespace lp {

class OwnedThreads {
 public:
  OwnedThreads() = default;
  ~OwnedThreads() { join_all(); }
  OwnedThreads(const OwnedThreads&) = delete;
  OwnedThreads& operator=(const OwnedThreads&) = delete;

  // Runs `task` on a new thread. The owner's thread only.
  void start(std::function<void()> task);
  // Joins the threads whose task has returned. The owner's thread only.
  void reap();
  // Joins every thread, waiting for the running ones.
  void join_all();
  // Threads not yet joined (finished ones included until reaped).
  size_t size() const { return threads_.size(); }

 private:
  struct Entry {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
  };
  std::list<Entry> threads_;  // the owner's thread only
};

}  // namespace lp
