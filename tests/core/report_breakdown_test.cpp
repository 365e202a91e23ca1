// The disposition report behind `cati report` (core/report/report_breakdown.hpp): breakdown names, groups in
// order with the remainder last, totals, per-column e, and the rate names.
#include "core/report/report_breakdown.hpp"

#include <gtest/gtest.h>

namespace cati::core {
namespace {

using std::chrono::October;

calendar seed_calendar() {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  return calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", hours).value();
}

questionnaire study_with_frame() {
  questionnaire q;
  q.frame = {{"company", variable_type::text, true, false, {}, {}},
             {"region", variable_type::code, false, false, {}, {}},
             {"sector_frame", variable_type::code, false, false, {}, {}}};
  return q;
}

class ReportBreakdown : public ::testing::Test {
 protected:
  time_point local(unsigned day, int hour) const {
    return cal_.to_utc(std::chrono::year_month_day{std::chrono::year{2025}, October, std::chrono::day{day}}, hour * 60);
  }
  void add(const char* region, std::vector<call_attempt> calls) {
    case_record c;
    c.id = static_cast<case_id>(cases_.size() + 1);
    if (*region) c.frame = {{"region", region}};
    c.calls = std::move(calls);
    cases_.push_back(std::move(c));
  }
  breakdown by(std::string_view name) const { return make_breakdown(name, study_, cal_).value(); }

  calendar cal_ = seed_calendar();
  questionnaire study_ = study_with_frame();
  std::vector<case_record> cases_;
};

TEST_F(ReportBreakdown, NamesOverallDayInterviewerAndResearchFrameVariables) {
  for (auto name : {"overall", "day", "interviewer", "region", "sector_frame"}) {
    auto b = make_breakdown(name, study_, cal_);
    ASSERT_TRUE(b) << name << ": " << b.err().message;
    EXPECT_EQ(b->name, name);
  }
  auto contact = make_breakdown("company", study_, cal_);
  ASSERT_FALSE(contact);
  EXPECT_EQ(contact.err().message, "'company' is contact data: reports are not grouped by it");
  auto unknown = make_breakdown("sector", study_, cal_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.err().message,
            "unknown breakdown 'sector' (expected overall, day, interviewer, region, sector_frame)");
}

TEST_F(ReportBreakdown, GroupsInKeyOrderWithTheRemainderLast) {
  add("WAL", {{local(14, 10), "bob", outcome::complete, {}}});       // bob, 1.1
  add("VLA", {{local(13, 10), "ann", outcome::refusal_target, {}}});  // ann, 2.112
  add("VLA", {{local(13, 11), "ann", outcome::not_eligible, {}}});    // ann, 4.70
  add("", {});                                                        // nobody, 3.11, no region
  const auto r = tabulate_report(cases_, local(20, 0), by("interviewer"));
  EXPECT_EQ(r.breakdown, "interviewer");
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[0].group, "ann");
  EXPECT_EQ(r.columns[1].group, "bob");
  EXPECT_EQ(r.columns[2].group, "");  // never attempted: no deciding call, so no interviewer
  EXPECT_EQ(r.columns[0].counts[aapor_code::refusal_target], 1);
  EXPECT_EQ(r.columns[0].counts[aapor_code::screened_out], 1);
  EXPECT_EQ(r.columns[2].counts[aapor_code::never_attempted], 1);
  EXPECT_EQ(r.total.counts.total(), 4);

  // Each column's e from its own counts: ann (R 1, NE 1) e = 1/2; bob (I 1) e = 1; the remainder has
  // only UH, so no case of known eligibility: e n/a. Total: (I 1 + R 1) / (2 + NE 1) = 2/3.
  EXPECT_DOUBLE_EQ(*r.columns[0].rates.e, 0.5);
  EXPECT_DOUBLE_EQ(*r.columns[1].rates.e, 1.0);
  EXPECT_FALSE(r.columns[2].rates.e);
  EXPECT_DOUBLE_EQ(*r.total.rates.e, 2.0 / 3.0);
  // RR1 overall = I / (I + R + UH) = 1/3; RR3 = 1 / (2 + 2/3 * 1) = 0.375.
  EXPECT_DOUBLE_EQ(*r.total.rates.rr1, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*r.total.rates.rr3, 0.375);
}

TEST_F(ReportBreakdown, GivenEIsUsedInEveryColumn) {
  add("VLA", {{local(13, 10), "ann", outcome::complete, {}}});
  add("BRU", {{local(13, 10), "ann", outcome::no_answer, {}}});
  const auto r = tabulate_report(cases_, local(20, 0), by("region"), 0.25);
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[0].group, "BRU");
  EXPECT_EQ(r.columns[1].group, "VLA");
  for (const auto* c : {&r.columns[0], &r.columns[1], &r.total}) {
    EXPECT_EQ(c->rates.e, 0.25);
    EXPECT_FALSE(c->rates.e_estimated);
  }
  // RR3 overall = I / (I + e * UH) = 1 / (1 + 0.25) = 0.8.
  EXPECT_DOUBLE_EQ(*r.total.rates.rr3, 0.8);
}

TEST_F(ReportBreakdown, AsOfAMomentIgnoresLaterCalls) {
  add("VLA", {{local(13, 10), "ann", outcome::no_answer, {}}, {local(14, 10), "bob", outcome::complete, {}}});
  const auto monday = tabulate_report(cases_, local(13, 23), by("day"));
  ASSERT_EQ(monday.columns.size(), 1u);
  EXPECT_EQ(monday.columns[0].group, "2025-10-13");
  EXPECT_EQ(monday.total.counts[aapor_code::no_answer], 1);
  const auto tuesday = tabulate_report(cases_, local(14, 23), by("day"));
  EXPECT_EQ(tuesday.columns[0].group, "2025-10-14");
  EXPECT_EQ(tuesday.total.counts[aapor_code::complete], 1);
}

TEST_F(ReportBreakdown, NoCasesGiveNoColumnsAndNaRates) {
  const auto r = tabulate_report(cases_, local(20, 0), by("overall"));
  EXPECT_TRUE(r.columns.empty());
  EXPECT_EQ(r.total.counts.total(), 0);
  EXPECT_FALSE(r.total.rates.rr1);
}

TEST_F(ReportBreakdown, RatesInAaporOrder) {
  std::string names;
  for (const auto& f : rate_fields()) names += std::string(f.name) + " ";
  EXPECT_EQ(names, "RR1 RR2 RR3 RR4 RR5 RR6 COOP1 COOP2 COOP3 COOP4 REF1 REF2 REF3 CON1 CON2 CON3 ");
  aapor_rates x;
  x.con3 = 0.5;
  EXPECT_EQ(x.*rate_fields().back().field, 0.5);
  EXPECT_EQ(group_description(aapor_group::refusal), "refusals and break-offs");
}

}  // namespace
}  // namespace cati::core
