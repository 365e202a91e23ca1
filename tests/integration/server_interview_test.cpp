// End to end: the real cati-server on port 0 over a real SQLite file, prepared with the real `cati`
// commands, driven by a real WebSocket client. Whole interviews of the seed study (in nl and in fr),
// repeats recognised, going back, over quota, and the server killed with SIGKILL mid-interview and
// restarted: the interview resumes where it was.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/server_fixture.hpp"

using namespace cati::it;

namespace {

// A phrase of each language's text of some questions, to check that screens come in the language asked.
struct language_marks {
  std::string language;
  std::map<std::string, std::string> phrases;  // question -> a phrase of its text
  std::string yes;                             // s1_decider's choice 1
};

const language_marks dutch{"nl",
                           {{"intro", "Goedendag"},
                            {"s1_decider", "Bent u de zaakvoerder"},
                            {"s3_sector", "hoofdactiviteit"},
                            {"q2_ai_use", "Hoe vaak"}},
                           "Ja"};
const language_marks french{"fr",
                            {{"intro", "Bonjour"},
                             {"s1_decider", "Êtes-vous le gérant"},
                             {"s3_sector", "activité principale"},
                             {"q2_ai_use", "À quelle fréquence"}},
                            "Oui"};

void interview_in(const language_marks& marks) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  auto card = ask(*c, next_case_request());
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  const auto company = card.case_card().company();
  ASSERT_FALSE(company.empty());

  auto m = ask(*c, start_request(card.case_card().case_id(), marks.language));
  ASSERT_TRUE(m.has_screen()) << m.DebugString();
  const std::string interview = m.screen().interview_id();
  std::set<std::string> seen, stored;  // screens shown; those whose answer makes a row (not notes)
  for (int i = 0; i < 100 && m.has_screen(); ++i) {
    const auto& s = m.screen();
    EXPECT_EQ(s.language(), marks.language) << s.question();
    if (auto p = marks.phrases.find(s.question()); p != marks.phrases.end()) {
      EXPECT_NE(s.text().find(p->second), std::string::npos) << s.question() << ": " << s.text();
    }
    if (s.question() == "intro") {
      EXPECT_NE(s.text().find(company), std::string::npos) << "the company fill";
    }
    if (s.question() == "s1_decider") {
      ASSERT_GE(s.choices_size(), 1);
      EXPECT_EQ(s.choices(0).label(), marks.yes);
    }
    seen.insert(s.question());
    if (s.type() != cati::v1::NOTE) stored.insert(s.question());
    m = step(*c, s);
  }
  for (const auto& [question, phrase] : marks.phrases) EXPECT_TRUE(seen.count(question)) << question << " not asked";
  ASSERT_TRUE(m.has_interview_end()) << m.DebugString();
  EXPECT_EQ(m.interview_end().outcome(), cati::v1::COMPLETE);
  EXPECT_EQ(m.interview_end().aapor_code(), "1.1");

  // On disk: the interview in that language, complete, one answer row per screen answered.
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + interview + " AND language = '" +
                     marks.language + "' AND final_state = 'complete'"),
            1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + interview),
            static_cast<std::int64_t>(stored.size()));
  EXPECT_EQ(fw.count("SELECT COUNT(DISTINCT question) FROM answers WHERE interview_id = " + interview),
            static_cast<std::int64_t>(stored.size()));
  EXPECT_EQ(fw.count("SELECT SUM(completes) FROM quota_cells WHERE quota = 'region'"), 1);
}

}  // namespace

