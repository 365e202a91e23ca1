#include "net/access/login_guard.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace cati::net {

std::optional<core::milliseconds> login_guard::locked(const std::map<std::string, record>& m, const std::string& key,
                                                      core::time_point now) const {
  auto it = m.find(key);
  if (it == m.end() || it->second.until <= now) return std::nullopt;
  return it->second.until - now;
}

std::optional<login_guard::refusal> login_guard::admit(const std::string& user, const std::string& address,
                                                       core::time_point now) {
  auto wu = locked(by_user_, user, now);
  auto wa = locked(by_address_, address, now);
  if (wu || wa) return refusal{std::max(wu.value_or(core::milliseconds{}), wa.value_or(core::milliseconds{})),
                               "too many failed logins"};
  // Checks still queued may all fail: together with the failures so far they must stay within the limit.
  // Past it (a lockout that has run out) one check at a time, each failure doubling the next lockout.
  constexpr core::milliseconds soon = std::chrono::seconds(1);
  if (auto u = by_user_.find(user);
      u != by_user_.end() && u->second.pending >= std::max(1, options_.max_failures - u->second.failures))
    return refusal{soon, "earlier logins of " + user + " are still being checked"};
  if (auto a = by_address_.find(address); a != by_address_.end() && a->second.pending >= options_.max_checks_per_address)
    return refusal{soon, "too many logins from " + address + " are being checked"};
  if (pending_total_ >= options_.max_checks) return refusal{soon, "too many logins are being checked"};
  ++by_user_[user].pending;
  ++by_address_[address].pending;
  ++pending_total_;
  return std::nullopt;
}

void login_guard::fail(record& r, core::time_point now) {
  ++r.failures;
  if (r.failures < options_.max_failures) return;
  // Each failure past the limit doubles the wait, capped at an hour.
  int doublings = std::min(r.failures - options_.max_failures, 7);
  auto lock = std::min<core::milliseconds>(options_.lockout * (1 << doublings), std::chrono::hours(1));
  r.until = now + lock;
}

void login_guard::finished(const std::string& user, const std::string& address, bool ok, core::time_point now) {
  auto& u = by_user_[user];
  auto& a = by_address_[address];
  u.pending = std::max(u.pending - 1, 0);
  a.pending = std::max(a.pending - 1, 0);
  pending_total_ = std::max(pending_total_ - 1, 0);
  if (ok) {
    u.failures = 0;
    u.until = {};
    a.failures = 0;
    a.until = {};
  } else {
    fail(u, now);
    fail(a, now);
  }
  // Records with nothing to remember go, so that the maps do not grow with every name ever tried.
  if (u.failures == 0 && u.pending == 0) by_user_.erase(user);
  if (a.failures == 0 && a.pending == 0) by_address_.erase(address);
}

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string login_guard::digest_of(const std::string& value) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(value.data(), value.size(), md, &n, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("cannot hash a session token");
  return hex(md, n);
}

login_guard::token login_guard::issue(const std::string& user, core::time_point now) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a session token");
  // Forget expired tokens as new ones are made, so the table does not grow without bound.
  std::erase_if(tokens_, [&](const auto& t) { return t.second.expires <= now; });
  std::erase_if(revoked_, [&](const auto& t) { return t.second.expires <= now; });
  token t{hex(bytes, sizeof bytes), "", now + options_.token_ttl};
  t.digest = digest_of(t.value);
  tokens_[t.digest] = {user, t.expires};
  return t;
}

void login_guard::restore(const std::string& digest, const std::string& user, core::time_point expires) {
  tokens_[digest] = {user, expires};
}

std::optional<std::string> login_guard::redeem(const std::string& value, core::time_point now) const {
  auto it = tokens_.find(digest_of(value));
  if (it == tokens_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.user;
}

bool login_guard::has_token(const std::string& user, core::time_point now) const {
  return std::any_of(tokens_.begin(), tokens_.end(),
                     [&](const auto& t) { return t.second.user == user && t.second.expires > now; });
}

std::optional<std::string> login_guard::revoked_because(const std::string& value, core::time_point now) const {
  auto it = revoked_.find(digest_of(value));
  if (it == revoked_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.why;
}

std::vector<std::string> login_guard::revoke_user(const std::string& user, const std::string& keep,
                                                  const std::string& why) {
  std::vector<std::string> out;
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if (it->second.user == user && it->first != keep) {
      revoked_[it->first] = {why, it->second.expires};
      out.push_back(it->first);
      it = tokens_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::string login_guard::revoke(const std::string& value) {
  auto digest = digest_of(value);
  tokens_.erase(digest);
  return digest;
}

}  // namespace cati::net
