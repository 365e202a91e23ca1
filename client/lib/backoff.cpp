#include "lib/backoff.hpp"

#include <algorithm>

namespace cati::client {

namespace {

// splitmix64: the same sequence on every platform, unlike std::uniform_int_distribution.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

backoff::backoff(backoff_policy policy, std::uint64_t seed) : policy_(policy), state_(seed) {
  policy_.initial = std::max(policy_.initial, std::chrono::milliseconds(1));
  policy_.max = std::max(policy_.max, policy_.initial);
}

std::chrono::milliseconds backoff::next() {
  // Double without overflow: stop doubling once the ceiling is reached.
  auto ceiling = policy_.initial;
  for (unsigned i = 0; i < attempt_ && ceiling < policy_.max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy_.max);
  ++attempt_;
  const auto half = ceiling.count() / 2;
  const auto span = static_cast<std::uint64_t>(ceiling.count() - half) + 1;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(next_random(state_) % span));
}

}  // namespace cati::client
