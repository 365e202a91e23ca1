// A thread-safe FIFO of events: the session's io thread pushes, a front end pops with a timeout (an
// ncurses loop polls it between keystrokes). Unbounded: a terminal's event rate is tiny.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "lib/events.hpp"

namespace cati::client {

class event_queue {
 public:
  void push(event e) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(e));
    }
    ready_.notify_one();
  }

  // The oldest event, waiting up to `timeout` for one (0: do not wait).
  std::optional<event> pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [this] { return !queue_.empty(); })) return std::nullopt;
    event e = std::move(queue_.front());
    queue_.pop_front();
    return e;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<event> queue_;
};

}  // namespace cati::client
