#include "store/password.hpp"

#include <stdexcept>

#include "store/sodium_detail.hpp"

namespace cati::store {

std::optional<std::string> password_problem(std::string_view password) {
  if (password.empty()) return "the password is empty";
  if (password.size() < min_password_length)
    return "the password is too short: at least " + std::to_string(min_password_length) + " characters";
  return std::nullopt;
}

std::string hash_password(std::string_view password, hash_cost cost) {
  detail::ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  // INTERACTIVE limits: a login must stay well under a second on the two-core server.
  const bool minimum = cost == hash_cost::minimum;
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        minimum ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        minimum ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("cannot hash the password (out of memory)");
  return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  detail::ensure_sodium();
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(stored_hash);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace cati::store
