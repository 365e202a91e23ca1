// A bad network between the terminal (the client library with its journal) and the real cati-server,
// through tcp_proxy (issue 17): latency with jitter, bytes one at a time, a partition that heals before
// and after the server gave up on the connection, and a terminal that stops answering without closing.
// Each interview must end with every answer stored exactly once; a dead peer must be noticed within the
// server's idle timeout (--idle-timeout, pinged at half) and its user must get the case and the screen
// back on a new connection (the case lock and the quota lease outlive a connection; README, Limits).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "integration/server_fixture.hpp"
#include "integration/session_driver.hpp"
#include "integration/tcp_proxy.hpp"
#include "integration/terminal_steps.hpp"

using namespace cati::it;

namespace {

constexpr int idle_timeout_seconds = 4;

launch_options short_idle_timeout() {
  launch_options o;
  o.extra_args = {"--idle-timeout", std::to_string(idle_timeout_seconds)};
  return o;
}

double connections_open(std::uint16_t port) { return metric(port, "cati_connections"); }

// A whole interview through the proxy as it is set up; each answer stored once.
void whole_interview(const fieldwork_dir& fw, tcp_proxy& proxy) {
  session_driver d(proxy.url(), fw.dir() / "journal");
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty());
  answered stored;
  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end());
  EXPECT_EQ(d.end()->outcome(), v1::COMPLETE);
  expect_each_answer_once(fw, interview, stored);
}

}  // namespace

TEST(NetworkFaults, LatencyAndJitterLoseAndDoubleNothing) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  tcp_proxy proxy(server.port());
  proxy.delay(std::chrono::milliseconds(20), std::chrono::milliseconds(40));
  whole_interview(fw, proxy);
}

TEST(NetworkFaults, BytesOneAtATimeStillMakeWholeMessages) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  tcp_proxy proxy(server.port());
  proxy.one_byte_at_a_time(true);
  whole_interview(fw, proxy);
}

// The partition ends before anyone gave up: what was held flows, the answer in flight is acknowledged.
TEST(NetworkFaults, AShortPartitionDeliversTheAnswerInFlightOnce) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  tcp_proxy proxy(server.port());
  session_driver d(proxy.url(), fw.dir() / "journal");
  auto& s = d.session();
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty());
  answered stored;
  answer_current(d, stored);  // intro
  answer_current(d, stored);  // s1_decider
  ASSERT_EQ(d.screen()->question(), "s2_fte");

  const auto before = static_cast<std::int64_t>(stored.size());
  proxy.partition(true);
  s.answer("4");
  stored.push_back("s2_fte");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(rows_of(fw, interview), before) << "an answer crossed the partition";
  EXPECT_EQ(s.unacked(), 1u);
  proxy.partition(false);
  ASSERT_TRUE(d.until_idle());
  EXPECT_EQ(s.unacked(), 0u);
  ASSERT_TRUE(d.screen());
  EXPECT_EQ(d.screen()->question(), "s3_sector");
  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end());
  expect_each_answer_once(fw, interview, stored);
}

// The partition outlasts the server's idle timeout: the server closes the connection it no longer hears
// from; when the network heals the terminal finds it closed, reconnects and resends its journal.
TEST(NetworkFaults, APartitionLongerThanTheIdleTimeoutStillDeliversEveryAnswerOnce) {
  fieldwork_dir fw;
  server_process server(fw, short_idle_timeout());
  ASSERT_NE(server.port(), 0);
  tcp_proxy proxy(server.port());
  session_driver d(proxy.url(), fw.dir() / "journal");
  auto& s = d.session();
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty());
  answered stored;
  answer_current(d, stored);  // intro
  answer_current(d, stored);  // s1_decider

  const auto before = static_cast<std::int64_t>(stored.size());
  proxy.partition(true);
  s.answer("4");  // s2_fte: held in the partition, journaled
  stored.push_back("s2_fte");
  // The server notices the silence (its pings go unanswered) and closes its end.
  ASSERT_TRUE(eventually([&] { return connections_open(server.port()) == 0; },
                         std::chrono::seconds(10 * idle_timeout_seconds)))
      << "the server never closed the silent connection";
  EXPECT_EQ(rows_of(fw, interview), before);
  proxy.partition(false);  // the terminal now sees the close, reconnects, resends
  ASSERT_TRUE(d.until_idle());
  EXPECT_EQ(s.unacked(), 0u);
  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end());
  EXPECT_EQ(d.end()->outcome(), v1::COMPLETE);
  expect_each_answer_once(fw, interview, stored);
  EXPECT_GE(proxy.relayed(), 2);
}

// A terminal that stops answering and never closes (it lost power): the server notices within its idle
// timeout and lets go of the connection; the interviewer, on another terminal, gets the case and the
// interview back where they were.
TEST(NetworkFaults, AHalfOpenTerminalIsNoticedAndItsInterviewerGetsTheCaseBack) {
  fieldwork_dir fw;
  server_process server(fw, short_idle_timeout());
  ASSERT_NE(server.port(), 0);
  tcp_proxy proxy(server.port());
  auto dead = std::make_unique<ws_test_client>();
  ASSERT_TRUE(dead->connect(proxy.port()));
  ASSERT_TRUE(login(*dead).has_login_ok());
  auto m = step(*dead, begin_interview(*dead, "nl"));  // intro
  ASSERT_EQ(m.screen().question(), "s1_decider");
  const v1::Screen where = m.screen();
  EXPECT_EQ(connections_open(server.port()), 1);

  const auto cut_at = std::chrono::steady_clock::now();
  proxy.partition(true);  // never heals
  ASSERT_TRUE(eventually([&] { return connections_open(server.port()) == 0; },
                         std::chrono::seconds(10 * idle_timeout_seconds)))
      << "the half-open connection was never noticed";
  const double noticed = std::chrono::duration<double>(std::chrono::steady_clock::now() - cut_at).count();
  std::cout << "the half-open connection was closed after " << noticed << " s (idle timeout "
            << idle_timeout_seconds << " s)\n";
  EXPECT_NE(server.log().find("timed out"), std::string::npos) << server.log();

  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  auto card = receive(*c);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  auto back = receive(*c);
  ASSERT_TRUE(back.has_screen()) << back.DebugString();
  EXPECT_EQ(back.screen().interview_id(), where.interview_id());
  EXPECT_EQ(back.screen().question(), "s1_decider");
  EXPECT_EQ(back.screen().next_seq(), where.next_seq());
  auto end = finish(*c, back);
  EXPECT_EQ(end.interview_end().aapor_code(), "1.1");
}
