// Reconnect delays: exponential backoff with jitter. Attempt n waits a random time in
// [d/2, d] where d = min(max, initial * 2^n): the doubling spreads retries out while the server is away,
// the jitter keeps a room of terminals from reconnecting in lockstep after a server restart.
//
// Deterministic for a given seed (tests inject it). Thread-safety: none; the session uses it on its io
// thread only.
#pragma once

#include <chrono>
#include <cstdint>

namespace cati::client {

struct backoff_policy {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{5000};
};

class backoff {
 public:
  explicit backoff(backoff_policy policy, std::uint64_t seed);

  // The delay before the next attempt; each call doubles the ceiling up to the policy's max.
  std::chrono::milliseconds next();
  // After a successful login: the next failure starts again from the initial delay.
  void reset() { attempt_ = 0; }
  unsigned attempt() const { return attempt_; }

 private:
  backoff_policy policy_;
  std::uint64_t state_;
  unsigned attempt_ = 0;
};

}  // namespace cati::client
