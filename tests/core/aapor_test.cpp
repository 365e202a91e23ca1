#include "core/report/aapor.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

void expect_rate(rate actual, double expected, const char* name) {
  ASSERT_TRUE(actual.has_value()) << name << " is n/a";
  EXPECT_NEAR(*actual, expected, 1e-12) << name;
}

// The hand computations below count 4.20 and 4.30 as not eligible (AAPOR's telephone table); the
// default rules (dead numbers of unknown eligibility) are tested in firm_disposition_test.cpp.
const eligibility_rules aapor_table{quota_filled_rule::not_eligible, dead_number_rule::not_eligible};

// 18 firms, days Monday 13 (1) to Thursday 16 (4) October 2025, 10:00 local.
class AaporTest : public ::testing::Test {
 protected:
  AaporTest() {
    auto c = [&](unsigned day, outcome o, const char* who) { return call_attempt{local(day), who, o, {}}; };
    add(1, "VLA", {c(13, outcome::no_answer, "ann"), c(14, outcome::complete, "ann")});           // 1.1
    add(2, "VLA", {c(13, outcome::complete, "ann")});                                             // 1.1
    add(3, "WAL", {c(14, outcome::complete, "bea")});                                             // 1.1
    add(4, "BRU", {c(13, outcome::soft_refusal, "cas"), c(16, outcome::complete, "rik")});        // 1.1
    add(5, "VLA", {c(13, outcome::refusal_target, "ann"), c(14, outcome::no_answer, "ann"),
                   c(15, outcome::no_answer, "ann")});                                            // 2.112
    add(6, "WAL", {c(14, outcome::refusal_receptionist, "bea")});                                 // 2.111
    add(7, "VLA", {c(15, outcome::break_off, "ann")});                                            // 2.12
    add(8, "VLA", {c(13, outcome::callback, "ann")});                                             // 2.21
    add(9, "WAL", {c(13, outcome::callback, "bea"), c(14, outcome::answering_machine, "bea")});   // 2.222
    add(10, "BRU", {c(14, outcome::language_problem, "cas")});                                    // 2.33
    add(11, "VLA", {c(13, outcome::no_answer, "ann"), c(14, outcome::no_answer, "ann")});         // 3.13
    add(12, "VLA", {c(13, outcome::no_answer, "ann")});                                           // 3.13
    add(13, "WAL", {c(13, outcome::busy, "bea"), c(13, outcome::busy, "bea")});                   // 3.12
    add(14, "WAL", {c(14, outcome::answering_machine, "bea")});                                   // 3.14
    add(15, "BRU", {});                                                                           // 3.11
    add(16, "VLA", {c(13, outcome::not_eligible, "ann")});                                        // 4.70
    add(17, "WAL", {c(14, outcome::fax_modem, "bea")});                                           // 4.20
    add(18, "BRU", {c(15, outcome::disconnected, "cas")});                                        // 4.30
  }
  time_point local(unsigned day, int h = 10) const {
    return cal_.to_utc(year_month_day{year{2025}, October, std::chrono::day{day}}, h * 60);
  }
  void add(case_id id, const char* region, std::vector<call_attempt> calls) {
    case_record c;
    c.id = id;
    c.frame = {{"region", region}};
    c.calls = std::move(calls);
    cases_.push_back(std::move(c));
  }
  disposition_counts all(time_point at) const { return tabulate(cases_, at, overall(), aapor_table)[""]; }

  calendar cal_ = seed_calendar();
  std::vector<case_record> cases_;
  const time_point end_ = local(24);
};