TEST(Integration, WholeInterviewOverTheWire) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());

  auto denied = login(*c, "anna", "wrong-password");
  ASSERT_TRUE(denied.has_error());
  EXPECT_EQ(denied.error().code(), v1::Error::BAD_CREDENTIALS);
  // Not logged in yet: a typed refusal.
  auto refused = ask(*c, next_case_request());
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code(), v1::Error::NOT_LOGGED_IN);

  auto ok = login(*c);
  ASSERT_TRUE(ok.has_login_ok()) << ok.DebugString();
  EXPECT_EQ(ok.login_ok().study_id(), "ai_barometer_2025");

  auto card = ask(*c, next_case_request());
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  EXPECT_EQ(card.case_card().attempt(), 1);
  EXPECT_FALSE(card.case_card().company().empty());

  auto screen = ask(*c, start_request(card.case_card().case_id()));
  ASSERT_TRUE(screen.has_screen()) << screen.DebugString();
  EXPECT_EQ(screen.screen().question(), "intro");
  EXPECT_EQ(screen.screen().language(), card.case_card().language());

  // An answer outside the choices: refused with the reason, nothing changes.
  screen = step(*c, screen.screen());  // intro
  ASSERT_EQ(screen.screen().question(), "s1_decider");
  auto invalid = ask(*c, answer_to(screen.screen(), "7"));
  ASSERT_TRUE(invalid.has_error());
  EXPECT_EQ(invalid.error().code(), v1::Error::INVALID_ANSWER);

  // The same answer twice (a retry after a lost ack): the second is a duplicate.
  auto first = answer_to(screen.screen());
  auto ack1 = ask(*c, first);
  ASSERT_TRUE(ack1.has_answer_ack());
  EXPECT_FALSE(ack1.answer_ack().duplicate());
  auto after = receive(*c);
  ASSERT_TRUE(after.has_screen());
  auto ack2 = ask(*c, first);
  ASSERT_TRUE(ack2.has_answer_ack());
  EXPECT_TRUE(ack2.answer_ack().duplicate());
  auto same = receive(*c);
  ASSERT_TRUE(same.has_screen());
  EXPECT_EQ(same.screen().question(), after.screen().question());
  EXPECT_EQ(same.screen().next_seq(), after.screen().next_seq());

  auto end = finish(*c, same);
  ASSERT_TRUE(end.has_interview_end());
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);
  EXPECT_EQ(end.interview_end().aapor_code(), "1.1");
  EXPECT_EQ(end.interview_end().today().completes(), 1);

  // The repeat was stored once: one row per seq, s1_decider answered once.
  const auto id = end.interview_end().interview_id();
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + id + " AND question = 's1_decider'"), 1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + id),
            fw.count("SELECT COUNT(DISTINCT question) FROM answers WHERE interview_id = " + id));
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM call_attempts WHERE outcome = 'complete'"), 1);

  // /metrics shows group commit at work: every request that changed something went through a batch.
  const auto metrics = cati::net::test::http_request(server.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  auto value_of = [&](const std::string& series) {
    const auto at = metrics.body.find("\n" + series + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.body.substr(at + series.size() + 2));
  };
  const double batches = value_of("cati_commit_batch_jobs_count");
  const double jobs = value_of("cati_commit_batch_jobs_sum");
  EXPECT_GE(batches, 1) << metrics.body;
  EXPECT_GE(jobs, batches);
  EXPECT_GE(jobs, static_cast<double>(fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + id)));
  EXPECT_EQ(value_of("cati_commit_batch_seconds_count"), batches);
}

TEST(Integration, WholeInterviewInDutch) { interview_in(dutch); }

TEST(Integration, WholeInterviewInFrench) { interview_in(french); }

// Sends Back on screen `s`; expects the ack and returns the screen gone back to.
v1::Screen go_back(ws_test_client& c, const v1::Screen& s) {
  auto ack = ask(c, back_from(s));
  EXPECT_TRUE(ack.has_answer_ack()) << ack.DebugString();
  auto m = receive(c);
  EXPECT_TRUE(m.has_screen()) << m.DebugString();
  return m.screen();
}

