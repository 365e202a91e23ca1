// The WebSocket transport end to end: a real server on 127.0.0.1 port 0, real clients.
#include <gtest/gtest.h>

#include <thread>

#include "server_fixture.hpp"

namespace cati::net::test {
namespace {

class NetWebSocketTest : public server_fixture {};

TEST_F(NetWebSocketTest, BinaryRoundTrip) {
  start();
  auto c = connect();
  EXPECT_EQ(c->subprotocol(), "cati.v1");
  ASSERT_TRUE(c->send(ping(42)));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 42U);
  ASSERT_TRUE(reply->has_pong());
  EXPECT_EQ(reply->pong().now(), "pong");

  ASSERT_TRUE(handler_.wait_until([&] { return handler_.messages_locked() == 1; }));
  const auto got = handler_.messages();
  EXPECT_TRUE(got[0].has_ping());
  EXPECT_EQ(got[0].request_id(), 42U);
  EXPECT_EQ(handler_.opened(), 1);
  const auto open = handler_.open_sessions();
  ASSERT_EQ(open.size(), 1U);
  EXPECT_FALSE(open[0]->is_json());
  EXPECT_FALSE(open[0]->is_tls());
  EXPECT_EQ(open[0]->peer_address(), "127.0.0.1");
  EXPECT_EQ(open[0]->peer().rfind("127.0.0.1:", 0), 0U);

  ASSERT_TRUE(c->close());
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.closed_locked() == 1; }));
  EXPECT_TRUE(eventually([&] { return server_->session_count() == 0; }));
}

TEST_F(NetWebSocketTest, JsonRoundTrip) {
  start();
  auto c = connect(offering("cati.v1.json"));
  EXPECT_EQ(c->subprotocol(), "cati.v1.json");

  // Written by hand, as the supervisor page would: lowerCamelCase names, a uint64 as a string.
  ASSERT_TRUE(c->send_frame(R"({"requestId": "7", "login": {"user": "ann", "password": "x"}})", true));
  const auto frame = c->read_frame();
  ASSERT_TRUE(frame.ok) << frame.error;
  EXPECT_TRUE(frame.text);
  EXPECT_NE(frame.data.find("\"pong\""), std::string::npos) << frame.data;
  EXPECT_NE(frame.data.find("\"requestId\":\"7\""), std::string::npos) << frame.data;

  ASSERT_TRUE(c->send(ping(8)));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 8U);
  EXPECT_EQ(reply->pong().now(), "pong");

  ASSERT_TRUE(handler_.wait_until([&] { return handler_.messages_locked() == 2; }));
  EXPECT_EQ(handler_.messages()[0].login().user(), "ann");
  EXPECT_TRUE(handler_.open_sessions().at(0)->is_json());
}

TEST_F(NetWebSocketTest, PicksTheFirstKnownSubprotocolOffered) {
  start();
  auto c = connect(offering("chat, cati.v1.json, cati.v1"));
  EXPECT_EQ(c->subprotocol(), "cati.v1.json");
}

TEST_F(NetWebSocketTest, UpgradeWithoutAKnownSubprotocolIsRefused) {
  start();
  for (const char* offered : {"", "chat", "cati.v2"}) {
    ws_test_client c(offering(offered));
    EXPECT_FALSE(c.connect(port())) << offered;
    EXPECT_EQ(c.status(), 400) << offered << ": " << c.error();
  }
  EXPECT_EQ(handler_.opened(), 0);
}

TEST_F(NetWebSocketTest, GarbageIsMalformedAndTheConnectionStaysUsable) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->send_frame(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11), false));
  auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), cati::v1::Error::MALFORMED);
  EXPECT_NE(reply->error().message().find("not a cati.v1.ClientMessage"), std::string::npos)
      << reply->error().message();

  // A text frame on the binary subprotocol.
  ASSERT_TRUE(c->send_frame(R"({"ping": {}})", true));
  reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->error().code(), cati::v1::Error::MALFORMED);
  EXPECT_NE(reply->error().message().find("text frame"), std::string::npos) << reply->error().message();

  ASSERT_TRUE(c->send(ping(3)));
  reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 3U);
  EXPECT_TRUE(reply->has_pong());

  EXPECT_EQ(handler_.messages().size(), 1U);  // only the Ping reached the handler
  EXPECT_EQ(metric("cati_errors_total", {{"code", "MALFORMED"}}), 2);
}

