#include "net/login_guard.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace cati::net {

std::optional<core::milliseconds> login_guard::wait(const record* r, core::time_point now) {
  if (!r || r->until <= now) return std::nullopt;
  return r->until - now;
}

std::optional<core::milliseconds> login_guard::throttled(const std::string& user, const std::string& address,
                                                         core::time_point now) const {
  auto u = by_user_.find(user);
  auto a = by_address_.find(address);
  auto wu = wait(u == by_user_.end() ? nullptr : &u->second, now);
  auto wa = wait(a == by_address_.end() ? nullptr : &a->second, now);
  if (!wu) return wa;
  if (!wa) return wu;
  return std::max(*wu, *wa);
}

void login_guard::fail(record& r, core::time_point now) {
  ++r.failures;
  if (r.failures < options_.max_failures) return;
  // Each failure past the limit doubles the wait, capped at an hour.
  int doublings = std::min(r.failures - options_.max_failures, 7);
  auto lock = std::min<core::milliseconds>(options_.lockout * (1 << doublings), std::chrono::hours(1));
  r.until = now + lock;
}

void login_guard::failed(const std::string& user, const std::string& address, core::time_point now) {
  fail(by_user_[user], now);
  fail(by_address_[address], now);
}

void login_guard::succeeded(const std::string& user, const std::string& address) {
  by_user_.erase(user);
  by_address_.erase(address);
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
  std::erase_if(tokens_, [&](const auto& t) { return t.second.second <= now; });
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
  if (it == tokens_.end() || it->second.second <= now) return std::nullopt;
  return it->second.first;
}

std::string login_guard::revoke(const std::string& value) {
  auto digest = digest_of(value);
  tokens_.erase(digest);
  return digest;
}

}  // namespace cati::net
