// core::randomness on libsodium's generator (randombytes_buf: the operating system's CSPRNG): what
// cati-server draws respondent ids and case seeds from, so that they are unpredictable from the log and
// do not repeat after a restart, whatever the clock says.
//
// Thread-safety: every member may be called from any thread (libsodium's generator is thread-safe).
#pragma once

#include <memory>

#include "core/ports/randomness.hpp"

namespace cati::store {

class sodium_randomness final : public core::randomness {
 public:
  sodium_randomness();  // initialises libsodium; throws when it cannot
  std::uint64_t next() override;
};

}  // namespace cati::store