TEST_F(NetWebSocketTest, UnknownJsonIsMalformed) {
  start();
  auto c = connect(offering("cati.v1.json"));
  for (const char* bad : {R"({"requestId": "5", "pnig": {}})", "not json at all", R"({"ping": 5})"}) {
    ASSERT_TRUE(c->send_frame(bad, true));
    const auto reply = c->receive();
    ASSERT_TRUE(reply) << c->error();
    ASSERT_TRUE(reply->has_error()) << bad;
    EXPECT_EQ(reply->error().code(), cati::v1::Error::MALFORMED) << bad;
  }
  // A binary frame on the JSON subprotocol.
  std::string bytes;
  ping(1).SerializeToString(&bytes);
  ASSERT_TRUE(c->send_frame(bytes, false));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->error().code(), cati::v1::Error::MALFORMED);
  EXPECT_NE(reply->error().message().find("binary frame"), std::string::npos);
  EXPECT_TRUE(handler_.messages().empty());
}

TEST_F(NetWebSocketTest, EmptyBodyIsMalformedAndEchoesTheRequestId) {
  start();
  auto c = connect();
  cati::v1::ClientMessage empty;
  empty.set_request_id(99);
  ASSERT_TRUE(c->send(empty));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 99U);
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), cati::v1::Error::MALFORMED);
  EXPECT_NE(reply->error().message().find("no body"), std::string::npos);

  // The zero-length frame (an all-default message) too.
  ASSERT_TRUE(c->send_frame("", false));
  const auto again = c->receive();
  ASSERT_TRUE(again) << c->error();
  EXPECT_EQ(again->error().code(), cati::v1::Error::MALFORMED);
  EXPECT_TRUE(handler_.messages().empty());
}

TEST_F(NetWebSocketTest, OversizedFrameClosesTheConnection) {
  server_options options;
  options.limits.max_frame_bytes = 1024;
  start(options);
  auto c = connect();
  cati::v1::ClientMessage big;
  big.mutable_login()->set_user(std::string(2000, 'u'));
  ASSERT_TRUE(c->send(big));
  const auto frame = c->read_frame();
  ASSERT_FALSE(frame.ok);
  EXPECT_TRUE(frame.closed) << frame.error;
  EXPECT_EQ(frame.close_code, 1009);
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.closed_locked() == 1; }));
  EXPECT_TRUE(handler_.messages().empty());
  EXPECT_EQ(metric("cati_disconnects_total", {{"reason", "too_big"}}), 1);
}

TEST_F(NetWebSocketTest, HandlerExceptionIsAnsweredInternal) {
  start();
  auto c = connect();
  cati::v1::ClientMessage m;
  m.set_request_id(11);
  m.mutable_login()->set_user("throw");
  ASSERT_TRUE(c->send(m));
  auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 11U);
  EXPECT_EQ(reply->error().code(), cati::v1::Error::INTERNAL);
  ASSERT_TRUE(c->send(ping(12)));
  reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_TRUE(reply->has_pong());
}

TEST_F(NetWebSocketTest, ClientThatDoesNotReadIsDisconnected) {
  server_options options;
  options.limits.max_queue_messages = 64;
  options.limits.max_queue_bytes = 1024 * 1024;
  start(options);
  auto c = connect();
  // 2000 pushes of 32 KiB (64 MB): far more than the socket buffers and the queue bound hold.
  cati::v1::ClientMessage flood;
  flood.mutable_login()->set_user("flood");
  flood.mutable_login()->set_password("2000 32768");
  ASSERT_TRUE(c->send(flood));
  // Not reading: the server must give up on us by itself.
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.closed_locked() == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(metric("cati_disconnects_total", {{"reason", "slow_consumer"}}), 1);
  // on_close comes first, then the session leaves the registry.
  EXPECT_TRUE(eventually([&] { return server_->session_count() == 0; }));

  // What was in the socket buffers can still be read; then the connection ends without a close frame.
  int frames = 0;
  for (;;) {
    const auto f = c->read_frame();
    if (!f.ok) {
      EXPECT_FALSE(f.timed_out);
      EXPECT_FALSE(f.closed);
      break;
    }
    ++frames;
  }
  EXPECT_LT(frames, 2000);
}

