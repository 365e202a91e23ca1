// Internal to server/store: libsodium must be initialised once before use (thread-safe, idempotent).
#pragma once

#include <sodium.h>

#include <stdexcept>

namespace cati::store::detail {

inline void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace cati::store::detail
