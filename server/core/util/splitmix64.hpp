// splitmix64: a small, fast, seedable PRNG whose output is the same on every platform and library
// version (std::uniform_*_distribution is not), for synthetic data that must be reproducible by seed.
//
// Thread-safety: none; one generator per thread.
#pragma once

#include <cassert>
#include <cstdint>
#include <span>

namespace cati::core {

class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n), n > 0, without modulo bias (rejection of the incomplete last block).
  std::uint64_t below(std::uint64_t n) {
    assert(n > 0);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }

  // True with probability permille / 1000.
  bool chance_permille(std::uint64_t permille) { return below(1000) < permille; }

  // An index picked with the given integer weights (not all zero).
  std::size_t weighted(std::span<const std::uint32_t> weights) {
    std::uint64_t total = 0;
    for (auto w : weights) total += w;
    std::uint64_t x = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;  // not reached
  }

  template <class T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }

 private:
  std::uint64_t state_;
};

}  // namespace cati::core
