#include "store/sodium_randomness.hpp"

#include "store/sodium_detail.hpp"

namespace cati::store {

sodium_randomness::sodium_randomness() { detail::ensure_sodium(); }

std::uint64_t sodium_randomness::next() {
  std::uint64_t v = 0;
  randombytes_buf(&v, sizeof v);
  return v;
}

}  // namespace cati::store
