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

using namespace cati::it;
namespace client = cati::client;

namespace {

// The questions answered so far whose answers make a row in the answers table (every one but notes).
using answered = std::vector<std::string>;

// Answers the screen on show with the eligible firm's answer; returns what settles it.
v1::ServerMessage answer_current(session_driver& d, answered& stored) {
  if (!d.screen()) {
    ADD_FAILURE() << "no screen to answer";
    return {};
  }
  const auto q = d.screen()->question();
  if (d.screen()->type() != v1::NOTE) stored.push_back(q);
  auto r = d.settle(d.session().answer(eligible_answers().at(q)));
  EXPECT_TRUE(r && (r->has_screen() || r->has_interview_end())) << q << ": " << (r ? r->DebugString() : "");
  return r.value_or(v1::ServerMessage{});
}

// Answers a question the terminal has not been shown yet (it is offline): the answer is journaled.
void answer_offline(session_driver& d, const std::string& question, answered& stored) {
  stored.push_back(question);
  d.session().answer(eligible_answers().at(question), question);
  d.until(
      [&](const client::event& e) {
        const auto* q = std::get_if<client::queued_event>(&e);
        return q != nullptr && q->question == question && !q->online;
      },
      "the answer to " + question + " queued offline");
}

bool went_offline(const client::event& e) {
  const auto* s = std::get_if<client::state_event>(&e);
  return s != nullptr && s->state == client::connection_state::offline;
}

// Logs in, takes the next case and starts its interview in Dutch; the interview id.
std::string begin(session_driver& d) {
  auto& s = d.session();
  auto ok = d.settle(s.login("anna", anna_password));
  EXPECT_TRUE(ok && ok->has_login_ok());
  auto card = d.settle(s.next_case());
  EXPECT_TRUE(card && card->has_case_card());
  auto first = d.settle(s.start_interview("nl"));
  EXPECT_TRUE(first && first->has_screen());
  return first && first->has_screen() ? first->screen().interview_id() : std::string{};
}

std::int64_t rows_of(const fieldwork_dir& fw, const std::string& interview) {
  return fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + interview);
}

// The answers table of a finished interview holds each answer exactly once, in the order given: one
// row per question answered (no back was used), rows numbered 1..n, the eligible firm's values.
void expect_each_answer_once(const fieldwork_dir& fw, const std::string& interview, const answered& stored) {
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < stored.size(); ++i)
    expected.push_back(std::to_string(i + 1) + " " + stored[i] + " set " + eligible_answers().at(stored[i]));
  EXPECT_EQ(answer_rows(fw, interview), expected);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + interview + " AND final_state = 'complete'"), 1);
}

}  // namespace

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
