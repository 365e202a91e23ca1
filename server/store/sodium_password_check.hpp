// sodium_password_check: core::password_check over libsodium's Argon2id strings (store/password.hpp).
// An unknown user is checked against a dummy hash made at construction with the interactive cost that
// `cati users add` uses, so that it costs what a real account costs.
//
// Thread-safety: verify() may be called from any thread. Construction costs one hash (tens of ms).
#pragma once

#include "core/ports/password_check.hpp"

namespace cati::store {

class sodium_password_check final : public core::password_check {
 public:
  sodium_password_check();
  bool verify(const std::optional<std::string>& stored_hash, std::string_view password) const override;

 private:
  std::string dummy_;  // the Argon2id string of a random password nobody knows
};

}  // namespace cati::store
