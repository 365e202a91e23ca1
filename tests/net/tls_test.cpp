// TLS: with a certificate every connection is TLS (wss, https). The certificate is self-signed, made
// for the test by the openssl command into a temporary directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "server_fixture.hpp"

namespace cati::net::test {
namespace {

namespace fs = std::filesystem;

class NetTlsTest : public server_fixture {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cati-net-tls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                            " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1"
                            " -keyout '" + key().string() + "' -out '" + cert().string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static fs::path cert() { return dir_ / "cert.pem"; }
  static fs::path key() { return dir_ / "key.pem"; }

  void start_tls() {
    server_options options;
    options.tls_cert = cert().string();
    options.tls_key = key().string();
    start(options);
    ASSERT_TRUE(server_->tls());
  }

  static fs::path dir_;
};

fs::path NetTlsTest::dir_;

TEST_F(NetTlsTest, WebSocketRoundTripOverTls) {
  start_tls();
  auto c = connect(tls_offering("cati.v1", cert().string()));
  ASSERT_TRUE(c->send(ping(5)));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 5U);
  EXPECT_TRUE(reply->has_pong());
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 1; }));
  EXPECT_TRUE(handler_.open_sessions().at(0)->is_tls());
  EXPECT_TRUE(c->close()) << c->error();
}

TEST_F(NetTlsTest, JsonOverTls) {
  start_tls();
  auto c = connect(tls_offering("cati.v1.json", cert().string()));
  ASSERT_TRUE(c->send(ping(6)));
  const auto reply = c->receive();
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 6U);
}

TEST_F(NetTlsTest, HttpsHealthz) {
  start_tls();
  const auto res = http_request(port(), "/healthz", "GET", true, cert().string());
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "ok\n");
}

TEST_F(NetTlsTest, PlainClientsGetNothing) {
  start_tls();
  ws_test_client plain;
  EXPECT_FALSE(plain.connect(port()));
  EXPECT_EQ(http_request(port(), "/healthz").status, 0);
  EXPECT_EQ(handler_.opened(), 0);
}

TEST_F(NetTlsTest, GracefulStopOverTls) {
  start_tls();
  auto c = connect(tls_offering("cati.v1", cert().string()));
  ASSERT_TRUE(handler_.wait_until([&] { return handler_.opened_locked() == 1; }));
  server_->stop();
  auto got = c->receive();
  ASSERT_TRUE(got) << c->error();
  EXPECT_EQ(got->notice().kind(), cati::v1::Notice::SHUTTING_DOWN);
  got = c->receive();
  ASSERT_TRUE(got) << c->error();
  const auto end = c->read_frame();
  EXPECT_TRUE(end.closed) << end.error;
  server_->wait();
  EXPECT_EQ(handler_.closed(), 1);
}

TEST_F(NetTlsTest, UnreadableCertificateIsAClearError) {
  server_options options;
  options.tls_cert = (dir_ / "missing.pem").string();
  options.tls_key = key().string();
  try {
    server srv(options, handler_);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
  options.tls_cert = cert().string();
  options.tls_key.clear();
  EXPECT_THROW(server(options, handler_), std::runtime_error);
}

}  // namespace
}  // namespace cati::net::test
