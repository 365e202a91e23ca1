// The transport's bounds on what peers hold (session_limits, connection_gate), shrunk so that a test
// reaches them: open connections and logins in progress, each refused at its bound, counted in the
// registry, and given back when the connection ends.
#include <gtest/gtest.h>

#include "server_fixture.hpp"

namespace cati::net::test {
namespace {

class NetLimitsTest : public server_fixture {};

// A Login the test handler never answers (it pushes 0 pongs): it stays in progress.
cati::v1::ClientMessage unanswered_login(std::uint64_t request_id) {
  cati::v1::ClientMessage m;
  m.set_request_id(request_id);
  m.mutable_login()->set_user("flood");
  m.mutable_login()->set_password("0 0");
  return m;
}

TEST_F(NetLimitsTest, LoginsBeyondTheBoundAreThrottledUntilOneEndsAndASecondOnOneConnectionGoesOn) {
  server_options o;
  o.limits.max_logins_in_progress = 2;
  start(o);
  auto a = connect();
  auto b = connect();
  auto c = connect();
  ASSERT_TRUE(a->send(unanswered_login(1)));
  ASSERT_TRUE(b->send(unanswered_login(2)));
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.messages_locked() == 2; }));
  EXPECT_EQ(metric("cati_logins_in_progress"), 2);

  ASSERT_TRUE(c->send(unanswered_login(3)));
  auto refused = c->receive();
  ASSERT_TRUE(refused && refused->has_error()) << c->error();
  EXPECT_EQ(refused->request_id(), 3U);
  EXPECT_EQ(refused->error().code(), cati::v1::Error::THROTTLED);
  EXPECT_EQ(refused->error().retry_after_seconds(), 1);
  EXPECT_EQ(metric("cati_refused_total", {{"reason", "max_logins"}}), 1);

  // A second login on a connection whose first is not answered goes on to the service (which throttles in
  // request order), holding no second place.
  ASSERT_TRUE(a->send(unanswered_login(4)));
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.messages_locked() == 3; }));
  EXPECT_EQ(metric("cati_logins_in_progress"), 2);

  // A connection that goes away gives its place back.
  ASSERT_TRUE(a->close());
  ASSERT_TRUE(eventually([&] { return metric("cati_logins_in_progress") == 1; }));
  ASSERT_TRUE(c->send(unanswered_login(5)));
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.messages_locked() == 4; }));
  EXPECT_EQ(handler_.messages().back().request_id(), 5U);
  EXPECT_EQ(metric("cati_logins_in_progress"), 2);
}

TEST_F(NetLimitsTest, AnAnsweredLoginIsNoLongerInProgress) {
  server_options o;
  o.limits.max_logins_in_progress = 1;
  start(o);
  auto a = connect();
  cati::v1::ClientMessage login;
  login.set_request_id(7);
  login.mutable_login()->set_user("throw");  // answered INTERNAL by the transport
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a->send(login));
    auto reply = a->receive();
    ASSERT_TRUE(reply && reply->has_error());
    EXPECT_EQ(reply->error().code(), cati::v1::Error::INTERNAL) << "attempt " << i;
  }
  EXPECT_EQ(metric("cati_logins_in_progress"), 0);
}

TEST_F(NetLimitsTest, ConnectionsBeyondTheBoundAreClosedAtOnceAndCounted) {
  server_options o;
  o.limits.max_connections = 3;
  start(o);
  auto a = connect();
  auto b = connect();
  auto c = connect();
  EXPECT_EQ(metric("cati_tcp_connections"), 3);
  EXPECT_EQ(metric("cati_limit", {{"name", "max_connections"}}), 3);
  ws_test_client d;
  EXPECT_FALSE(d.connect(port())) << "a fourth connection was upgraded";
  EXPECT_EQ(metric("cati_refused_total", {{"reason", "max_connections"}}), 1);
  // Places come back when connections end.
  ASSERT_TRUE(a->close());
  ASSERT_TRUE(eventually([&] { return metric("cati_tcp_connections") == 2; }));
  auto e = connect();
  ASSERT_TRUE(e->send(ping(1)));
  auto pong = e->receive();
  EXPECT_TRUE(pong && pong->has_pong());
  // Every reply written: nothing left in the write queues.
  EXPECT_TRUE(eventually([&] { return metric("cati_queued_bytes") == 0; })) << metric("cati_queued_bytes");
}

TEST_F(NetLimitsTest, BytesQueuedForAClientThatDoesNotReadAreCountedAndGivenBackWhenCut) {
  server_options o;
  o.limits.max_queue_bytes = 256 * 1024;
  start(o);
  auto c = connect();
  // 400 pushes of 4 kB at once: the queue passes its bound, the connection is cut, its bytes given back.
  cati::v1::ClientMessage flood;
  flood.mutable_login()->set_user("flood");
  flood.mutable_login()->set_password("400 4096");
  ASSERT_TRUE(c->send(flood));
  EXPECT_TRUE(eventually([&] { return metric("cati_disconnects_total", {{"reason", "slow_consumer"}}) == 1; }));
  EXPECT_TRUE(eventually([&] { return metric("cati_queued_bytes") == 0; })) << metric("cati_queued_bytes");
}

}  // namespace
}  // namespace cati::net::test