TEST(Integration, GoingBackChangesAnswersAndTheLogKeepsTheHistory) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  auto first = begin_interview(*c, "nl");
  const auto interview = first.interview_id();
  EXPECT_FALSE(first.can_go_back());

  auto m = step(*c, first);       // intro
  m = step(*c, m.screen());       // s1_decider = 1
  m = step(*c, m.screen(), "4");  // s2_fte = 4
  ASSERT_EQ(m.screen().question(), "s3_sector");
  EXPECT_TRUE(m.screen().can_go_back());

  // Back twice: s2_fte, then s1_decider, each showing the answer given.
  auto back = go_back(*c, m.screen());
  EXPECT_EQ(back.question(), "s2_fte");
  EXPECT_EQ(back.current_answer(), "4");
  back = go_back(*c, back);
  EXPECT_EQ(back.question(), "s1_decider");
  EXPECT_EQ(back.current_answer(), "1");
  m = step(*c, back, "1");
  ASSERT_EQ(m.screen().question(), "s2_fte");
  m = step(*c, m.screen(), "7");
  ASSERT_EQ(m.screen().question(), "s3_sector");
  m = step(*c, m.screen());  // s3_sector: the quota point
  m = step(*c, m.screen());  // q1_market
  m = step(*c, m.screen());  // q2_ai_use = 3, monthly: q3_ai_areas follows
  ASSERT_EQ(m.screen().question(), "q3_ai_areas");
  m = step(*c, m.screen());
  ASSERT_EQ(m.screen().question(), "q4_ai_tasks");

  // Back to q2_ai_use past the quota point, and "never": q3 and q4 no longer apply, q3's answer is dropped.
  back = go_back(*c, go_back(*c, m.screen()));
  ASSERT_EQ(back.question(), "q2_ai_use");
  EXPECT_EQ(back.current_answer(), "3");
  m = step(*c, back, "5");
  ASSERT_TRUE(m.has_screen());
  EXPECT_EQ(m.screen().question(), "q5_potential");

  auto end = finish(*c, m);
  ASSERT_TRUE(end.has_interview_end());
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);

  // The answers table is the history, each step once: answers given, changed, withdrawn.
  const std::vector<std::string> expected = {
      "1 s1_decider set 1",  "2 s2_fte set 4",       "3 s1_decider set 1",     "4 s2_fte set 7",
      "5 s3_sector set 1",   "6 q1_market set 1",    "7 q2_ai_use set 3",      "8 q3_ai_areas set 1 2",
      "9 q2_ai_use set 5",   "10 q3_ai_areas drop NULL", "11 q5_potential set 1", "12 q6_attitude set 2",
      "13 q7_fin_value set 1", "14 q8_bank_ai set 1", "15 q9_bank_domains set 1 2"};
  EXPECT_EQ(answer_rows(fw, interview), expected);
}

TEST(Integration, OverQuotaEndsTheInterviewWithTheReason) {
  fieldwork_dir fw;
  fw.add_user("sara", "supervisor", "sara-secret-1");
  server_process server(fw);
  ASSERT_NE(server.port(), 0);

  // The supervisor leaves no room in the services cell.
  auto boss = connect(server.port());
  ASSERT_TRUE(login(*boss, "sara", "sara-secret-1").has_login_ok());
  v1::ClientMessage full;
  full.mutable_quota_action()->set_kind(v1::QuotaAction::SET_TARGET);
  full.mutable_quota_action()->set_quota("sector");
  full.mutable_quota_action()->add_values("1");
  full.mutable_quota_action()->set_target(0);
  auto status = ask(*boss, full);
  ASSERT_TRUE(status.has_status()) << status.DebugString();
  EXPECT_EQ(fw.count("SELECT target FROM quota_cells WHERE quota = 'sector' AND cell_values = '1'"), 0);

  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  auto m = step(*c, begin_interview(*c, "fr"));  // intro
  m = step(*c, m.screen());                     // s1_decider
  m = step(*c, m.screen());                     // s2_fte
  ASSERT_EQ(m.screen().question(), "s3_sector");
  const auto interview = m.screen().interview_id();
  m = step(*c, m.screen(), "1");  // services: the quota point, and the cell is full
  ASSERT_TRUE(m.has_interview_end()) << m.DebugString();
  EXPECT_EQ(m.interview_end().outcome(), v1::OVER_QUOTA);
  EXPECT_EQ(m.interview_end().aapor_code(), "4.80");
  EXPECT_FALSE(m.interview_end().message().empty()) << "the reason";

  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + interview + " AND final_state = 'over_quota'"), 1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM call_attempts WHERE outcome = 'over_quota'"), 1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM quota_leases"), 0);
  EXPECT_EQ(fw.count("SELECT SUM(completes) FROM quota_cells"), 0);

  // The next firm, in a cell with room, completes.
  v1::ServerMessage next;
  *next.mutable_screen() = begin_interview(*c);
  auto end = finish(*c, next, {{"s3_sector", "2"}});
  ASSERT_TRUE(end.has_interview_end());
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);
  EXPECT_EQ(fw.count("SELECT completes FROM quota_cells WHERE quota = 'sector' AND cell_values = '2'"), 1);
}

