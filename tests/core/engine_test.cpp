// The engine on a small study: screens, fills, answer checks, routing, screen-outs, completion.
#include "engine_fixture.hpp"

namespace cati::core::test {
namespace {

using EngineScreen = engine_test;

TEST_F(EngineScreen, StartsAtTheIntroWithFrameFills) {
  EXPECT_EQ(state.status, interview_status::in_progress);
  auto s = e.current_screen(state, "en");
  EXPECT_EQ(s.name, "intro");
  EXPECT_EQ(s.type, question_type::note);
  EXPECT_EQ(s.label, "Hello, may I speak to Marie Dupont of Dupont SA?");
  EXPECT_EQ(s.hint, "Ask for the owner");
  EXPECT_EQ(s.number, 1u);
  EXPECT_EQ(s.count, 12u);
  EXPECT_FALSE(s.required);
  EXPECT_FALSE(s.can_go_back);
  EXPECT_FALSE(s.current_answer);
}

TEST_F(EngineScreen, EmptyFrameFillIsEmpty) {
  auto frame = mini_frame();
  frame.erase("contact_name");
  auto st = e.start(frame, 1);
  EXPECT_EQ(e.current_screen(st, "en").label, "Hello, may I speak to  of Dupont SA?");
}

TEST_F(EngineScreen, ScreenInLanguageWithFallback) {
  must_answer(e, state, "");
  auto fr = e.current_screen(state, "fr");
  EXPECT_EQ(fr.label, "Êtes-vous le gérant ?");
  ASSERT_EQ(fr.choices.size(), 2u);
  EXPECT_EQ(fr.choices[0].code, 1);
  EXPECT_EQ(fr.choices[0].label, "Oui");
  EXPECT_TRUE(fr.can_go_back);
  EXPECT_EQ(fr.number, 2u);
  // No German text: the study's default language.
  EXPECT_EQ(e.current_screen(state, "de").label, "Are you the owner?");
}

TEST_F(EngineScreen, FillsShowChoiceLabelsInTheLanguage) {
  to_q2();
  must_answer(e, state, "3");
  must_answer(e, state, "1 6");
  must_answer(e, state, "chatbots");
  must_answer(e, state, "1");
  ASSERT_EQ(current_name(e, state), "q5");
  EXPECT_EQ(e.current_screen(state, "en").label, "You use AI Monthly for Automation, Other (chatbots). Potential?");
  EXPECT_EQ(e.current_screen(state, "fr").label, "Vous utilisez l'IA Chaque mois pour Automatisation, Other. Potentiel ?");
}

TEST_F(EngineScreen, FrameCodeFillShowsItsLabel) {
  EXPECT_EQ(e.apply_fills("${region}/${fte_frame}/${nothing}", state, "fr"), "Wallonie/7/");
  EXPECT_EQ(e.apply_fills("open ${ brace", state, "en"), "open ${ brace");
}

TEST_F(EngineScreen, ScreenShowsRequiredAndConstraintMessage) {
  must_answer(e, state, "");
  must_answer(e, state, "1");
  auto s = e.current_screen(state, "fr");
  EXPECT_EQ(s.name, "s2");
  EXPECT_TRUE(s.required);
  EXPECT_EQ(s.constraint_message, "Entre 0 et 500");
}

using EngineAnswer = engine_test;

TEST_F(EngineAnswer, RejectsCodesOutsideTheChoices) {
  must_answer(e, state, "");
  const interview_state before = state;
  auto r = e.answer(state, "7", "en");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "7 is not one of the choices 1, 2");
  EXPECT_EQ(state, before);  // invalid answers change nothing
  EXPECT_EQ(e.answer(state, "yes", "en").err().message, "yes is not one of the choices 1, 2");
  EXPECT_EQ(e.answer(state, "1 2", "en").err().message, "give one choice only");
  EXPECT_EQ(e.answer(state, "", "en").err().message, "an answer is required");
  EXPECT_EQ(e.answer(state, "1.5", "en").err().message, "1.5 is not one of the choices 1, 2");
  EXPECT_EQ(e.answer_value(state, value(1.5), "en").err().message, "the answer must be one choice number");
  EXPECT_EQ(e.answer_value(state, value("1"), "en").err().message, "the answer must be one choice number");
  EXPECT_EQ(state, before);
}

TEST_F(EngineAnswer, ChecksWholeNumbersAndTheConstraint) {
  must_answer(e, state, "");
  must_answer(e, state, "1");
  const interview_state before = state;
  EXPECT_EQ(e.answer(state, "3.5", "en").err().message, "the answer must be a whole number");
  EXPECT_EQ(e.answer(state, "twelve", "en").err().message, "the answer must be a whole number");
  EXPECT_EQ(e.answer(state, "501", "en").err().message, "Between 0 and 500");
  EXPECT_EQ(e.answer(state, "-1", "fr").err().message, "Entre 0 et 500");
  EXPECT_EQ(e.answer(state, "99999999999999999999", "en").err().message, "the answer must be a whole number");
  EXPECT_EQ(state, before);
  auto ok = e.check_answer(state, " 12 ", "en");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, value(12));
  EXPECT_EQ(state, before);  // checking is not answering
}

