// password_check: the port through which logins check a password against an account's stored hash.
// core owns the interface; server/store implements it with libsodium's Argon2id
// (store/sodium_password_check.hpp), and cati-server wires it in main.cpp, so that the transport never
// includes the storage adapter.
//
// Contract: verify() is deliberately slow (tens of milliseconds): call it off the network threads and
// off the fieldwork's strand. An unknown user (`stored_hash` nullopt) must cost the same as a known one,
// so that user names cannot be found by timing: implementations check the password against a dummy hash
// of the same cost and return false.
// Thread-safety: verify() may be called from any thread, concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cati::core {

class password_check {
 public:
  virtual ~password_check() = default;
  // True when `password` matches `stored_hash`; false for a wrong password, a malformed hash, or no hash.
  virtual bool verify(const std::optional<std::string>& stored_hash, std::string_view password) const = 0;
};

}  // namespace cati::core
