// The login throttle and the session tokens of access (net/access/login_guard.hpp), without a server:
// attempts count when they arrive, the lockout starts at exactly the limit and doubles, a success clears
// it, the queue of checks is bounded, and tokens revoked by a takeover say why.
#include <gtest/gtest.h>

#include "core/ports/clock_spec.hpp"
#include "net/access/login_guard.hpp"

namespace cati::net {
namespace {

using namespace std::chrono_literals;

core::time_point t0() { return core::parse_instant("2025-10-13T09:00:00+02:00").value(); }

TEST(LoginGuard, AttemptsCountWhenTheyArriveSoABurstGetsOnlyTheLimitChecked) {
  login_guard g({.max_failures = 5});
  int admitted = 0;
  for (int i = 0; i < 20; ++i)
    if (!g.admit("anna", "10.0.0.1", t0())) ++admitted;
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(g.checks_pending(), 5);
}

TEST(LoginGuard, LockoutStartsAtExactlyTheLimitAndDoubles) {
  login_guard g({.max_failures = 5, .lockout = 30s});
  const auto now = t0();
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(g.admit("anna", "10.0.0.1", now)) << "attempt " << i + 1;
    g.finished("anna", "10.0.0.1", false, now);
  }
  ASSERT_FALSE(g.admit("anna", "10.0.0.1", now)) << "the fifth attempt is still checked";
  g.finished("anna", "10.0.0.1", false, now);
  auto r = g.admit("anna", "10.0.0.1", now);
  ASSERT_TRUE(r) << "locked after the fifth failure";
  EXPECT_EQ(r->retry_after, 30s);
  EXPECT_TRUE(g.admit("anna", "10.0.0.2", now + 29s)) << "the user name is locked from every address";
  EXPECT_FALSE(g.admit("anna", "10.0.0.2", now + 30s)) << "free again after the lockout";
  g.finished("anna", "10.0.0.2", false, now + 30s);
  auto again = g.admit("anna", "10.0.0.2", now + 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->retry_after, 60s) << "each failure past the limit doubles the wait";
}

TEST(LoginGuard, ASuccessClearsTheCount) {
  login_guard g({.max_failures = 3});
  const auto now = t0();
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(g.admit("anna", "a", now));
    g.finished("anna", "a", false, now);
  }
  ASSERT_FALSE(g.admit("anna", "a", now));
  g.finished("anna", "a", true, now);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(g.admit("anna", "a", now)) << "attempt " << i + 1 << " after the success";
    g.finished("anna", "a", false, now);
  }
  EXPECT_TRUE(g.admit("anna", "a", now));
}

TEST(LoginGuard, TheQueueOfChecksIsBoundedPerAddressAndOverall) {
  login_guard g({.max_failures = 5, .max_checks_per_address = 3, .max_checks = 4});
  const auto now = t0();
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(g.admit("user" + std::to_string(i), "a", now));
  auto per_address = g.admit("user9", "a", now);
  ASSERT_TRUE(per_address);
  EXPECT_GT(per_address->retry_after, 0s);
  ASSERT_FALSE(g.admit("user9", "b", now));
  EXPECT_TRUE(g.admit("user10", "c", now)) << "four checks queued in all";
  g.finished("user0", "a", true, now);
  EXPECT_FALSE(g.admit("user10", "c", now)) << "one ended: room again";
}

TEST(LoginGuard, TokensRevokedByATakeoverSayWhy) {
  login_guard g;
  const auto now = t0();
  auto old_token = g.issue("anna", now);
  auto other = g.issue("ben", now);
  auto fresh = g.issue("anna", now + 1min);
  auto gone = g.revoke_user("anna", fresh.digest, "taken over by a login from 10.0.0.2");
  ASSERT_EQ(gone.size(), 1U);
  EXPECT_EQ(gone.front(), old_token.digest);
  EXPECT_FALSE(g.redeem(old_token.value, now + 2min));
  EXPECT_EQ(g.revoked_because(old_token.value, now + 2min), "taken over by a login from 10.0.0.2");
  EXPECT_EQ(g.redeem(fresh.value, now + 2min), "anna");
  EXPECT_EQ(g.redeem(other.value, now + 2min), "ben");
  EXPECT_FALSE(g.revoked_because(other.value, now + 2min));
  EXPECT_TRUE(g.has_token("anna", now + 2min));
  EXPECT_FALSE(g.has_token("carl", now));
}

}  // namespace
}  // namespace cati::net