TEST_F(EngineAnswer, ChecksMultipleChoiceSelections) {
  to_q2();
  must_answer(e, state, "1");
  must_answer(e, state, "1");  // q3
  must_answer(e, state, "2");  // q4
  must_answer(e, state, "1");  // q5
  must_answer(e, state, "");   // q6, optional
  ASSERT_EQ(current_name(e, state), "q9");
  EXPECT_EQ(e.answer(state, "1 7", "en").err().message, "7 is not one of the choices 1, 2, 3, 4, 5, 6, 98");
  EXPECT_EQ(e.answer(state, "1 3 1", "en").err().message, "1 is given more than once");
  EXPECT_EQ(e.answer(state, "98 2", "en").err().message, "98 (Don't know) cannot be combined with other choices");
  EXPECT_EQ(e.answer(state, "1 98", "fr").err().message, "98 (Ne sait pas) cannot be combined with other choices");
  EXPECT_EQ(e.answer(state, " ", "en").err().message, "an answer is required");
  EXPECT_EQ(e.answer(state, "1 x", "en").err().message, "x is not one of the choices 1, 2, 3, 4, 5, 6, 98");
  EXPECT_EQ(e.answer_value(state, value(2), "en").err().message,
            "the answer must be choice numbers separated by spaces");
  auto ok = e.check_answer(state, "3, 1;5", "en");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, value(selection{{3, 1, 5}}));  // in the order given
  EXPECT_TRUE(e.check_answer(state, "98", "en"));
}

TEST_F(EngineAnswer, DecimalsTextAndNotes) {
  EXPECT_EQ(e.answer(state, "hello", "en").err().message, "this screen takes no answer (press Enter)");
  to_q2();
  must_answer(e, state, "5");
  must_answer(e, state, "1");
  ASSERT_EQ(current_name(e, state), "q6");
  EXPECT_EQ(e.answer(state, "abc", "en").err().message, "the answer must be a number");
  EXPECT_EQ(e.answer(state, "1,5,3", "en").err().message, "the answer must be a number");
  EXPECT_EQ(*e.check_answer(state, "3,5", "en"), value(3.5));  // a Belgian decimal comma
  EXPECT_EQ(*e.check_answer(state, "-0.25", "en"), value(-0.25));
  must_answer(e, state, "3.5");
  EXPECT_EQ(state.answers.at("q6"), value(3.5));
}

TEST_F(EngineAnswer, TextConstraintUsesTheAnswer) {
  to_q2();
  must_answer(e, state, "2");
  must_answer(e, state, "6");
  ASSERT_EQ(current_name(e, state), "q3_other");
  EXPECT_EQ(e.answer(state, "ab", "en").err().message, "the answer does not meet the condition string-length(.) >= 3");
  EXPECT_EQ(e.answer(state, "", "en").err().message, "an answer is required");
  must_answer(e, state, "  chatbots ");
  EXPECT_EQ(state.answers.at("q3_other"), value("chatbots"));
}

// max_length: the export's width, so a longer text answer is refused, in bytes (an accent counts two).
TEST_F(EngineAnswer, TextLongerThanMaxLengthIsRefused) {
  to_q2();
  must_answer(e, state, "2");
  must_answer(e, state, "6");
  ASSERT_EQ(current_name(e, state), "q3_other");
  EXPECT_EQ(e.answer(state, "planning and rostering", "en").err().message,
            "the answer is too long: 22 bytes, at most 20");
  EXPECT_FALSE(e.answer(state, "planificação rostérs", "en"));  // 20 characters, 22 bytes
  must_answer(e, state, "planning en roosters");                // 20 bytes
  EXPECT_EQ(state.answers.at("q3_other"), value("planning en roosters"));
}

TEST_F(EngineAnswer, SkippedOptionalIsRecordedAsAskedButEmpty) {
  to_q2();
  must_answer(e, state, "5");
  must_answer(e, state, "1");
  must_answer(e, state, "");
  ASSERT_TRUE(state.answers.contains("q6"));
  EXPECT_TRUE(state.answers.at("q6").is_empty());    // asked, unanswered
  EXPECT_FALSE(state.answers.contains("q3"));        // not asked
  EXPECT_FALSE(state.answers.contains("intro"));     // notes are not recorded
}

using EngineRouting = engine_test;

TEST_F(EngineRouting, MonthlyUserIsAskedAreasAndTasks) {
  to_q2();
  must_answer(e, state, "3");
  EXPECT_EQ(current_name(e, state), "q3");
  must_answer(e, state, "1 2");
  EXPECT_EQ(current_name(e, state), "q4");  // no 6: the specify follow-up is skipped
}

