// The sample left behind `cati quota` (core/report/report_sample.hpp): callable cases grouped by the quotas'
// frame variables, finalised cases and their completes, and the outlook input made from them.
#include "core/report/report_sample.hpp"

#include <gtest/gtest.h>

#include "quota_test_fixture.hpp"

namespace cati::core {
namespace {

using std::chrono::October;

calendar seed_calendar() {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  return calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", hours).value();
}

class ReportSample : public ::testing::Test {
 protected:
  // Local 09:00 on 13 October 2025 plus `minutes`.
  time_point local(int minutes) const {
    return cal_.to_utc(std::chrono::year_month_day{std::chrono::year{2025}, October, std::chrono::day{13}},
                       9 * 60 + minutes);
  }
  void add(case_id id, std::map<std::string, std::string, std::less<>> frame, std::vector<outcome> outcomes) {
    case_record c;
    c.id = id;
    c.frame = std::move(frame);
    int minutes = 0;
    for (auto o : outcomes) c.calls.push_back({local(minutes += 150), "ann", o, {}});
    cases_.push_back(std::move(c));
  }

  calendar cal_ = seed_calendar();
  call_rules rules_;  // no study rules: the built-in ones, 8 attempts at most
  std::vector<case_record> cases_;
  const std::vector<std::string> region_ = {"region"};
};

TEST_F(ReportSample, FrameGroupKeepsOnlyTheQuotaVariablesTheCaseHas) {
  case_record c;
  c.frame = {{"region", "VLA"}, {"sector_frame", "services"}};
  const std::vector<std::string> vars = {"region", "size"};
  EXPECT_EQ(frame_group(c, vars), (quota_values{{"region", "VLA"}}));
  EXPECT_TRUE(frame_group(c, {}).empty());
}

TEST_F(ReportSample, CallableCasesAreGroupedAndFinalisedOnesGiveTheYield) {
  add(1, {{"region", "VLA"}, {"sector_frame", "services"}}, {outcome::complete});  // finalised, a complete
  add(2, {{"region", "VLA"}, {"sector_frame", "commerce"}}, {outcome::refusal_target});  // finalised
  add(3, {{"region", "VLA"}, {"sector_frame", "industry"}}, {outcome::no_answer});       // callable, VLA
  add(4, {{"region", "WAL"}}, {});                                                       // callable, WAL
  add(5, {{"region", "WAL"}}, {outcome::disconnected});                                  // finalised
  add(6, {}, {outcome::busy});                                                           // callable, no region
  add(7, {{"region", "BRU"}}, std::vector<outcome>(8, outcome::no_answer));              // 8 attempts: finalised

  const auto s = summarise_sample(cases_, region_, rules_, cal_);
  EXPECT_EQ(s.callable, 3);
  EXPECT_EQ(s.finalised, 4);
  EXPECT_EQ(s.completes, 1);
  EXPECT_DOUBLE_EQ(s.completes_per_case(), 0.25);  // 1 complete / 4 finalised
  // Groups in value order: the case without a region first (an empty map sorts first), then VLA, WAL;
  // sector_frame is not a quota variable here, so cases 3's sector does not split VLA.
  ASSERT_EQ(s.left.size(), 3u);
  EXPECT_EQ(s.left[0].frame_values, quota_values{});
  EXPECT_EQ(s.left[0].cases, 1);
  EXPECT_EQ(s.left[1].frame_values, (quota_values{{"region", "VLA"}}));
  EXPECT_EQ(s.left[1].cases, 1);
  EXPECT_EQ(s.left[2].frame_values, (quota_values{{"region", "WAL"}}));
  EXPECT_EQ(s.left[2].cases, 1);
}

TEST_F(ReportSample, YieldIsUnknownBeforeAnyCaseIsFinalised) {
  add(1, {{"region", "VLA"}}, {outcome::no_answer});
  const auto s = summarise_sample(cases_, region_, rules_, cal_);
  EXPECT_EQ(s.finalised, 0);
  EXPECT_EQ(s.completes_per_case(), 0.0);
  EXPECT_EQ(outlook_input_for(s).completes_per_case, 0.0);
}

TEST_F(ReportSample, OutlookInputFeedsTheQuotaTable) {
  using namespace quota_testing;
  auto book = make_book({region_quota(3, 2, 1)});
  add(1, {{"region", "VLA"}}, {outcome::complete});
  add(2, {{"region", "VLA"}}, {outcome::refusal_receptionist});
  add(3, {{"region", "VLA"}}, {});
  add(4, {{"region", "WAL"}}, {outcome::no_answer});
  add(5, {}, {});
  const auto s = summarise_sample(cases_, quota_frame_variables(book), rules_, cal_);
  const auto input = outlook_input_for(s);
  EXPECT_DOUBLE_EQ(input.completes_per_case, 0.5);  // 1 complete / 2 finalised
  EXPECT_TRUE(input.arrivals.empty());

  const quota_outlook outlook(book, input);
  // The case without a region could be in any region: it counts towards every cell.
  EXPECT_EQ(outlook.rows()[0].sample_left, 2);  // VLA: case 3, case 5
  EXPECT_EQ(outlook.rows()[1].sample_left, 2);  // WAL: case 4, case 5
  EXPECT_EQ(outlook.rows()[2].sample_left, 1);  // BRU: case 5
  ASSERT_TRUE(outlook.rows()[0].expected_completes);
  EXPECT_DOUBLE_EQ(*outlook.rows()[0].expected_completes, 1.0);  // 2 cases * 0.5
}

}  // namespace
}  // namespace cati::core
