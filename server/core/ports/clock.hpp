// Time in the domain. Everything that needs "now" takes it from a clock, never from the system
// directly, so tests control time and the October 2025 fieldwork can be replayed today.
#pragma once

#include <atomic>
#include <chrono>

namespace cati::core {

using time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using std::chrono::milliseconds;
using std::chrono::minutes;

// Thread-safety: now() may be called from any thread.
class clock {
 public:
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

// The wall clock.
class real_clock final : public clock {
 public:
  time_point now() const override;
};

// The wall clock shifted so that it read `start` when it was made: replays a past fieldwork at
// real speed ("--clock from:2025-10-13T09:00:00+02:00").
class shifted_clock final : public clock {
 public:
  explicit shifted_clock(time_point start);
  time_point now() const override;

 private:
  milliseconds offset_;
};

// A clock that moves only when told: tests and the simulator's driver.
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_point start) : now_(start.time_since_epoch().count()) {}
  time_point now() const override { return time_point(milliseconds(now_.load())); }
  void set(time_point t) { now_.store(t.time_since_epoch().count()); }
  void advance(milliseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<long long> now_;
};

}  // namespace cati::core
