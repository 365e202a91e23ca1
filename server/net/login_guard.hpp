// Session tokens and login throttling for the fieldwork service.
//
// Tokens: 32 random bytes (OpenSSL RAND_bytes), hex; each maps to a user until it expires. A terminal
// reconnects with its token instead of the password. Only a token's SHA-256 digest is kept (here and,
// through the service, in the store, from which restore() reloads them after a restart). Throttling: after `max_failures` failed logins in a
// row for one user name, or from one address, further attempts are refused for `lockout` (doubling
// with each further failure, up to an hour), without checking the password (so guessing gains nothing).
//
// Thread-safety: none; the service calls it from its strand.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/ports/clock.hpp"

namespace cati::net {

class login_guard {
 public:
  struct options {
    int max_failures = 5;
    core::milliseconds lockout = std::chrono::seconds(30);
    core::milliseconds token_ttl = std::chrono::hours(12);
  };

  login_guard() : login_guard(options{}) {}
  explicit login_guard(options o) : options_(o) {}

  // How long `user` from `address` must still wait before another try; nullopt: may try now.
  std::optional<core::milliseconds> throttled(const std::string& user, const std::string& address,
                                              core::time_point now) const;
  void failed(const std::string& user, const std::string& address, core::time_point now);
  void succeeded(const std::string& user, const std::string& address);

  struct token {
    std::string value;
    std::string digest;  // digest_of(value)
    core::time_point expires;
  };
  token issue(const std::string& user, core::time_point now);
  // A token issued before a restart, by its digest.
  void restore(const std::string& digest, const std::string& user, core::time_point expires);
  // The user a token belongs to, if it is known and not expired.
  std::optional<std::string> redeem(const std::string& value, core::time_point now) const;
  // Forgets the token; returns its digest (to forget it in the store too).
  std::string revoke(const std::string& value);
  // Lowercase hex SHA-256.
  static std::string digest_of(const std::string& value);

 private:
  struct record {
    int failures = 0;
    core::time_point until{};
  };
  void fail(record& r, core::time_point now);
  static std::optional<core::milliseconds> wait(const record* r, core::time_point now);

  options options_;
  std::map<std::string, record> by_user_, by_address_;
  std::map<std::string, std::pair<std::string, core::time_point>> tokens_;  // digest -> user, expiry
};

}  // namespace cati::net
