// The address policy: without TLS, loopback only unless --insecure-listen.
#include "net/listen_policy.hpp"

#include <gtest/gtest.h>

namespace cati::net {
namespace {

TEST(NetListenPolicyTest, LoopbackIsAllowedWithoutTls) {
  for (const char* host : {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(check_listen_address(host, 8080, false, false), std::nullopt) << host;
  }
}

TEST(NetListenPolicyTest, OtherAddressesNeedTlsOrInsecureListen) {
  const auto refused = check_listen_address("0.0.0.0", 8080, false, false);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused,
            "refusing to listen on 0.0.0.0:8080 without TLS: give --tls-cert/--tls-key, or --insecure-listen");
  EXPECT_TRUE(check_listen_address("::", 8080, false, false));
  EXPECT_EQ(*check_listen_address("::", 8080, false, false),
            "refusing to listen on [::]:8080 without TLS: give --tls-cert/--tls-key, or --insecure-listen");
  EXPECT_TRUE(check_listen_address("192.168.1.10", 443, false, false));
  EXPECT_TRUE(check_listen_address("example.org", 443, false, false));  // a name could resolve anywhere
  EXPECT_TRUE(check_listen_address("128.0.0.1", 80, false, false));

  EXPECT_EQ(check_listen_address("0.0.0.0", 8080, true, false), std::nullopt);
  EXPECT_EQ(check_listen_address("0.0.0.0", 8080, false, true), std::nullopt);
}

TEST(NetListenPolicyTest, ParsesListenAddresses) {
  auto a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a) << a.err().message;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = parse_listen_address("[::1]:0");
  ASSERT_TRUE(a) << a.err().message;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  a = parse_listen_address("localhost:65535");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 65535);
  for (const char* bad : {"", "8080", "127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536", "127.0.0.1:80x",
                          "::1:8080", "[::1]8080", "[::1]"}) {
    const auto r = parse_listen_address(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.err().message.find("HOST:PORT"), std::string::npos);
    }
  }
}

TEST(NetListenPolicyTest, FormatsHostAndPort) {
  EXPECT_EQ(format_host_port("127.0.0.1", 80), "127.0.0.1:80");
  EXPECT_EQ(format_host_port("::1", 80), "[::1]:80");
}

}  // namespace
}  // namespace cati::net
