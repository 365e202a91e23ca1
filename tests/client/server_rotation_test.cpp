// Which server a client goes to next among an active server and its standbys (lib/server_rotation.hpp,
// docs/protocol.md "Standby servers"): shared by the session and cati-load's storm terminals.
#include <gtest/gtest.h>

#include "lib/server_rotation.hpp"

namespace cati::client {
namespace {

using std::chrono::milliseconds;

std::vector<url> list(std::string_view text) { return parse_url_list(text).value(); }

server_rotation rotation(std::string_view text) {
  return server_rotation(list(text), {milliseconds(100), milliseconds(5000)}, 3);
}

TEST(ServerRotation, WithOneServerEveryFailureWaitsTheBackoff) {
  auto r = rotation("ws://a:1");
  for (int i = 0; i < 4; ++i) {
    r.lost();
    EXPECT_GT(r.next().count(), 0);
    EXPECT_EQ(r.current().host, "a");
  }
}

TEST(ServerRotation, ALostServerIsFollowedByTheNextAtOnceAndARoundOfFailuresWaits) {
  auto r = rotation("ws://a:1,ws://b:1,ws://c:1");
  EXPECT_EQ(r.current().host, "a");
  r.lost();
  EXPECT_EQ(r.next(), milliseconds(0));
  EXPECT_EQ(r.current().host, "b");
  r.lost();
  EXPECT_EQ(r.next(), milliseconds(0));
  EXPECT_EQ(r.current().host, "c");
  r.lost();
  EXPECT_GT(r.next().count(), 0);  // all three failed: the round waits
  EXPECT_EQ(r.current().host, "a");
}

TEST(ServerRotation, AStandbysRedirectIsFollowedAtOnce) {
  auto r = rotation("ws://a:1,ws://b:1,ws://c:1");
  EXPECT_TRUE(r.standby_named("ws://c:1"));
  EXPECT_EQ(r.next(), milliseconds(0));
  EXPECT_EQ(r.current().host, "c");
}

TEST(ServerRotation, ARedirectToTheServerJustLostOrToItselfOrToNobodyIsNotFollowed) {
  auto r = rotation("ws://a:1,ws://b:1");
  r.lost();  // a died
  EXPECT_EQ(r.next(), milliseconds(0));
  ASSERT_EQ(r.current().host, "b");
  EXPECT_FALSE(r.standby_named("ws://a:1"));  // b's record still names the dead a
  EXPECT_FALSE(r.standby_named("ws://b:1"));
  EXPECT_FALSE(r.standby_named(""));
  EXPECT_GT(r.next().count(), 0);  // to a again, after the round's backoff
  EXPECT_EQ(r.current().host, "a");
}

TEST(ServerRotation, ALoginStartsANewRoundAndForgetsTheLostServer) {
  auto r = rotation("ws://a:1,ws://b:1");
  r.lost();
  r.next();  // on b
  r.logged_in(true);
  EXPECT_TRUE(r.standby_named("ws://a:1"));  // a is no longer the one just lost
  r.lost();
  EXPECT_EQ(r.next(), milliseconds(0));
  EXPECT_EQ(r.current().host, "a");
}

TEST(ServerRotation, RedirectsThatKeepFailingFallBackToTheBackoff) {
  auto r = rotation("ws://a:1,ws://b:1");
  int waits = 0;
  for (int i = 0; i < 6; ++i) {
    r.standby_named(r.current().host == "a" ? "ws://b:1" : "ws://a:1");
    waits += r.next().count() > 0 ? 1 : 0;
  }
  EXPECT_GT(waits, 0);
}

}  // namespace
}  // namespace cati::client