TEST_F(EngineRouting, NonUserSkipsAreasAndTasks) {
  to_q2();
  must_answer(e, state, "5");
  EXPECT_EQ(current_name(e, state), "q5");
}

TEST_F(EngineRouting, RareUserIsAskedTasksOnly) {
  to_q2();
  must_answer(e, state, "4");
  EXPECT_EQ(current_name(e, state), "q4");
}

TEST_F(EngineRouting, DontKnowFollowsTheEmptyAndNumberRules) {
  to_q2();
  must_answer(e, state, "98");  // 98 >= 1 but not <= 3 or 4
  EXPECT_EQ(current_name(e, state), "q5");
}

TEST_F(EngineRouting, SpecifyFollowUpOnlyWhenItsCodeIsPicked) {
  to_q2();
  must_answer(e, state, "1");
  must_answer(e, state, "6 2");
  EXPECT_EQ(current_name(e, state), "q3_other");
  EXPECT_TRUE(e.is_relevant(state, *e.question_index("q3_other")));
}

TEST_F(EngineRouting, RelevanceOnAnEmptyAnswerIsFalse) {
  auto study = mini_study();
  // Both "=" and "!=" against an empty answer are false: q_gt and q_ne are never asked while q6 is empty.
  auto q_gt = make_question("q_gt", question_type::integer, "gt", "${q6} > 2");
  auto q_ne = make_question("q_ne", question_type::integer, "ne", "${q6} != 2");
  study.questions.insert(study.questions.end() - 1, {q_gt, q_ne});
  engine e2(std::make_shared<const questionnaire>(study));
  auto st = e2.start(mini_frame(), 1);
  for (auto a : {"", "1", "5", "2"}) must_answer(e2, st, a);
  auto gr = e2.quota_decision(st, true, "en");
  ASSERT_TRUE(gr);
  for (auto a : {"5", "1", "", "1"}) must_answer(e2, st, a);  // q6 skipped
  EXPECT_EQ(current_name(e2, st), "end");
}

TEST_F(EngineRouting, PathListsTheRelevantQuestionsSoFar) {
  to_q2();
  must_answer(e, state, "5");
  std::vector<std::string> names;
  for (auto i : e.path(state)) names.push_back(e.study().questions[i].name);
  EXPECT_EQ(names, (std::vector<std::string>{"intro", "s1", "s2", "s3", "q2"}));
}

using EngineEnding = engine_test;

TEST_F(EngineEnding, ScreensOutAfterTheQuestion) {
  must_answer(e, state, "");
  must_answer(e, state, "1");
  auto s = must_answer(e, state, "25");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::not_eligible);
  EXPECT_EQ(s.message, "Too big: 25 FTE");
  EXPECT_EQ(state.status, interview_status::finished);
  EXPECT_EQ(state.result, outcome::not_eligible);
  EXPECT_EQ(current_name(e, state), "s2");
  EXPECT_EQ(e.end_message(state, "en"), "Too big: 25 FTE");
  EXPECT_EQ(state.answers.at("s2"), value(25));
  // A finished interview takes nothing more.
  EXPECT_FALSE(e.answer(state, "1", "en"));
  EXPECT_FALSE(e.back(state));
}

TEST_F(EngineEnding, WrongPersonEndsAsCallback) {
  must_answer(e, state, "");
  auto s = must_answer(e, state, "2");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::callback);
  EXPECT_EQ(s.message, "Ask when to call back");
}

TEST_F(EngineEnding, CompletesAfterTheLastRelevantQuestion) {
  to_q2();
  for (auto a : {"5", "1", "", "2 1"}) must_answer(e, state, a);
  ASSERT_EQ(current_name(e, state), "end");
  auto s = must_answer(e, state, "");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::complete);
  EXPECT_EQ(state.result, outcome::complete);
  EXPECT_EQ(state.current, e.study().questions.size());
  EXPECT_EQ(e.end_message(state, "en"), "");
  EXPECT_EQ(e.path(state).size(), 9u);  // intro s1 s2 s3 q2 q5 q6 q9 end
}

TEST_F(EngineEnding, CompletesWhenTheRestIsIrrelevant) {
  auto study = mini_study();
  study.questions.back().relevant = expr("${q5} = 1");
  engine e2(std::make_shared<const questionnaire>(study));
  auto st = e2.start(mini_frame(), 1);
  for (auto a : {"", "1", "5", "2"}) must_answer(e2, st, a);
  ASSERT_TRUE(e2.quota_decision(st, true, "en"));
  for (auto a : {"5", "2", "", "1"}) must_answer(e2, st, a);
  EXPECT_EQ(st.status, interview_status::finished);
  EXPECT_EQ(st.result, outcome::complete);
}

}  // namespace
}  // namespace cati::core::test
