// The firm is the sampling unit: dead numbers, partial interviews, refusal conversion and the eligibility
// choices (docs/dispositions.md), from call histories as the fieldwork logs them.
#include <gtest/gtest.h>

#include "core/calling/case_plan.hpp"
#include "core/calling/disposition.hpp"
#include "core/report/aapor.hpp"

namespace cati::core {
namespace {

using std::chrono::October;
using std::chrono::year;
using std::chrono::year_month_day;

calendar seed_calendar() {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  return calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", hours).value();
}

class FirmDisposition : public ::testing::Test {
 protected:
  time_point local(unsigned day, int h, int m = 0) const {
    return cal_.to_utc(year_month_day{year{2025}, October, std::chrono::day{day}}, h * 60 + m);
  }
  // A call to the firm's number `number` (0 = the first in dialling order).
  static call_attempt call(time_point at, outcome o, int number, std::string who = "ann") {
    call_attempt c{at, std::move(who), o, {}};
    c.number = number;
    return c;
  }
  static case_record firm(int numbers, std::vector<call_attempt> calls) {
    case_record c;
    c.id = 1;
    c.numbers = numbers;
    c.calls = std::move(calls);
    return c;
  }
  std::string code(const case_record& c, time_point at) const { return std::string(code_text(final_disposition(c, at).code)); }

