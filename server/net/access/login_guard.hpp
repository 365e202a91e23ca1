// Session tokens and login throttling, part of access (net/access/access.hpp).
//
// Tokens: 32 random bytes (OpenSSL RAND_bytes), hex; each maps to a user until it expires. A terminal
// reconnects with its token instead of the password. Only a token's SHA-256 digest is kept (here and,
// through the service, in the store, from which restore() reloads them after a restart). A token revoked
// because another login took the session (or a supervisor ended it) is remembered, with why, until it
// would have expired, so that a terminal waking with it is told so instead of "expired".
//
// Throttling counts an attempt when it ARRIVES (admit), not when its password check ends: a user name
// with `max_failures` failures plus checks still queued is refused at once, so a burst of wrong
// passwords gets at most `max_failures` of them checked (one at a time once a lockout has run out).
// After `max_failures` failures in a row for one
// user name, or from one address, further attempts are refused for `lockout` (doubling with each further
// failure, up to an hour), without checking the password. The queue of checks is bounded per address
// and overall too: a flood from many names cannot delay everybody's login without bound.
//
// Thread-safety: none; access calls it from the fieldwork strand.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ports/clock.hpp"

namespace cati::net {

class login_guard {
 public:
  struct options {
    int max_failures = 5;
    core::milliseconds lockout = std::chrono::seconds(30);
    core::milliseconds token_ttl = std::chrono::hours(12);
    // Password checks queued or running for one address, and for everybody. Large enough for a call
    // centre behind one NAT address logging in at 9:00, and for tools/bench (2,000 terminals from
    // 127.0.0.1 logging in at once, which treats a refusal as a failure).
    int max_checks_per_address = 4096;
    int max_checks = 8192;
  };

  login_guard() : login_guard(options{}) {}
  explicit login_guard(options o) : options_(o) {}

  struct refusal {
    core::milliseconds retry_after;
    std::string why;
  };
  // An attempt arrives: counted now (a check is pending until finished() is called for it), or refused
  // with how long to wait and why.
  std::optional<refusal> admit(const std::string& user, const std::string& address, core::time_point now);
  // The check admit() let through is over: a failure counts towards the lockout, a success clears it.
  void finished(const std::string& user, const std::string& address, bool ok, core::time_point now);
  int checks_pending() const { return pending_total_; }

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
  // True when `user` holds a token that has not expired.
  bool has_token(const std::string& user, core::time_point now) const;
  // Why a token no longer works when it was revoked by someone else (takeover, supervisor); nullopt when
  // it is simply unknown or expired.
  std::optional<std::string> revoked_because(const std::string& value, core::time_point now) const;
  // Forgets the token; returns its digest (to forget it in the store too).
  std::string revoke(const std::string& value);
  // Revokes every token of `user` but `keep` (a digest), remembering `why`; returns their digests.
  std::vector<std::string> revoke_user(const std::string& user, const std::string& keep, const std::string& why);
  // Lowercase hex SHA-256.
  static std::string digest_of(const std::string& value);

 private:
  struct record {
    int failures = 0;
    int pending = 0;
    core::time_point until{};
  };
  void fail(record& r, core::time_point now);
  std::optional<core::milliseconds> locked(const std::map<std::string, record>& m, const std::string& key,
                                           core::time_point now) const;

  options options_;
  std::map<std::string, record> by_user_, by_address_;
  int pending_total_ = 0;
  struct held {
    std::string user;
    core::time_point expires;
  };
  std::map<std::string, held> tokens_;  // digest -> user, expiry
  struct gone {
    std::string why;
    core::time_point expires;
  };
  std::map<std::string, gone> revoked_;  // digest -> why, until the token would have expired
};

}  // namespace cati::net
