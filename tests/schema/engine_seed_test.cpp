// The engine on the seed study, schema/ai_barometer_2025, as loaded by cati::schema::load_study.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/questionnaire/choice_order.hpp"
#include "core/questionnaire/engine.hpp"
#include "schema/loader.hpp"

namespace cati::core {
namespace {

const std::filesystem::path seed_study = std::filesystem::path(CATI_SOURCE_DIR) / "schema/ai_barometer_2025";

class EngineSeed : public ::testing::Test {
 protected:
  static std::shared_ptr<const questionnaire> load() {
    auto report = schema::load_study(seed_study);
    std::string problems;
    for (const auto& d : report.diagnostics) problems += d.to_string() + "\n";
    EXPECT_TRUE(report.ok()) << problems;
    return report.study;
  }

  void SetUp() override { ASSERT_TRUE(study_) << "the seed study does not load"; }

  step answer(std::string_view text, std::string_view lang = "nl") {
    auto r = e_.answer(state_, text, lang);
    EXPECT_TRUE(r) << "at " << at() << ", \"" << text << "\" refused: " << r.err().message;
    return r ? *r : step{};
  }
  void answers(std::initializer_list<std::string_view> texts) {
    for (auto t : texts) answer(t);
  }
  std::string at() const {
    return state_.current < e_.study().questions.size() ? e_.study().questions[state_.current].name : "<end>";
  }
  // Through the screeners (s2_fte = 12) and the quota check, to q1_market.
  void to_q1() {
    answers({"", "1", "12"});
    auto s = answer("2");
    ASSERT_EQ(s.kind, step_kind::quota_check);
    EXPECT_EQ(s.quota_values, (std::vector<quota_value>{{"region", "WAL"}, {"s3_sector", "2"}}));
    ASSERT_TRUE(e_.quota_decision(state_, true, "fr"));
    ASSERT_EQ(at(), "q1_market");
  }
  void back_to(std::string_view name) {
    while (at() != name) ASSERT_TRUE(e_.back(state_)) << "stuck at " << at();
  }

