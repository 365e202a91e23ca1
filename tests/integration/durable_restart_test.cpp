// Issue 13, behaviour 1 against the real cati-server: killed with SIGKILL while anna is in an interview
// and bert is logged in, then restarted on the same file. bert's next case is not anna's, and anna,
// logging in again, is back in her case, interview, screen and language.
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
