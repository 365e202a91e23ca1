// Going back, changed answers and the quota point.
#include "engine_fixture.hpp"

namespace cati::core::test {
namespace {

std::vector<std::string> dropped_names(const step& s) {
  std::vector<std::string> out;
  for (const auto& d : s.dropped) out.push_back(d.name);
  return out;
}

class EngineBack : public engine_test {
 protected:
  // q2 = 3 (monthly), q3 = "1 6", q3_other, q4 = 1: at q5.
  void to_q5_as_monthly_user() {
    to_q2();
    for (auto a : {"3", "1 6", "chatbots", "1"}) must_answer(e, state, a);
    ASSERT_EQ(current_name(e, state), "q5");
  }
  void back_to(std::string_view name) {
    while (current_name(e, state) != name) ASSERT_TRUE(e.back(state)) << "stuck at " << current_name(e, state);
  }
};

TEST_F(EngineBack, MovesAlongThePathAndShowsTheOldAnswer) {
  to_q5_as_monthly_user();
  ASSERT_TRUE(e.back(state));
  EXPECT_EQ(current_name(e, state), "q4");
  ASSERT_TRUE(e.back(state));
  EXPECT_EQ(current_name(e, state), "q3_other");
  ASSERT_TRUE(e.back(state));
  auto s = e.current_screen(state, "en");
  EXPECT_EQ(s.name, "q3");
  ASSERT_TRUE(s.current_answer);
  EXPECT_EQ(*s.current_answer, value(selection{{1, 6}}));
  back_to("intro");
  EXPECT_FALSE(e.current_screen(state, "en").can_go_back);
  auto r = e.back(state);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "already at the first question");
  EXPECT_EQ(state.answers.size(), 7u);  // going back keeps every answer: s1 s2 s3 q2 q3 q3_other q4
}

TEST_F(EngineBack, SkipsQuestionsThatWereNotOnThePath) {
  to_q2();
  must_answer(e, state, "5");
  ASSERT_TRUE(e.back(state));
  EXPECT_EQ(current_name(e, state), "q2");  // not q4 or q3
}

TEST_F(EngineBack, ChangingMonthlyToNeverDropsTheUseQuestions) {
  to_q5_as_monthly_user();
  back_to("q2");
  auto s = must_answer(e, state, "5");
  EXPECT_EQ(s.kind, step_kind::next_screen);
  EXPECT_EQ(dropped_names(s), (std::vector<std::string>{"q3", "q3_other", "q4"}));
  EXPECT_EQ(s.dropped[0].old_value, value(selection{{1, 6}}));
  EXPECT_EQ(s.dropped[1].old_value, value("chatbots"));
  EXPECT_FALSE(state.answers.contains("q3"));
  EXPECT_FALSE(state.answers.contains("q3_other"));
  EXPECT_FALSE(state.answers.contains("q4"));
  EXPECT_EQ(state.answers.at("q2"), value(5));
  EXPECT_EQ(current_name(e, state), "q5");
  EXPECT_FALSE(e.current_screen(state, "en").current_answer);
}

TEST_F(EngineBack, ChangingMonthlyToRareDropsOnlyTheAreas) {
  to_q5_as_monthly_user();
  back_to("q2");
  auto s = must_answer(e, state, "4");
  EXPECT_EQ(dropped_names(s), (std::vector<std::string>{"q3", "q3_other"}));
  EXPECT_EQ(current_name(e, state), "q4");
  auto screen = e.current_screen(state, "en");
  ASSERT_TRUE(screen.current_answer);  // kept, shown again
  EXPECT_EQ(*screen.current_answer, value(selection{{1}}));
}

TEST_F(EngineBack, DroppingTheSpecifyCodeDropsTheFollowUp) {
  to_q5_as_monthly_user();
  back_to("q3");
  auto s = must_answer(e, state, "1 2");
  EXPECT_EQ(dropped_names(s), (std::vector<std::string>{"q3_other"}));
  EXPECT_EQ(current_name(e, state), "q4");
}

TEST_F(EngineBack, TheSameAnswerAgainDropsNothing) {
  to_q5_as_monthly_user();
  back_to("q2");
  auto s = must_answer(e, state, "3");
  EXPECT_TRUE(s.dropped.empty());
  EXPECT_EQ(current_name(e, state), "q3");
  EXPECT_EQ(state.answers.size(), 7u);
}

TEST_F(EngineBack, ScreenOutAfterGoingBackDropsTheLaterAnswers) {
  to_q5_as_monthly_user();
  back_to("s2");
  auto s = must_answer(e, state, "30");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::not_eligible);
  // s3 .. q4 are no longer relevant, so they go first; nothing after s2 is left.
  EXPECT_EQ(dropped_names(s), (std::vector<std::string>{"s3", "q2", "q3", "q3_other", "q4"}));
  EXPECT_EQ(state.answers.size(), 2u);
}

TEST_F(EngineBack, InvalidAnswerAfterGoingBackChangesNothing) {
  to_q5_as_monthly_user();
  back_to("q2");
  const interview_state before = state;
  EXPECT_FALSE(e.answer(state, "9", "en"));
  EXPECT_EQ(state, before);
}

using EngineQuota = EngineBack;

