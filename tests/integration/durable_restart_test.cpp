// Issue 13 against the real cati-server, killed with SIGKILL and restarted on the same file.
// Behaviour 1: anna is in an interview and bert is logged in; after the restart bert's next case is not
// anna's, and anna, logging in again, is back in her case, interview, screen and language.
// Behaviours 7 and 9: requests resent after the restart under their request ids (NextCase, CallResult)
// and the answer that completed an interview get their original replies, and change nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include "integration/server_fixture.hpp"

using namespace cati::it;

namespace {

constexpr char bert_password[] = "bert-secret-1";

// After a login: the messages that follow LoginOk (the case card and the screen the terminal was on).
struct after_login {
  std::optional<v1::CaseCard> card;
  std::optional<v1::Screen> screen;
};

after_login log_in_and_resume(ws_test_client& c, const std::string& user, const std::string& password,
                              bool expect_screen) {
  after_login out;
  auto ok = login(c, user, password);
  EXPECT_TRUE(ok.has_login_ok()) << ok.DebugString();
  if (!expect_screen) return out;
  for (int i = 0; i < 4 && !out.screen; ++i) {
    auto m = receive(c);
    if (m.has_case_card()) out.card = m.case_card();
    if (m.has_screen()) out.screen = m.screen();
  }
  return out;
}

// Sends `m` under the given request id (a resend keeps its id) and returns the first reply.
v1::ServerMessage ask_as(ws_test_client& c, v1::ClientMessage m, std::uint64_t id) {
  m.set_request_id(id);
  EXPECT_TRUE(c.send(m)) << c.error();
  return receive(c);
}

// Kills the server, starts it again on the file and logs anna in; `card`: the server is to send back the
// case she holds (it follows LoginOk).
std::unique_ptr<ws_test_client> anna_after_restart(std::unique_ptr<server_process>& server, fieldwork_dir& fw,
                                                   std::optional<std::int64_t> card = std::nullopt) {
  server->kill(SIGKILL);
  server = std::make_unique<server_process>(fw);
  EXPECT_NE(server->port(), 0);
  auto c = connect(server->port());
  EXPECT_TRUE(login(*c).has_login_ok());
  if (card) {
    auto held = receive(*c);
    EXPECT_TRUE(held.has_case_card()) << held.DebugString();
    EXPECT_EQ(held.case_card().case_id(), *card);
  }
  return c;
}

}  // namespace

TEST(DurableRestart, KilledServerGivesTheOpenInterviewBackToItsInterviewerAndToNobodyElse) {
  fieldwork_dir fw(6);
  fw.add_user("bert", "interviewer", bert_password);
  auto server = std::make_unique<server_process>(fw);
  ASSERT_NE(server->port(), 0);
  std::string interview, question, language;
  std::int64_t anna_case = 0;
  {
    auto anna = connect(server->port());
    login(*anna);
    auto bert = connect(server->port());
    log_in_and_resume(*bert, "bert", bert_password, false);
    auto card = ask(*anna, next_case_request());
    ASSERT_TRUE(card.has_case_card()) << card.DebugString();
    anna_case = card.case_card().case_id();
    auto first = ask(*anna, start_request(anna_case, "fr"));
    ASSERT_TRUE(first.has_screen()) << first.DebugString();
    auto screen = first.screen();
    for (int i = 0; i < 2; ++i) {
      auto next = step(*anna, screen);
      ASSERT_TRUE(next.has_screen()) << next.DebugString();
      screen = next.screen();
    }
    interview = screen.interview_id();
    question = screen.question();
    language = screen.language();
    server->kill(SIGKILL);
  }
  EXPECT_EQ(language, "fr");

  server = std::make_unique<server_process>(fw);
  ASSERT_NE(server->port(), 0);
  auto bert = connect(server->port());
  log_in_and_resume(*bert, "bert", bert_password, false);
  auto offer = ask(*bert, next_case_request());
  if (offer.has_case_card()) {
    EXPECT_NE(offer.case_card().case_id(), anna_case) << "bert was offered anna's case";
  }
  auto anna = connect(server->port());
  auto back = log_in_and_resume(*anna, "anna", anna_password, true);
  ASSERT_TRUE(back.card) << "anna did not get her case back";
  EXPECT_EQ(back.card->case_id(), anna_case);
  ASSERT_TRUE(back.screen) << "anna did not get her screen back";
  EXPECT_EQ(back.screen->interview_id(), interview);
  EXPECT_EQ(back.screen->question(), question);
  EXPECT_EQ(back.screen->language(), "fr");
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews"), 1);
}

TEST(DurableRestart, RequestsResentAfterAKillGetTheirOriginalReplies) {
  fieldwork_dir fw(6);
  auto server = std::make_unique<server_process>(fw);
  ASSERT_NE(server->port(), 0);
  auto anna = connect(server->port());
  ASSERT_TRUE(login(*anna).has_login_ok());

  // NextCase resent (the reply was lost): the same case, not the release of it and another.
  auto card = ask_as(*anna, next_case_request(), 90001);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  const auto first = card.case_card().case_id();
  auto again = ask_as(*anna, next_case_request(), 90001);
  ASSERT_TRUE(again.has_case_card()) << again.DebugString();
  EXPECT_EQ(again.case_card().case_id(), first);

  // CallResult recorded, then resent after a kill: CallRecorded again, not NOT_YOUR_CASE, logged once.
  v1::ClientMessage call;
  call.mutable_call_result()->set_case_id(first);
  call.mutable_call_result()->set_outcome(v1::BUSY);
  ASSERT_TRUE(ask_as(*anna, call, 90002).has_call_recorded());
  anna = anna_after_restart(server, fw);
  auto recorded = ask_as(*anna, call, 90002);
  EXPECT_TRUE(recorded.has_call_recorded()) << recorded.DebugString();
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM call_attempts"), 1);

  // NextCase resent after a kill: the case it was offered.
  auto second = ask_as(*anna, next_case_request(), 90003);
  ASSERT_TRUE(second.has_case_card()) << second.DebugString();
  anna = anna_after_restart(server, fw, second.case_card().case_id());  // still hers
  auto second_again = ask_as(*anna, next_case_request(), 90003);
  ASSERT_TRUE(second_again.has_case_card()) << second_again.DebugString();
  EXPECT_EQ(second_again.case_card().case_id(), second.case_card().case_id());

  // The answer that completed the interview, resent after a kill: its duplicate ack and the end.
  auto screen = ask_as(*anna, start_request(second.case_card().case_id()), 90004);
  ASSERT_TRUE(screen.has_screen()) << screen.DebugString();
  v1::ClientMessage last;
  for (int i = 0; i < 100 && screen.has_screen(); ++i) {
    last = answer_to(screen.screen());
    screen = step(*anna, screen.screen());
  }
  ASSERT_TRUE(screen.has_interview_end()) << screen.DebugString();
  ASSERT_EQ(screen.interview_end().outcome(), v1::COMPLETE);
  const auto answers = fw.count("SELECT COUNT(*) FROM answers");
  anna = anna_after_restart(server, fw);
  auto ack = ask_as(*anna, last, 90005);
  ASSERT_TRUE(ack.has_answer_ack()) << ack.DebugString();
  EXPECT_TRUE(ack.answer_ack().duplicate());
  auto end = receive(*anna);
  ASSERT_TRUE(end.has_interview_end()) << end.DebugString();
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers"), answers);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE final_state = 'complete'"), 1);
}
