// Reconnect backoff and server URLs.
#include <gtest/gtest.h>

#include "lib/backoff.hpp"
#include "lib/url.hpp"

namespace cati::client {
namespace {

using std::chrono::milliseconds;

TEST(ClientBackoff, DoublesWithJitterUpToTheMaximum) {
  backoff b({milliseconds(100), milliseconds(5000)}, 42);
  const long ceilings[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  for (const long ceiling : ceilings) {
    const auto d = b.next().count();
    EXPECT_GE(d, ceiling / 2);
    EXPECT_LE(d, ceiling);
  }
}

TEST(ClientBackoff, ResetStartsAgainFromTheInitialDelay) {
  backoff b({milliseconds(100), milliseconds(5000)}, 7);
  for (int i = 0; i < 10; ++i) b.next();
  b.reset();
  EXPECT_LE(b.next().count(), 100);
}

TEST(ClientBackoff, TheSeedDecidesTheJitterAndSeedsDiffer) {
  backoff a({milliseconds(1000), milliseconds(5000)}, 1);
  backoff same({milliseconds(1000), milliseconds(5000)}, 1);
  backoff other({milliseconds(1000), milliseconds(5000)}, 2);
  bool differs = false;
  for (int i = 0; i < 8; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, same.next());
    differs = differs || x != other.next();
  }
  EXPECT_TRUE(differs);  // terminals do not reconnect in lockstep
}

TEST(ClientUrl, ParsesWsAndWss) {
  auto u = parse_url("ws://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/");
  u = parse_url("wss://cati.example/ws/v1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/ws/v1");
  EXPECT_EQ(u->authority(), "cati.example:443");
  u = parse_url("ws://[::1]:9000/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->authority(), "[::1]:9000");
}

TEST(ClientUrl, RefusesWhatIsNotAWebSocketUrl) {
  for (const char* bad : {"http://x:80", "127.0.0.1:8080", "ws://", "ws://:80", "ws://h:0", "ws://h:99999",
                          "ws://h:8o", "ws://[::1"}) {
    const auto u = parse_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, errc::bad_url);
  }
}

TEST(ClientUrl, AListOfServersIsCommaSeparatedAndEachIsChecked) {
  auto list = parse_url_list("ws://a:8080, wss://b:8443/ws ,ws://[::1]:9000");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].text(), "ws://a:8080");
  EXPECT_EQ((*list)[1].text(), "wss://b:8443/ws");
  EXPECT_EQ((*list)[2].text(), "ws://[::1]:9000");
  EXPECT_TRUE((*list)[0].same_server(*parse_url("ws://a:8080/other")));
  EXPECT_FALSE((*list)[0].same_server(*parse_url("wss://a:8080")));
  ASSERT_TRUE(parse_url_list("ws://one:1"));
  EXPECT_EQ(parse_url_list("ws://one:1")->size(), 1u);
  for (const char* bad : {"", "ws://a:1,", ",ws://a:1", "ws://a:1,,ws://b:2", "ws://a:1,http://b:2"}) {
    const auto u = parse_url_list(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, errc::bad_url) << bad;
  }
  EXPECT_NE(parse_url_list("ws://a:1,http://b:2").error().message.find("http://b:2"), std::string::npos);
}

}  // namespace
}  // namespace cati::client
