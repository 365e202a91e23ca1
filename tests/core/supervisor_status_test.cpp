// What the supervisor watches (core/report/supervisor_status.hpp): the plan and completes per day, rates overall
// and per region, interviewers' state and productivity, on the seed study's calendar.
#include "core/report/supervisor_status.hpp"

#include <gtest/gtest.h>

namespace cati::core {
namespace {

using std::chrono::October;

calendar seed_calendar() {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  return calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", hours).value();
}

class SupervisorStatus : public ::testing::Test {
 protected:
  time_point local(unsigned day, int hour, int minute = 0) const {
    return cal_.to_utc(std::chrono::year_month_day{std::chrono::year{2025}, October, std::chrono::day{day}},
                       hour * 60 + minute);
  }
  void add(const char* region, std::vector<call_attempt> calls) {
    case_record c;
    c.id = static_cast<case_id>(cases_.size() + 1);
    if (*region) c.frame = {{"region", region}};
    c.calls = std::move(calls);
    cases_.push_back(std::move(c));
  }
  call_attempt call(unsigned day, int hour, int minute, const char* who, outcome o) const {
    return {local(day, hour, minute), who, o, std::nullopt};
  }

  calendar cal_ = seed_calendar();
  std::vector<case_record> cases_;
};

TEST_F(SupervisorStatus, ThePlanFollowsCallingTimeAndEndsAtTheTargetOnTheLastDay) {
  auto days = progress_by_day(cases_, cal_, 225, local(13, 9));
  ASSERT_EQ(days.size(), 11u);  // 13 .. 23 October
  EXPECT_EQ(days.front().date, "2025-10-13");
  EXPECT_EQ(days.back().date, "2025-10-23");
  // Nine weekdays of seven calling hours: 25 a day, nothing planned on the weekend of 18-19 October.
  const std::vector<int> planned = {25, 50, 75, 100, 125, 125, 125, 150, 175, 200, 225};
  for (std::size_t i = 0; i < days.size(); ++i) {
    EXPECT_EQ(days[i].planned_cumulative, planned[i]) << days[i].date;
    EXPECT_EQ(days[i].completes, 0);
    EXPECT_EQ(days[i].cumulative, 0);
  }
}

TEST_F(SupervisorStatus, CompletesCountOnTheirDayUpToNowAndAddUp) {
  add("VLA", {call(13, 10, 0, "anna", outcome::complete)});
  add("VLA", {call(13, 9, 0, "anna", outcome::no_answer), call(14, 11, 0, "anna", outcome::complete)});
  add("WAL", {call(14, 15, 0, "bert", outcome::complete)});
  add("WAL", {call(14, 16, 0, "bert", outcome::refusal_target)});
  add("BRU", {call(15, 9, 30, "bert", outcome::complete)});  // after `now`: not yet
  auto days = progress_by_day(cases_, cal_, 225, local(14, 15, 30));
  ASSERT_EQ(days.size(), 11u);
  EXPECT_EQ(days[0].completes, 1);
  EXPECT_EQ(days[0].cumulative, 1);
  EXPECT_EQ(days[1].completes, 2);
  EXPECT_EQ(days[1].cumulative, 3);
  EXPECT_EQ(days[2].completes, 0);
  EXPECT_EQ(days[2].cumulative, 3);
  EXPECT_EQ(days[10].cumulative, 3);
}

TEST_F(SupervisorStatus, ACompleteOutsideTheWindowCountsOnItsNearestDay) {
  add("VLA", {call(12, 10, 0, "anna", outcome::complete)});  // the Sunday before
  auto days = progress_by_day(cases_, cal_, 225, local(13, 9));
  EXPECT_EQ(days[0].completes, 1);
  EXPECT_EQ(days[0].cumulative, 1);
}

TEST_F(SupervisorStatus, RatesOverallFirstThenPerRegionInOrder) {
  add("WAL", {call(13, 10, 0, "anna", outcome::complete)});
  add("VLA", {call(13, 10, 0, "anna", outcome::complete)});
  add("VLA", {call(13, 11, 0, "anna", outcome::refusal_target)});
  add("", {call(13, 11, 0, "anna", outcome::no_answer)});  // no region: in "all" only
  questionnaire study;
  study.frame = {{"company", variable_type::text, true, false, {}, {}},
                 {"region", variable_type::code, false, false, {}, {}}};
  auto groups = rates_by(cases_, study, cal_, "region", local(13, 12));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].group, "all");
  EXPECT_EQ(groups[1].group, "VLA");
  EXPECT_EQ(groups[2].group, "WAL");
  EXPECT_EQ(groups[0].counts.total(), 4);
  EXPECT_EQ(groups[0].counts[aapor_code::complete], 2);
  EXPECT_EQ(groups[0].counts[aapor_code::no_answer], 1);
  // e = 3/3; RR3 = I / (I + R + e*UH) = 2 / 4; REF1 = 1/4; COOP1 = 2/3.
  EXPECT_DOUBLE_EQ(groups[0].rates.rr3.value(), 0.5);
  EXPECT_DOUBLE_EQ(groups[0].rates.ref1.value(), 0.25);
  EXPECT_DOUBLE_EQ(groups[0].rates.coop1.value(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(groups[1].rates.rr3.value(), 0.5);
  EXPECT_DOUBLE_EQ(groups[2].rates.rr3.value(), 1.0);
  EXPECT_DOUBLE_EQ(groups[2].rates.con1.value(), 1.0);

  // Contact data, or a variable the study does not have, is not a grouping: "all" only.
  EXPECT_EQ(rates_by(cases_, study, cal_, "company", local(13, 12)).size(), 1u);
  EXPECT_EQ(rates_by(cases_, study, cal_, "sector", local(13, 12)).size(), 1u);
}

TEST_F(SupervisorStatus, InterviewersTodayWithRatesPerHourOfWorkAndMeanLength) {
  add("VLA", {call(13, 9, 0, "anna", outcome::no_answer), call(14, 9, 0, "anna", outcome::no_answer)});
  add("VLA", {call(14, 9, 30, "anna", outcome::busy)});
  add("WAL", {call(14, 10, 0, "anna", outcome::complete)});
  add("WAL", {call(14, 9, 0, "bert", outcome::soft_refusal)});
  add("BRU", {call(13, 9, 0, "dora", outcome::complete)});  // yesterday only: not listed
  std::vector<interview_span> spans = {
      {"anna", local(13, 9, 0), local(13, 9, 10), true},
      {"anna", local(14, 9, 40), local(14, 10, 0), true},
      {"anna", local(14, 10, 30), local(14, 10, 31), false},  // a break-off: not a length
  };
  std::vector<interviewer_presence> presence = {{"anna", true, interviewer_activity::calling},
                                                {"carl", true, interviewer_activity::idle}};
  auto rows = interviewer_rows(cases_, spans, presence, cal_, local(14, 11));
  ASSERT_EQ(rows.size(), 3u);

  EXPECT_EQ(rows[0].name, "anna");
  EXPECT_TRUE(rows[0].online);
  EXPECT_EQ(rows[0].activity, interviewer_activity::calling);
  EXPECT_EQ(rows[0].calls, 3);
  EXPECT_EQ(rows[0].completes, 1);
  EXPECT_DOUBLE_EQ(rows[0].calls_per_hour, 1.5);  // online: 09:00 to now (11:00)
  EXPECT_DOUBLE_EQ(rows[0].completes_per_hour, 0.5);
  ASSERT_TRUE(rows[0].mean_interview_minutes);
  EXPECT_DOUBLE_EQ(*rows[0].mean_interview_minutes, 15.0);

  EXPECT_EQ(rows[1].name, "bert");
  EXPECT_FALSE(rows[1].online);
  EXPECT_EQ(rows[1].calls, 1);
  EXPECT_DOUBLE_EQ(rows[1].calls_per_hour, 4.0);  // one call: the shortest shift, a quarter of an hour
  EXPECT_FALSE(rows[1].mean_interview_minutes);

  EXPECT_EQ(rows[2].name, "carl");
  EXPECT_TRUE(rows[2].online);
  EXPECT_EQ(rows[2].activity, interviewer_activity::idle);
  EXPECT_EQ(rows[2].calls, 0);
  EXPECT_DOUBLE_EQ(rows[2].calls_per_hour, 0.0);
  EXPECT_EQ(to_string(interviewer_activity::interviewing), "interviewing");
}

}  // namespace
}  // namespace cati::core