  calendar cal_ = seed_calendar();
  call_rules rules_;  // the built-in rules: dead numbers final, soft refusal 3 days by a converter, once
  time_point end_ = local(24, 9);
};

TEST_F(FirmDisposition, ADeadFirstNumberLeavesTheFirmToItsSecondNumber) {
  auto c = firm(2, {call(local(13, 9), outcome::disconnected, 0)});
  // Not finished: the second number is due at once, and the dead call was no attempt on the firm.
  auto p = plan_case(c, rules_, cal_);
  EXPECT_FALSE(p.finished());
  EXPECT_EQ(p.next_number, 1);
  EXPECT_EQ(p.dead_numbers, std::vector<int>{0});
  EXPECT_EQ(p.attempts, 0);
  EXPECT_EQ(p.due, local(13, 9));
  // Until the second number is tried, the firm's eligibility is unknown: 3.90, not 4.30.
  EXPECT_EQ(code(c, end_), "3.90");

  // The second number answers and the interview completes: 1.1.
  c.calls.push_back(call(local(13, 9, 5), outcome::complete, 1));
  EXPECT_EQ(code(c, end_), "1.1");
  EXPECT_TRUE(plan_case(c, rules_, cal_).finished());
}

TEST_F(FirmDisposition, AFirmIsDeadOnlyWhenEveryNumberIs) {
  auto c = firm(2, {call(local(13, 9), outcome::fax_modem, 0), call(local(13, 9, 1), outcome::no_answer, 1)});
  EXPECT_EQ(code(c, end_), "3.13");  // the live number's outcome decides, not the fax
  auto p = plan_case(c, rules_, cal_);
  EXPECT_FALSE(p.finished());
  EXPECT_EQ(p.next_number, 1);  // the fax number is skipped
  EXPECT_EQ(p.attempts, 1);

  c.calls.push_back(call(local(13, 14), outcome::wrong_number, 1));
  EXPECT_EQ(code(c, end_), "4.10");  // both dead: the latest dead-number code
  p = plan_case(c, rules_, cal_);
  EXPECT_TRUE(p.finished());
  EXPECT_EQ(p.final_outcome, outcome::wrong_number);
  // As of before the second number died, it was still the no-answer.
  EXPECT_EQ(code(c, local(13, 13)), "3.13");
}

TEST_F(FirmDisposition, TheNumberThatReachedTheFirmIsDialledAgainOthersInTurn) {
  // Nobody on the first number: the second next; a callback on the second: the second again.
  auto c = firm(3, {call(local(13, 9), outcome::no_answer, 0)});
  EXPECT_EQ(plan_case(c, rules_, cal_).next_number, 1);
  c.calls.push_back(call(local(13, 14), outcome::callback, 1));
  EXPECT_EQ(plan_case(c, rules_, cal_).next_number, 1);
  // The second goes dead: the third, then round to the first, skipping the dead one.
  c.calls.push_back(call(local(14, 9), outcome::disconnected, 1));
  EXPECT_EQ(plan_case(c, rules_, cal_).next_number, 2);
  c.calls.push_back(call(local(14, 10), outcome::busy, 2));
  EXPECT_EQ(plan_case(c, rules_, cal_).next_number, 0);
  // A call logged without its number (an interview's ending) leaves the choice where it was.
  c.calls.push_back(call(local(14, 11), outcome::break_off, -1));
  EXPECT_EQ(plan_case(c, rules_, cal_).next_number, 0);
}

TEST_F(FirmDisposition, AOneNumberFirmKeepsTheNumberAsUnitReading) {
  auto c = firm(1, {call(local(13, 9), outcome::disconnected, 0)});
  EXPECT_EQ(code(c, end_), "4.30");
  EXPECT_TRUE(plan_case(c, rules_, cal_).finished());
  // A history logged without numbers reads every dead call as the first number's.
  auto unknown = firm(2, {call(local(13, 9), outcome::disconnected, -1), call(local(13, 10), outcome::disconnected, -1)});
  EXPECT_EQ(code(unknown, end_), "3.90");
  EXPECT_FALSE(plan_case(unknown, rules_, cal_).finished());
}

TEST_F(FirmDisposition, ABreakOffRecordedPastThePartialPointIsAPartialInterview) {
  auto past = firm(1, {call(local(13, 9), outcome::break_off, 0)});
  past.calls[0].partial = true;  // the fieldwork recorded it past q5_potential
  EXPECT_EQ(code(past, end_), "1.2");
  EXPECT_EQ(group_of(final_disposition(past, end_).code), aapor_group::partial);

  auto before = firm(1, {call(local(13, 9), outcome::break_off, 0)});
  EXPECT_EQ(code(before, end_), "2.12");  // recorded before the partial point
  // Resumed, and broken off again past the point: the first break-off was 2.12, the second 1.2.
  before.calls.push_back(call(local(14, 10), outcome::break_off, 0));
  before.calls.back().partial = true;
  EXPECT_EQ(code(before, local(13, 12)), "2.12");
  EXPECT_EQ(code(before, end_), "1.2");
  // A complete still outranks the partial.
  before.calls.push_back(call(local(15, 10), outcome::complete, 0));
  EXPECT_EQ(code(before, end_), "1.1");
  // The flag means nothing on another outcome.
  auto refusal = firm(1, {call(local(13, 9), outcome::refusal_target, 0)});
  refusal.calls[0].partial = true;
  EXPECT_EQ(code(refusal, end_), "2.112");
}

TEST_F(FirmDisposition, ASoftRefusalIsConvertedOnceByAConverterThenFinal) {
  call_rules study;
  study.rules = {{outcome::soft_refusal, 3 * 24 * 60, 1, false, 1, false, true}};  // 3 days, converter, once
  auto c = firm(1, {call(local(13, 10), outcome::soft_refusal, 0)});
  auto p = plan_case(c, study, cal_);
  EXPECT_FALSE(p.finished());
  EXPECT_TRUE(p.converters_only);
  EXPECT_EQ(p.due, local(16, 10));  // not before three days have passed
  EXPECT_EQ(p.spent, std::vector<outcome>{outcome::soft_refusal});  // the converter may not code it again

  // The converter meets a second soft refusal: final, 2.11.
  c.calls.push_back(call(local(16, 10), outcome::soft_refusal, 0, "rik"));
  p = plan_case(c, study, cal_);
  EXPECT_TRUE(p.finished());
  EXPECT_EQ(p.finished_by, finish_reason::final_outcome);
  EXPECT_EQ(p.final_outcome, outcome::soft_refusal);
  EXPECT_EQ(code(c, end_), "2.11");

  // Converted instead: a complete.
  auto converted = firm(1, {call(local(13, 10), outcome::soft_refusal, 0), call(local(16, 10), outcome::complete, 0, "rik")});
  EXPECT_EQ(code(converted, end_), "1.1");
}

// Hand computation, counts 1.1 x4, 2.112 x1, 3.13 x5, 4.30 x3, 4.80 x2:
//   quota not eligible, dead not eligible (AAPOR's table): I=4 R=1 UH=5 NE=5   e = 5/10   RR3 = 4/(5+2.5)
//   quota eligible (O), dead not eligible:                  I=4 R=1 O=2 UH=5 NE=3 e = 7/10 RR3 = 4/(7+3.5)
//   quota not eligible, dead unknown (UH) (the default):   I=4 R=1 UH=8 NE=2 e = 5/7  RR3 = 4/(5+40/7)
//   quota eligible, dead unknown:                           I=4 R=1 O=2 UH=8 NE=0 e = 1 RR3 = 4/15
TEST(EligibilityRules, QuotaFilledAndDeadNumbersMoveBetweenGroupsAsChosen) {
  struct row {
    quota_filled_rule quota;
    dead_number_rule dead;
    double e, rr3;
    long ne;
  };
  const row table[] = {
      {quota_filled_rule::not_eligible, dead_number_rule::not_eligible, 0.5, 4 / 7.5, 5},
      {quota_filled_rule::eligible, dead_number_rule::not_eligible, 0.7, 4 / 10.5, 3},
      {quota_filled_rule::not_eligible, dead_number_rule::unknown, 5.0 / 7, 4 / (5 + 40.0 / 7), 2},
      {quota_filled_rule::eligible, dead_number_rule::unknown, 1.0, 4.0 / 15, 0},
  };
  for (const auto& r : table) {
    disposition_counts n({r.quota, r.dead});
    n.add(aapor_code::complete, 4);
    n.add(aapor_code::refusal_target, 1);
    n.add(aapor_code::no_answer, 5);
    n.add(aapor_code::non_working, 3);
    n.add(aapor_code::quota_filled, 2);
    const auto rates = compute_rates(n);
    const std::string which = std::string(to_string(r.quota)) + "/" + std::string(to_string(r.dead));
    ASSERT_TRUE(rates.e && rates.rr3) << which;
    EXPECT_NEAR(*rates.e, r.e, 1e-12) << which;
    EXPECT_NEAR(*rates.rr3, r.rr3, 1e-12) << which;
    EXPECT_EQ(n.group(aapor_group::not_eligible), r.ne) << which;
    // The table shows each code in the group it was counted in.
    for (const auto& t : disposition_table(n)) {
      if (t.code != aapor_code::non_working) continue;
      EXPECT_EQ(t.group, r.dead == dead_number_rule::unknown ? aapor_group::unknown_household : aapor_group::not_eligible);
    }
  }
  // The default is the list-sample reading: 4.80 not eligible, dead numbers unknown.
  EXPECT_EQ(eligibility_rules{}.quota_filled, quota_filled_rule::not_eligible);
  EXPECT_EQ(eligibility_rules{}.dead_number, dead_number_rule::unknown);
  EXPECT_EQ(quota_filled_rule_from("eligible"), quota_filled_rule::eligible);
  EXPECT_EQ(dead_number_rule_from("not-eligible"), dead_number_rule::not_eligible);
  EXPECT_FALSE(dead_number_rule_from("maybe").has_value());
}

TEST(EligibilityRules, TabulateCountsUnderTheRulesItIsGiven) {
  case_record dead;
  dead.id = 1;
  dead.calls = {{time_point{}, "ann", outcome::disconnected, {}}};
  std::vector<case_record> cases = {dead};
  const auto as_unknown = tabulate(cases, time_point::max(), overall())[""];
  EXPECT_EQ(as_unknown.group(aapor_group::unknown_household), 1);
  const auto as_ne = tabulate(cases, time_point::max(), overall(), {quota_filled_rule::not_eligible, dead_number_rule::not_eligible})[""];
  EXPECT_EQ(as_ne.group(aapor_group::not_eligible), 1);
}

}  // namespace
}  // namespace cati::core
