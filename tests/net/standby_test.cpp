// The standby side of the transport (net/standby.hpp), in-process: a standby answers every request with
// Error{STANDBY, active_server} and closes; /healthz says 503 and names the active server; once main
// switches to the service, new connections reach it while a connection opened on the standby stays a
// standby connection (the service never sees a session without its on_open).
#include <gtest/gtest.h>

#include <atomic>

#include "net/standby.hpp"
#include "server_fixture.hpp"

namespace cati::net::test {
namespace {

class NetStandbyTest : public server_fixture {
 protected:
  void start_standby() {
    server_options options;
    options.health = [this]() -> health_report {
      if (serving_) return {true, "active\n"};
      return standby_health(active_.get());
    };
    switch_.use(&standby_);
    server_ = std::make_unique<server>(
        [&] {
          options.address = "127.0.0.1";
          options.port = 0;
          options.announce = false;
          return options;
        }(),
        switch_);
    server_->start();
  }

  std::atomic<int> fetches_{0};
  std::atomic<bool> serving_{false};
  active_server_lookup active_{[this] {
                                 ++fetches_;
                                 return std::string("ws://10.0.0.5:8080");
                               },
                               std::chrono::hours(1)};
  standby_handler standby_{active_};
  handler_switch switch_;
};

cati::v1::ClientMessage ping_request(std::uint64_t id) {
  cati::v1::ClientMessage m;
  m.set_request_id(id);
  m.mutable_ping();
  return m;
}

TEST_F(NetStandbyTest, AnswersEveryRequestWithStandbyNamingTheActiveServerAndCloses) {
  start_standby();
  auto c = connect();
  ASSERT_TRUE(c->send(ping_request(7)));
  auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 7u);
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), cati::v1::Error::STANDBY);
  EXPECT_EQ(reply->error().active_server(), "ws://10.0.0.5:8080");
  EXPECT_EQ(reply->error().message(), "this server is a standby; the active server is at ws://10.0.0.5:8080");
  EXPECT_FALSE(c->receive()) << "closed after the reply";
  EXPECT_EQ(handler_.opened(), 0) << "the service never saw it";
}

TEST_F(NetStandbyTest, HealthzIs503NamingTheActiveServerThen200OnceServing) {
  start_standby();
  auto res = http_request(port(), "/healthz");
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.body, "standby: the active server is at ws://10.0.0.5:8080\n");
  http_request(port(), "/healthz");
  EXPECT_EQ(fetches_.load(), 1) << "the active server's address is read once per ttl, not per probe";
  serving_ = true;
  res = http_request(port(), "/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "active\n");
}

TEST_F(NetStandbyTest, AfterTheSwitchNewConnectionsReachTheServiceAndOldOnesStayStandby) {
  start_standby();
  auto before = connect();
  ASSERT_TRUE(eventually([&] { return server_->session_count() == 1; }));
  switch_.use(&handler_);
  auto after = connect();
  ASSERT_TRUE(after->send(ping_request(2)));
  auto pong = after->receive();
  ASSERT_TRUE(pong) << after->error();
  EXPECT_TRUE(pong->has_pong()) << pong->DebugString();
  ASSERT_TRUE(before->send(ping_request(1)));
  auto told = before->receive();
  ASSERT_TRUE(told) << before->error();
  ASSERT_TRUE(told->has_error()) << told->DebugString();
  EXPECT_EQ(told->error().code(), cati::v1::Error::STANDBY);
  EXPECT_EQ(handler_.opened(), 1) << "only the connection opened after the switch reached the service";
}

TEST(NetStandbyLookup, KeepsTheLastAnswerWhenTheDatabaseCannotBeRead) {
  int calls = 0;
  active_server_lookup lookup(
      [&]() -> std::string {
        if (++calls > 1) throw std::runtime_error("locked");
        return "ws://a:1";
      },
      std::chrono::milliseconds(0));
  EXPECT_EQ(lookup.get(), "ws://a:1");
  EXPECT_EQ(lookup.get(), "ws://a:1");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace cati::net::test