  std::shared_ptr<const questionnaire> study_ = load();
  engine e_{study_ ? study_ : std::make_shared<const questionnaire>()};
  interview_state state_ = e_.start({{"company", "Boulangerie Dupont"}, {"region", "WAL"}, {"language", "fr"}}, 7);
};

TEST_F(EngineSeed, FirmWith25FteIsNotEligibleAfterS2) {
  answers({"", "1"});
  ASSERT_EQ(at(), "s2_fte");
  auto s = answer("25", "en");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::not_eligible);
  EXPECT_NE(s.message.find("at most 20 full-time"), std::string::npos) << s.message;
  EXPECT_EQ(at(), "s2_fte");
  EXPECT_EQ(state_.answers.size(), 2u);
}

TEST_F(EngineSeed, WrongPersonIsCalledBack) {
  answer("");
  auto s = answer("2");
  EXPECT_EQ(s.kind, step_kind::finished);
  EXPECT_EQ(s.result, outcome::callback);
}

TEST_F(EngineSeed, QuotaCheckTakesRegionAndSectorCells) {
  answers({"", "1", "12"});
  auto s = answer("2");
  ASSERT_EQ(s.kind, step_kind::quota_check);
  const auto cells = e_.matching_cells(s.quota_values);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(e_.study().quotas[cells[0].quota].cells[cells[0].cell].label, "Wallonia");
  EXPECT_EQ(e_.study().quotas[cells[1].quota].cells[cells[1].cell].label, "Commerce");
  ASSERT_TRUE(e_.quota_decision(state_, false, "fr"));
  EXPECT_EQ(state_.result, outcome::over_quota);
}

TEST_F(EngineSeed, MonthlyUserIsAskedTheAreas) {
  to_q1();
  answers({"1", "3"});
  EXPECT_EQ(at(), "q3_ai_areas");
  answer("1 6");
  EXPECT_EQ(at(), "q3_other");
  answer("chatbots voor klanten");
  EXPECT_EQ(at(), "q4_ai_tasks");
}

TEST_F(EngineSeed, NonUserIsNotAskedAreasOrTasks) {
  to_q1();
  answers({"1", "5"});
  EXPECT_EQ(at(), "q5_potential");
  EXPECT_FALSE(state_.answers.contains("q3_ai_areas"));
}

TEST_F(EngineSeed, ChangingMonthlyToNeverDropsQ3AndQ4) {
  to_q1();
  answers({"1", "3", "1 2", "1 4"});
  ASSERT_EQ(at(), "q5_potential");
  back_to("q2_ai_use");
  auto screen = e_.current_screen(state_, "fr");
  ASSERT_TRUE(screen.current_answer);
  EXPECT_EQ(screen.current_answer->to_string(), "3");
  auto s = answer("5");
  std::vector<std::string> dropped;
  for (const auto& d : s.dropped) dropped.push_back(d.name);
  EXPECT_EQ(dropped, (std::vector<std::string>{"q3_ai_areas", "q4_ai_tasks"}));
  EXPECT_FALSE(state_.answers.contains("q3_ai_areas"));
  EXPECT_FALSE(state_.answers.contains("q4_ai_tasks"));
  EXPECT_EQ(at(), "q5_potential");
}

TEST_F(EngineSeed, AnswersOutsideChoicesAndRangesAreRejected) {
  answer("");
  const auto before = state_;
  EXPECT_EQ(e_.answer(state_, "3", "en").err().message, "3 is not one of the choices 1, 2");
  answer("1");
  EXPECT_EQ(e_.answer(state_, "501", "en").err().message, "Enter a whole number from 0 to 500.");
  EXPECT_EQ(e_.answer(state_, "-1", "fr").err().message, "Saisissez un nombre entier de 0 à 500.");
  EXPECT_EQ(e_.answer(state_, "12.5", "en").err().message, "the answer must be a whole number");
  EXPECT_EQ(e_.answer(state_, "", "en").err().message, "an answer is required");
  answers({"12", "2"});
  ASSERT_TRUE(e_.quota_decision(state_, true, "fr"));
  answer("1");
  EXPECT_EQ(e_.answer(state_, "7", "en").err().message, "7 is not one of the choices 1, 2, 3, 4, 5, 98");
  answer("2");
  EXPECT_EQ(e_.answer(state_, "1 1", "en").err().message, "1 is given more than once");
  EXPECT_EQ(e_.answer(state_, "0", "en").err().message, "0 is not one of the choices 1, 2, 3, 4, 5, 6");
  answer("6");
  EXPECT_EQ(e_.answer(state_, "ab", "en").err().message, "Type the answer in a few words.");
  EXPECT_NE(state_, before);
}

TEST_F(EngineSeed, ScreensAreInTheCaseLanguageWithFills) {
  answer("");
  auto s = e_.current_screen(state_, "fr");
  EXPECT_EQ(s.label, "Êtes-vous le gérant ou la gérante de Boulangerie Dupont, ou êtes-vous coresponsable des "
                     "décisions dans l'entreprise ?");
  ASSERT_EQ(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[1].label, "Non");
  EXPECT_EQ(s.number, 2u);
  EXPECT_EQ(s.count, e_.study().questions.size());
}

TEST_F(EngineSeed, BankDomainsAreShuffledWithOtherLast) {
  const question& q9 = *e_.study().find_question("q9_bank_domains");
  ASSERT_TRUE(q9.randomize);
  bool shuffled = false;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    auto order = choice_order(q9, seed);
    EXPECT_EQ(q9.choices[order.back()].code, 6);
    EXPECT_EQ(order, choice_order(q9, seed));
    shuffled = shuffled || order.front() != 0;
  }
  EXPECT_TRUE(shuffled);
}

TEST_F(EngineSeed, FullInterviewCompletesAndResumesAtEveryStep) {
  const std::vector<std::string_view> script = {"", "1", "12", "2", "1", "3", "1 6", "chatbots", "1 4",
                                                "1", "2", "1", "1", "3 1", ""};
  for (auto text : script) {
    answer(text);
    if (state_.status == interview_status::quota_check) {
      ASSERT_TRUE(e_.quota_decision(state_, true, "nl"));
    }
    auto restored = e_.restore(e_.save(state_), state_.frame, state_.seed);
    ASSERT_TRUE(restored) << restored.err().message;
    EXPECT_EQ(*restored, state_) << "after " << text;
  }
  EXPECT_EQ(state_.status, interview_status::finished);
  EXPECT_EQ(state_.result, outcome::complete);
  EXPECT_EQ(state_.answers.size(), 13u);  // s1 s2 s3 q1-q9, q3_other
}

}  // namespace
}  // namespace cati::core
