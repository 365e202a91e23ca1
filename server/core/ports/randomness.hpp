// The port through which the fieldwork draws what must be unpredictable and never repeat across
// restarts: respondent ids and case seeds. The server wires libsodium's generator
// (store/sodium_randomness.hpp); tests use seeded_randomness, which repeats by seed on purpose.
//
// Thread-safety: none required by core (one strand owns the fieldwork); implementations may be safer.
#pragma once

#include <cstdint>

#include "core/util/splitmix64.hpp"

namespace cati::core {

class randomness {
 public:
  virtual ~randomness() = default;
  // 64 uniformly random bits.
  virtual std::uint64_t next() = 0;
  // Uniform in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }
};

// Deterministic by seed: for tests and simulations only (a server seeded from its clock would repeat
// and leak respondent ids: issue 13, behaviour 6).
class seeded_randomness final : public randomness {
 public:
  explicit seeded_randomness(std::uint64_t seed) : gen_(seed) {}
  std::uint64_t next() override { return gen_.next(); }

 private:
  splitmix64 gen_;
};

}  // namespace cati::core
