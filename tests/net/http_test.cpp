// Plain HTTP on the WebSocket port: /healthz, /metrics, static files.
#include <gtest/gtest.h>

#include "server_fixture.hpp"

namespace cati::net::test {
namespace {

class NetHttpTest : public server_fixture {};

TEST_F(NetHttpTest, Healthz) {
  start();
  const auto res = http_request(port(), "/healthz");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "ok\n");
  EXPECT_EQ(res.content_type, "text/plain; charset=utf-8");
}

TEST_F(NetHttpTest, MetricsShowConnectionsAndMessageCounts) {
  start();
  auto c = connect();
  for (std::uint64_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(c->send(ping(i)));
    ASSERT_TRUE(c->receive()) << c->error();
  }
  ASSERT_TRUE(c->send_frame("\xff\xff", false));
  ASSERT_TRUE(c->receive()) << c->error();

  // The service's own series, registered by name on the same registry.
  server_->metrics().add_counter("cati_commits_total", "Transactions committed.").inc(5);
  server_->metrics().add_collector([](std::string& out) {
    out += "# HELP cati_quota_left Completes still needed.\n# TYPE cati_quota_left gauge\ncati_quota_left 17\n";
  });

  const auto res = http_request(port(), "/metrics");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const auto& m = res.body;
  EXPECT_NE(m.find("# TYPE cati_connections gauge\ncati_connections 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_messages_in_total{type=\"ping\"} 3\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_messages_in_total{type=\"login\"} 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_messages_out_total{type=\"pong\"} 3\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_messages_out_total{type=\"error\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_errors_total{code=\"MALFORMED\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE cati_http_requests_total counter\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_commits_total 5\n"), std::string::npos) << m;
  EXPECT_NE(m.find("cati_quota_left 17\n"), std::string::npos) << m;
}

TEST_F(NetHttpTest, CountsHttpRequests) {
  start();
  http_request(port(), "/healthz");
  http_request(port(), "/nothing");
  EXPECT_EQ(metric("cati_http_requests_total"), 2);
}

TEST_F(NetHttpTest, StaticFilesAndNotFound) {
  server_options options;
  options.files["/"] = {"text/html; charset=utf-8", "<!doctype html><title>supervisor</title>"};
  options.files["/app.js"] = {"text/javascript", "console.log(1);"};
  start(options);

  auto res = http_request(port(), "/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(res.body, "<!doctype html><title>supervisor</title>");

  res = http_request(port(), "/app.js?v=3");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "console.log(1);");

  res = http_request(port(), "/missing.css");
  EXPECT_EQ(res.status, 404);

  res = http_request(port(), "/healthz", "POST");
  EXPECT_EQ(res.status, 405);
}

}  // namespace
}  // namespace cati::net::test
