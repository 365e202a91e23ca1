// Nothing typed is lost, nothing is stored twice: the client library (session + on-disk journal) against
// the real cati-server through a TCP relay that the test breaks. An answer whose ack is lost with the
// connection, and answers typed while offline, are resent after the reconnect; the answers table then
// holds each answer exactly once. The same when the server is killed with SIGKILL and restarted.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <memory>

#include "integration/server_fixture.hpp"
#include "integration/session_driver.hpp"
#include "integration/tcp_proxy.hpp"
#include "integration/terminal_steps.hpp"

using namespace cati::it;

TEST(Resilience, DroppedConnectionLosesAndDoublesNoAnswer) {
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

  // The answer to s2_fte reaches the server and is committed, but its ack is lost with the connection.
  proxy.swallow_replies(true);
  s.answer("4");
  stored.push_back("s2_fte");
  ASSERT_TRUE(eventually([&] { return rows_of(fw, interview) == static_cast<std::int64_t>(stored.size()); }));
  proxy.refuse(true);
  proxy.cut();
  proxy.swallow_replies(false);
  ASSERT_TRUE(d.until(went_offline, "offline"));

  // Offline, the interviewer goes on with the questions the firm is asked next: journaled, not sent.
  for (const char* q : {"s3_sector", "q1_market", "q2_ai_use"}) answer_offline(d, q, stored);
  EXPECT_EQ(s.unacked(), 4U);  // s2_fte (ack lost) and the three typed offline
  EXPECT_EQ(rows_of(fw, interview), 2);  // s1_decider and s2_fte

  // The network comes back: the session resumes and resends; the server applies each answer once.
  proxy.refuse(false);
  ASSERT_TRUE(d.until_idle());
  EXPECT_EQ(s.unacked(), 0U);
  ASSERT_TRUE(d.screen());
  EXPECT_EQ(d.screen()->question(), "q3_ai_areas");
  EXPECT_GE(proxy.relayed(), 2);

  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end());
  EXPECT_EQ(d.end()->outcome(), v1::COMPLETE);
  expect_each_answer_once(fw, interview, stored);
}

TEST(Resilience, ServerKilledAndRestartedLosesAndDoublesNoAnswer) {
  fieldwork_dir fw;
  auto server = std::make_unique<server_process>(fw);
  ASSERT_NE(server->port(), 0);
  tcp_proxy proxy(server->port());
  session_driver d(proxy.url(), fw.dir() / "journal");
  auto& s = d.session();
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty());
  answered stored;
  for (int i = 0; i < 3; ++i) answer_current(d, stored);  // intro, s1_decider, s2_fte
  ASSERT_EQ(d.screen()->question(), "s3_sector");

  // s3_sector (the quota point) is committed; the server dies before the terminal sees the ack.
  proxy.swallow_replies(true);
  s.answer("1");
  stored.push_back("s3_sector");
  ASSERT_TRUE(eventually([&] { return rows_of(fw, interview) == static_cast<std::int64_t>(stored.size()); }));
  const auto before = answer_rows(fw, interview);
  server->kill(SIGKILL);
  ASSERT_TRUE(d.until(went_offline, "offline"));
  proxy.swallow_replies(false);
  for (const char* q : {"q1_market", "q2_ai_use"}) answer_offline(d, q, stored);
  EXPECT_EQ(s.unacked(), 3U);

  // A new server on the same file (and another port): the terminal resumes its session with its token
  // (kept in the file), gets its case and screen back and resends what was not acknowledged.
  server = std::make_unique<server_process>(fw);
  ASSERT_NE(server->port(), 0);
  proxy.set_upstream(server->port());
  ASSERT_TRUE(d.until_idle());
  ASSERT_TRUE(d.screen());
  EXPECT_EQ(d.screen()->question(), "q3_ai_areas");
  EXPECT_EQ(d.screen()->interview_id(), interview);

  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end());
  EXPECT_EQ(d.end()->outcome(), v1::COMPLETE);
  const auto after = answer_rows(fw, interview);
  ASSERT_GE(after.size(), before.size());
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin())) << "rows written before the kill changed";
  expect_each_answer_once(fw, interview, stored);
  // The quota book on disk agrees: one complete, no lease left behind.
  EXPECT_EQ(fw.count("SELECT SUM(completes) FROM quota_cells WHERE quota = 'sector'"), 1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM quota_leases"), 0);
}