TEST_F(AaporTest, DispositionTableFromTheHistories) {
  auto n = all(end_);
  EXPECT_EQ(n.total(), 18);
  EXPECT_EQ(n[aapor_code::complete], 4);
  EXPECT_EQ(n[aapor_code::refusal_target], 1);
  EXPECT_EQ(n[aapor_code::machine_no_message], 1);
  EXPECT_EQ(n[aapor_code::no_answer], 2);
  EXPECT_EQ(n[aapor_code::never_attempted], 1);
  EXPECT_EQ(n.group(aapor_group::interview), 4);
  EXPECT_EQ(n.group(aapor_group::partial), 0);
  EXPECT_EQ(n.group(aapor_group::refusal), 3);
  EXPECT_EQ(n.group(aapor_group::non_contact), 2);
  EXPECT_EQ(n.group(aapor_group::other), 1);
  EXPECT_EQ(n.group(aapor_group::unknown_household), 5);
  EXPECT_EQ(n.group(aapor_group::unknown_other), 0);
  EXPECT_EQ(n.group(aapor_group::not_eligible), 3);

  auto rows = disposition_table(n);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(aapor_code_count));  // zero rows included
  EXPECT_EQ(rows[0].text, "1.1");
  EXPECT_EQ(rows[0].count, 4);
  EXPECT_EQ(rows[1].text, "1.2");
  EXPECT_EQ(rows[1].count, 0);
}

// Hand computation, I=4 P=0 R=3 NC=2 O=1 UH=5 UO=0 NE=3:
//   e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) = 10/13
//   known = I+P+R+NC+O = 10, unknown = UH+UO = 5, e*unknown = 50/13, known + e*unknown = 180/13
//   RR1 = RR2 = 4/15                RR3 = RR4 = 4 / (180/13) = 52/180 = 13/45      RR5 = RR6 = 4/10
//   COOP1 = COOP2 = 4/(4+3+1) = 1/2                COOP3 = COOP4 = 4/(4+3) = 4/7
//   REF1 = 3/15 = 1/5               REF2 = 3 / (180/13) = 39/180 = 13/60            REF3 = 3/10
//   contacted = I+P+R+O = 8
//   CON1 = 8/(8+2+5) = 8/15         CON2 = 8 / (8+2+50/13) = 104/180 = 26/45        CON3 = 8/10
TEST_F(AaporTest, EveryRateMatchesTheHandComputation) {
  auto r = compute_rates(all(end_));
  EXPECT_TRUE(r.e_estimated);
  expect_rate(r.e, 10.0 / 13, "e");
  expect_rate(r.rr1, 4.0 / 15, "RR1");
  expect_rate(r.rr2, 4.0 / 15, "RR2");
  expect_rate(r.rr3, 13.0 / 45, "RR3");
  expect_rate(r.rr4, 13.0 / 45, "RR4");
  expect_rate(r.rr5, 0.4, "RR5");
  expect_rate(r.rr6, 0.4, "RR6");
  expect_rate(r.coop1, 0.5, "COOP1");
  expect_rate(r.coop2, 0.5, "COOP2");
  expect_rate(r.coop3, 4.0 / 7, "COOP3");
  expect_rate(r.coop4, 4.0 / 7, "COOP4");
  expect_rate(r.ref1, 0.2, "REF1");
  expect_rate(r.ref2, 13.0 / 60, "REF2");
  expect_rate(r.ref3, 0.3, "REF3");
  expect_rate(r.con1, 8.0 / 15, "CON1");
  expect_rate(r.con2, 26.0 / 45, "CON2");
  expect_rate(r.con3, 0.8, "CON3");
}