TEST_F(NetWebSocketTest, BroadcastReachesEverySession) {
  start();
  std::vector<std::unique_ptr<ws_test_client>> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(connect(offering(i % 2 ? "cati.v1.json" : "cati.v1")));
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 4; }));
  ASSERT_EQ(server_->session_count(), 4U);

  cati::v1::ServerMessage notice;
  notice.mutable_notice()->set_kind(cati::v1::Notice::QUOTA_CELL_CLOSED);
  notice.mutable_notice()->set_message("region=VLA is full");
  server_->broadcast(notice);
  for (auto& c : clients) {
    const auto got = c->receive();
    ASSERT_TRUE(got) << c->error();
    EXPECT_EQ(got->notice().kind(), cati::v1::Notice::QUOTA_CELL_CLOSED);
    EXPECT_EQ(got->notice().message(), "region=VLA is full");
  }
}

TEST_F(NetWebSocketTest, HandlerPushesThroughAWeakHandleFromAnotherThread) {
  start();
  auto c = connect();
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 1; }));
  std::weak_ptr<session> weak = handler_.open_sessions().at(0);
  std::thread pusher([weak] {
    cati::v1::ServerMessage m;
    m.mutable_status()->set_completes(12);
    if (auto s = weak.lock()) s->send(m);
  });
  pusher.join();
  const auto got = c->receive();
  ASSERT_TRUE(got) << c->error();
  EXPECT_EQ(got->status().completes(), 12);

  ASSERT_TRUE(c->close());
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.closed_locked() == 1; }));
  // The handler let go in on_close; the transport's handle goes with the connection.
  EXPECT_TRUE(eventually([&] { return weak.expired(); }));
}

TEST_F(NetWebSocketTest, GracefulStopTellsEverySessionAndClosesThem) {
  start();
  std::vector<std::unique_ptr<ws_test_client>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect());
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 3; }));

  server_->stop();
  for (auto& c : clients) {
    auto got = c->receive();
    ASSERT_TRUE(got) << c->error();
    EXPECT_EQ(got->notice().kind(), cati::v1::Notice::SHUTTING_DOWN);
    // What the service sent while draining arrives before the close.
    got = c->receive();
    ASSERT_TRUE(got) << c->error();
    EXPECT_EQ(got->notice().message(), "drained");
    const auto end = c->read_frame();
    EXPECT_FALSE(end.ok);
    EXPECT_TRUE(end.closed) << end.error;
    EXPECT_EQ(end.close_code, 1001);
  }
  server_->wait();
  EXPECT_TRUE(handler_.drained());
  EXPECT_EQ(handler_.closed(), 3);
  EXPECT_EQ(server_->session_count(), 0U);

  // No longer accepting.
  ws_test_client late;
  EXPECT_FALSE(late.connect(port()));
}

TEST_F(NetWebSocketTest, GracefulStopCutsSessionsThatDoNotClose) {
  server_options options;
  options.close_timeout = std::chrono::milliseconds(200);
  start(options);
  auto c = connect();  // never reads, so never answers the close frame
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  server_->wait();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(handler_.closed(), 1);
  EXPECT_EQ(metric("cati_disconnects_total", {{"reason", "shutdown_timeout"}}), 1);
}

TEST_F(NetWebSocketTest, GracefulStopGoesOnWhenTheDrainNeverEnds) {
  handler_.set_drain_hangs();
  server_options options;
  options.drain_timeout = std::chrono::milliseconds(200);
  start(options);
  auto c = connect();
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 1; }));
  server_->stop();
  auto got = c->receive();
  ASSERT_TRUE(got) << c->error();
  EXPECT_EQ(got->notice().kind(), cati::v1::Notice::SHUTTING_DOWN);
  const auto end = c->read_frame();
  EXPECT_TRUE(end.closed) << end.error;
  EXPECT_EQ(end.close_code, 1001);
  server_->wait();
  EXPECT_EQ(handler_.closed(), 1);
}

TEST_F(NetWebSocketTest, GracefulStopWithNoSessionsEnds) {
  start();
  server_->stop();
  server_->stop();  // idempotent
  server_->wait();
  EXPECT_TRUE(handler_.drained());
}

}  // namespace
}  // namespace cati::net::test