TEST(Integration, KilledServerResumesTheInterviewAtTheSameScreen) {
  fieldwork_dir fw;
  std::string interview;
  std::string question;
  std::uint32_t seq = 0;
  std::vector<std::string> before;
  {
    server_process server(fw);
    ASSERT_NE(server.port(), 0);
    auto c = connect(server.port());
    ASSERT_TRUE(login(*c).has_login_ok());
    auto screen = begin_interview(*c);
    v1::ServerMessage m;
    m.mutable_screen()->CopyFrom(screen);
    for (int i = 0; i < 5 && m.has_screen(); ++i) m = step(*c, m.screen());
    ASSERT_TRUE(m.has_screen());
    interview = m.screen().interview_id();
    question = m.screen().question();
    seq = m.screen().next_seq();
    before = answer_rows(fw, interview);
    server.kill(SIGKILL);  // no goodbye: everything acknowledged must be on disk
  }
  EXPECT_EQ(answer_rows(fw, interview), before);
  EXPECT_EQ(before.size(), 4U);  // five screens, the first a note

  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  auto ok = login(*c);
  ASSERT_TRUE(ok.has_login_ok()) << ok.DebugString();
  auto card = receive(*c);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  auto screen = receive(*c);
  ASSERT_TRUE(screen.has_screen()) << screen.DebugString();
  EXPECT_EQ(screen.screen().interview_id(), interview);
  EXPECT_EQ(screen.screen().question(), question);
  EXPECT_EQ(screen.screen().next_seq(), seq);
  auto end = finish(*c, screen);
  ASSERT_TRUE(end.has_interview_end());
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);
  // The rows from before the kill are still the first rows; none doubled.
  auto after = answer_rows(fw, interview);
  ASSERT_GE(after.size(), before.size());
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin()));
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + interview),
            fw.count("SELECT COUNT(DISTINCT question) FROM answers WHERE interview_id = " + interview));
}

// A restart does not log terminals out: the session token from before the kill resumes the session on
// the new server (no password), with the case and screen back. The file keeps only the token's digest.
// A token logged out is gone for good, restart or not.
TEST(Integration, SessionTokenSurvivesARestartAndLogoutEndsIt) {
  fieldwork_dir fw;
  std::string token, interview, question;
  {
    server_process server(fw);
    ASSERT_NE(server.port(), 0);
    auto c = connect(server.port());
    auto ok = login(*c);
    ASSERT_TRUE(ok.has_login_ok());
    token = ok.login_ok().token();
    auto screen = begin_interview(*c);
    auto next = step(*c, screen);
    ASSERT_TRUE(next.has_screen());
    interview = next.screen().interview_id();
    question = next.screen().question();
    server.kill(SIGKILL);
  }
  ASSERT_EQ(token.size(), 64U);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM sessions"), 1);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM sessions WHERE digest = '" + token + "'"), 0) << "the raw token is stored";

  auto resume = [&](ws_test_client& c) {
    v1::ClientMessage m;
    m.mutable_resume_session()->set_token(token);
    return ask(c, m);
  };
  {
    server_process server(fw);
    ASSERT_NE(server.port(), 0);
    auto c = connect(server.port());
    auto ok = resume(*c);
    ASSERT_TRUE(ok.has_login_ok()) << ok.DebugString();
    EXPECT_EQ(ok.login_ok().user(), "anna");
    ASSERT_TRUE(receive(*c).has_case_card());
    auto screen = receive(*c);
    ASSERT_TRUE(screen.has_screen()) << screen.DebugString();
    EXPECT_EQ(screen.screen().interview_id(), interview);
    EXPECT_EQ(screen.screen().question(), question);
    v1::ClientMessage out;
    out.mutable_logout();
    auto bye = ask(*c, out);
    ASSERT_TRUE(bye.has_notice()) << bye.DebugString();
    EXPECT_EQ(bye.notice().kind(), v1::Notice::LOGGED_OUT);
    auto again = resume(*c);
    ASSERT_TRUE(again.has_error()) << again.DebugString();
    EXPECT_EQ(again.error().code(), v1::Error::SESSION_EXPIRED);
  }
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM sessions"), 0);
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  auto refused = resume(*c);
  ASSERT_TRUE(refused.has_error()) << refused.DebugString();
  EXPECT_EQ(refused.error().code(), v1::Error::SESSION_EXPIRED);
}