// With partials the odd and even rates part. Counts I=4 P=2 R=3 NC=2 O=1 UH=4 UO=1 NE=3, e set to 0.5:
//   known = 12, unknown = 5, e*unknown = 2.5, I+P = 6, contacted = I+P+R+O = 10
//   RR1 = 4/17   RR2 = 6/17   RR3 = 4/14.5   RR4 = 6/14.5   RR5 = 4/12   RR6 = 6/12
//   COOP1 = 4/10   COOP2 = 6/10   COOP3 = 4/9   COOP4 = 6/9
//   REF1 = 3/17   REF2 = 3/14.5   REF3 = 3/12
//   CON1 = 10/17   CON2 = 10/14.5   CON3 = 10/12
//   (the estimate would have been e = 12/15)
TEST_F(AaporTest, PartialsAndAGivenE) {
  disposition_counts n(aapor_table);
  n.add(aapor_code::complete, 4);
  n.add(aapor_code::partial, 2);
  n.add(aapor_code::refusal_target, 2);
  n.add(aapor_code::break_off, 1);
  n.add(aapor_code::never_available, 2);
  n.add(aapor_code::language_problem, 1);
  n.add(aapor_code::no_answer, 3);
  n.add(aapor_code::always_busy, 1);
  n.add(aapor_code::unknown_other, 1);
  n.add(aapor_code::screened_out, 2);
  n.add(aapor_code::fax, 1);
  expect_rate(estimate_e(n), 0.8, "estimated e");

  auto r = compute_rates(n, 0.5);
  EXPECT_FALSE(r.e_estimated);
  expect_rate(r.e, 0.5, "e");
  expect_rate(r.rr1, 4.0 / 17, "RR1");
  expect_rate(r.rr2, 6.0 / 17, "RR2");
  expect_rate(r.rr3, 4.0 / 14.5, "RR3");
  expect_rate(r.rr4, 6.0 / 14.5, "RR4");
  expect_rate(r.rr5, 4.0 / 12, "RR5");
  expect_rate(r.rr6, 6.0 / 12, "RR6");
  expect_rate(r.coop1, 4.0 / 10, "COOP1");
  expect_rate(r.coop2, 6.0 / 10, "COOP2");
  expect_rate(r.coop3, 4.0 / 9, "COOP3");
  expect_rate(r.coop4, 6.0 / 9, "COOP4");
  expect_rate(r.ref1, 3.0 / 17, "REF1");
  expect_rate(r.ref2, 3.0 / 14.5, "REF2");
  expect_rate(r.ref3, 3.0 / 12, "REF3");
  expect_rate(r.con1, 10.0 / 17, "CON1");
  expect_rate(r.con2, 10.0 / 14.5, "CON2");
  expect_rate(r.con3, 10.0 / 12, "CON3");
}

TEST_F(AaporTest, DivisionByZeroIsNotApplicableNeverNan) {
  auto empty = compute_rates({});
  for (rate x : {empty.e, empty.rr1, empty.rr2, empty.rr3, empty.rr4, empty.rr5, empty.rr6, empty.coop1,
                 empty.coop2, empty.coop3, empty.coop4, empty.ref1, empty.ref2, empty.ref3, empty.con1,
                 empty.con2, empty.con3})
    EXPECT_EQ(x, std::nullopt);
  EXPECT_EQ(format_rate(empty.rr1), "n/a");

  // Only unknown eligibility: e has no basis, so the e-based rates are n/a; the others are 0.
  disposition_counts unknown;
  unknown.add(aapor_code::no_answer, 5);
  auto u = compute_rates(unknown);
  EXPECT_EQ(u.e, std::nullopt);
  expect_rate(u.rr1, 0.0, "RR1");
  EXPECT_EQ(u.rr3, std::nullopt);
  EXPECT_EQ(u.rr5, std::nullopt);
  EXPECT_EQ(u.coop1, std::nullopt);

  // Only not eligible: e = 0, and every denominator is 0.
  disposition_counts ne(aapor_table);
  ne.add(aapor_code::fax, 2);
  auto n = compute_rates(ne);
  expect_rate(n.e, 0.0, "e");
  EXPECT_EQ(n.rr3, std::nullopt);

  // A given e outside 0..1 (or NaN) is refused: n/a rather than a nonsense rate.
  disposition_counts some = all(end_);
  EXPECT_EQ(compute_rates(some, 1.5).rr3, std::nullopt);
  EXPECT_EQ(compute_rates(some, std::nan("")).rr3, std::nullopt);
  EXPECT_TRUE(compute_rates(some, 1.5).rr1.has_value());
  EXPECT_EQ(format_rate(4.0 / 15), "0.2667");
  EXPECT_EQ(format_rate(0.5, 1), "0.5");
}

