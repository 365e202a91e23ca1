#include "store/sodium_password_check.hpp"

#include "store/password.hpp"
#include "store/sodium_detail.hpp"

namespace cati::store {

namespace {

std::string random_password() {
  detail::ensure_sodium();
  unsigned char bytes[24];
  randombytes_buf(bytes, sizeof bytes);
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace

sodium_password_check::sodium_password_check() : dummy_(hash_password(random_password())) {}

bool sodium_password_check::verify(const std::optional<std::string>& stored_hash, std::string_view password) const {
  if (!stored_hash) {
    // The same work as a real check, and its answer thrown away: an unknown name must not answer faster.
    (void)verify_password(dummy_, password);
    return false;
  }
  return verify_password(*stored_hash, password);
}

}  // namespace cati::store