TEST_F(EngineQuota, CheckAfterTheQuotaPointWithEveryQuotaVariable) {
  for (auto a : {"", "1", "5"}) must_answer(e, state, a);
  auto s = must_answer(e, state, "2");
  EXPECT_EQ(s.kind, step_kind::quota_check);
  EXPECT_EQ(s.quota_values, (std::vector<quota_value>{{"region", "WAL"}, {"s3", "2"}}));
  EXPECT_EQ(state.status, interview_status::quota_check);
  EXPECT_EQ(current_name(e, state), "s3");
  EXPECT_EQ(e.matching_cells(s.quota_values), (std::vector<quota_cell_ref>{{0, 1}, {1, 1}}));

  // Waiting: neither answers nor back until the caller decides.
  const interview_state before = state;
  EXPECT_EQ(e.answer(state, "1", "en").err().message, "the interview is not waiting for an answer");
  EXPECT_EQ(e.back(state).err().message, "the quota check is still pending");
  EXPECT_EQ(state, before);

  auto granted = e.quota_decision(state, true, "en");
  ASSERT_TRUE(granted);
  EXPECT_EQ(granted->kind, step_kind::next_screen);
  EXPECT_EQ(current_name(e, state), "q2");
  EXPECT_EQ(state.quota_granted, s.quota_values);
  EXPECT_FALSE(e.quota_decision(state, true, "en"));  // nothing pending any more
}

TEST_F(EngineQuota, RefusedCheckEndsOverQuota) {
  for (auto a : {"", "1", "5", "3"}) must_answer(e, state, a);
  auto refused = e.quota_decision(state, false, "en");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, step_kind::finished);
  EXPECT_EQ(refused->result, outcome::over_quota);
  EXPECT_EQ(state.status, interview_status::finished);
  EXPECT_EQ(state.result, outcome::over_quota);
  EXPECT_EQ(state.answers.at("s3"), value(3));
}

TEST_F(EngineQuota, BackOverTheQuotaPointWithoutChangesNeedsNoNewCheck) {
  to_q5_as_monthly_user();
  back_to("s2");
  must_answer(e, state, "5");
  auto s = must_answer(e, state, "2");  // s3 as before
  EXPECT_EQ(s.kind, step_kind::next_screen);
  EXPECT_EQ(current_name(e, state), "q2");
}

TEST_F(EngineQuota, ChangingAQuotaAnswerChecksAgain) {
  to_q5_as_monthly_user();
  back_to("s3");
  auto s = must_answer(e, state, "1");
  ASSERT_EQ(s.kind, step_kind::quota_check);
  EXPECT_EQ(s.quota_values, (std::vector<quota_value>{{"region", "WAL"}, {"s3", "1"}}));
  // The old grant stays recorded until the new one is decided: the caller swaps the lease.
  EXPECT_EQ(state.quota_granted, (std::vector<quota_value>{{"region", "WAL"}, {"s3", "2"}}));
  ASSERT_TRUE(e.quota_decision(state, true, "en"));
  EXPECT_EQ(state.quota_granted, s.quota_values);
  EXPECT_EQ(current_name(e, state), "q2");
  EXPECT_EQ(e.current_screen(state, "en").current_answer, value(3));  // later answers kept
}

TEST_F(EngineQuota, RefusedRecheckEndsOverQuotaAndDropsLaterAnswers) {
  to_q5_as_monthly_user();
  back_to("s3");
  must_answer(e, state, "3");
  auto s = e.quota_decision(state, false, "en");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->result, outcome::over_quota);
  EXPECT_EQ(dropped_names(*s), (std::vector<std::string>{"q2", "q3", "q3_other", "q4"}));
}

TEST_F(EngineQuota, ChangeBeforeThePointIsCheckedWhenPassingItAgain) {
  auto study = mini_study();
  study.quotas[1].variables = {"s2"};  // a quota on an answer given before the quota point
  study.quotas[1].cells = {{{"5"}, 10, cell_policy::normal, "five"}};
  engine e2(std::make_shared<const questionnaire>(study));
  auto st = e2.start(mini_frame(), 1);
  for (auto a : {"", "1", "5", "2"}) must_answer(e2, st, a);
  ASSERT_TRUE(e2.quota_decision(st, true, "en"));
  must_answer(e2, st, "5");  // q2
  while (current_name(e2, st) != "s2") ASSERT_TRUE(e2.back(st));
  EXPECT_EQ(must_answer(e2, st, "6").kind, step_kind::next_screen);  // not past the point yet
  auto restored = e2.restore(e2.save(st), mini_frame(), 1);  // resumes with the old lease
  ASSERT_TRUE(restored) << restored.err().message;
  EXPECT_EQ(*restored, st);
  auto s = must_answer(e2, st, "2");
  ASSERT_EQ(s.kind, step_kind::quota_check);
  EXPECT_EQ(s.quota_values, (std::vector<quota_value>{{"region", "WAL"}, {"s2", "6"}}));
}

TEST_F(EngineQuota, StudyWithoutQuotasNeverChecks) {
  auto study = mini_study();
  study.quotas.clear();
  study.quota_check_after.clear();
  engine e2(std::make_shared<const questionnaire>(study));
  auto st = e2.start(mini_frame(), 1);
  for (auto a : {"", "1", "5"}) must_answer(e2, st, a);
  EXPECT_EQ(must_answer(e2, st, "2").kind, step_kind::next_screen);
  EXPECT_EQ(current_name(e2, st), "q2");
}

}  // namespace
}  // namespace cati::core::test