// VLA: 1, 2 I; 5, 7 R; 8 NC; 11, 12 UH; 16 NE.  e = 5/6; RR1 = 2/7; RR3 = 2/(5 + 5/6*2) = 0.3
// WAL: 3 I; 6 R; 9 NC; 13, 14 UH; 17 NE.         RR1 = 1/5
// BRU: 4 I; 10 O; 15 UH; 18 NE.                   RR1 = 1/3; COOP1 = 1/(1+1) = 1/2
TEST_F(AaporTest, PerRegion) {
  auto groups = tabulate(cases_, end_, by_frame("region"), aapor_table);
  ASSERT_EQ(groups.size(), 3u);
  auto vla = compute_rates(groups["VLA"]);
  expect_rate(vla.e, 5.0 / 6, "VLA e");
  expect_rate(vla.rr1, 2.0 / 7, "VLA RR1");
  expect_rate(vla.rr3, 0.3, "VLA RR3");
  expect_rate(compute_rates(groups["WAL"]).rr1, 0.2, "WAL RR1");
  expect_rate(compute_rates(groups["BRU"]).rr1, 1.0 / 3, "BRU RR1");
  expect_rate(compute_rates(groups["BRU"]).coop1, 0.5, "BRU COOP1");
  disposition_counts sum;
  for (const auto& [region, n] : groups) sum += n;
  EXPECT_EQ(sum.total(), 18);
}

// By the interviewer and the local day of the call that decided each case.
TEST_F(AaporTest, PerInterviewerAndPerDay) {
  auto who = tabulate(cases_, end_, by_interviewer());
  EXPECT_EQ(who["ann"].total(), 8);  // 1 2 5 7 8 11 12 16
  EXPECT_EQ(who["ann"].group(aapor_group::interview), 2);
  EXPECT_EQ(who["ann"].group(aapor_group::refusal), 2);
  EXPECT_EQ(who["rik"][aapor_code::complete], 1);  // converted case 4
  EXPECT_EQ(who["cas"].total(), 2);                // 10 18: cas's soft refusal of case 4 was overtaken
  EXPECT_EQ(who[""][aapor_code::never_attempted], 1);

  auto days = tabulate(cases_, end_, by_day(cal_));
  EXPECT_EQ(days["2025-10-13"].total(), 6);  // 2 5 8 12 13 16 (11's and 9's later calls decide them)
  EXPECT_EQ(days["2025-10-14"].total(), 8);  // 1 3 6 9 10 11 14 17
  EXPECT_EQ(days["2025-10-15"].total(), 2);  // 7 18
  EXPECT_EQ(days["2025-10-16"].total(), 1);  // 4
  EXPECT_EQ(days[""].total(), 1);            // 15
}

// At the end of Monday 13: 2 I; 4 (soft refusal), 5 R; 8, 9 NC (callbacks); 1, 11, 12 UH (no answer),
// 13 UH (busy); 16 NE; the 8 others not yet called (3.11, UH).
//   I=1 R=2 NC=2 O=0 UH=12 NE=1: RR1 = 1/17, e = 5/6, RR3 = 1/(5 + 10) = 1/15
TEST_F(AaporTest, RatesAsOfAPastMoment) {
  auto monday = all(local(13, 23));
  EXPECT_EQ(monday.group(aapor_group::unknown_household), 12);
  EXPECT_EQ(monday[aapor_code::never_attempted], 8);
  auto r = compute_rates(monday);
  expect_rate(r.rr1, 1.0 / 17, "RR1");
  expect_rate(r.e, 5.0 / 6, "e");
  expect_rate(r.rr3, 1.0 / 15, "RR3");
}

}  // namespace
}  // namespace cati::core
