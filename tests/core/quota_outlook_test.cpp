// The quota table and the scheduler's priority: counts, reachability against the sample left, and the
// order in which cases should be called.
#include <gtest/gtest.h>

#include "core/quota/quota_outlook.hpp"
#include "quota_test_fixture.hpp"

namespace cati::core {
namespace {

using namespace quota_testing;

std::vector<sample_group> sample(int vla, int wal, int bru) { return {{at("VLA"), vla}, {at("WAL"), wal}, {at("BRU"), bru}}; }

const quota_row& row(const quota_outlook& outlook, const cell_id& id) {
  for (const auto& r : outlook.rows())
    if (r.cell.id == id) return r;
  throw std::runtime_error("no row " + to_string(id));
}

void complete_at(quota_book& book, interview_id i, const quota_values& values) {
  ASSERT_TRUE(book.try_lease(i, values, t0, ttl).granted);
  ASSERT_TRUE(book.complete(i));
}

TEST(QuotaOutlook, RowsShowTheTable) {
  auto book = make_book({region_quota(6, 4, 2), sector_quota(5, 4)});
  complete_at(book, 1, at("VLA", "1"));
  ASSERT_TRUE(book.try_lease(2, at("VLA", "2"), t0, ttl).granted);
  ASSERT_TRUE(book.close(cell("region", {"WAL"})));
  quota_outlook outlook(book, {sample(10, 5, 3), 0.5, {}, 10});
  ASSERT_EQ(outlook.rows().size(), 6u);

  const auto& vla = row(outlook, cell("region", {"VLA"}));
  EXPECT_EQ(vla.cell.target, 6);
  EXPECT_EQ(vla.cell.completes, 1);
  EXPECT_EQ(vla.cell.in_progress, 1);
  EXPECT_EQ(vla.left, 5);
  EXPECT_FALSE(vla.cell.closed);
  EXPECT_EQ(vla.sample_left, 10);
  EXPECT_DOUBLE_EQ(vla.share, 1.0);
  EXPECT_DOUBLE_EQ(vla.expected_cases, 10.0);
  ASSERT_TRUE(vla.expected_completes);
  EXPECT_DOUBLE_EQ(*vla.expected_completes, 5.0);
  EXPECT_DOUBLE_EQ(vla.priority, 4.0 / 10.0);  // 6 - 1 done - 1 in progress, against 10 cases
  EXPECT_EQ(vla.reach, reachability::on_track);

  const auto& wal = row(outlook, cell("region", {"WAL"}));
  EXPECT_TRUE(wal.cell.closed);
  EXPECT_DOUBLE_EQ(wal.priority, 0.0);  // closed: not to be called for
  EXPECT_EQ(wal.reach, reachability::at_risk);  // 2.5 expected of 4: reachability ignores closing

  const auto& services = row(outlook, cell("sector", {"1"}));
  EXPECT_EQ(services.sample_left, 18);  // any firm may say "services"
  EXPECT_DOUBLE_EQ(services.share, 2.0 / 5.0);  // (1 + 1) / (2 seen + 3 cells)
  EXPECT_EQ(services.share_basis, 2);
  EXPECT_DOUBLE_EQ(services.priority, 4.0 / (18 * 0.4));
  EXPECT_EQ(services.reach, reachability::unknown);  // 2 interviews are too few to trust the split

  const auto& industry = row(outlook, cell("sector", {"3"}));
  EXPECT_EQ(industry.reach, reachability::no_target);
  EXPECT_EQ(industry.left, 0);
  EXPECT_DOUBLE_EQ(industry.priority, 0.0);
}

TEST(QuotaOutlook, ReachabilityOfFrameCells) {
  auto book = make_book({region_quota(6, 4, 2)});
  complete_at(book, 1, at("BRU"));
  complete_at(book, 2, at("BRU"));
  for (interview_id i = 3; i <= 6; ++i) ASSERT_TRUE(book.try_lease(i, at("WAL"), t0, ttl).granted);

  quota_outlook few(book, {sample(5, 0, 0), 0.5, {}, 10});
  EXPECT_EQ(row(few, cell("region", {"BRU"})).reach, reachability::reached);
  EXPECT_EQ(row(few, cell("region", {"WAL"})).reach, reachability::on_track);  // in progress fill it
  EXPECT_EQ(row(few, cell("region", {"VLA"})).reach, reachability::impossible);  // 6 needed, 5 firms left

  quota_outlook unknown_rate(book, {sample(100, 0, 0), 0, {}, 10});
  EXPECT_EQ(row(unknown_rate, cell("region", {"VLA"})).reach, reachability::unknown);
  EXPECT_FALSE(row(unknown_rate, cell("region", {"VLA"})).expected_completes);

  quota_outlook slow(book, {sample(20, 0, 0), 0.25, {}, 10});
  EXPECT_EQ(row(slow, cell("region", {"VLA"})).reach, reachability::at_risk);  // 5 expected of 6
  quota_outlook fine(book, {sample(24, 0, 0), 0.25, {}, 10});
  EXPECT_EQ(row(fine, cell("region", {"VLA"})).reach, reachability::on_track);
}

TEST(QuotaOutlook, AnswerCellsShareTheSampleByWhatInterviewsAnswered) {
  auto book = make_book({sector_quota(5, 4)});
  const std::map<cell_id, int> arrivals = {{cell("sector", {"1"}), 30}, {cell("sector", {"2"}), 10},
                                           {cell("sector", {"3"}), 20}};
  quota_outlook outlook(book, {{{{}, 100}}, 0.2, arrivals, 10});
  const auto& services = row(outlook, cell("sector", {"1"}));
  EXPECT_EQ(services.share_basis, 60);
  EXPECT_DOUBLE_EQ(services.share, 31.0 / 63.0);
  EXPECT_DOUBLE_EQ(services.expected_cases, 100 * 31.0 / 63.0);
  EXPECT_EQ(services.reach, reachability::on_track);  // 9.8 expected of 5
  const auto& commerce = row(outlook, cell("sector", {"2"}));
  EXPECT_EQ(commerce.reach, reachability::at_risk);  // 3.5 expected of 4

  quota_outlook early(book, {{{{}, 100}}, 0.2, {{cell("sector", {"1"}), 9}}, 10});
  EXPECT_EQ(row(early, cell("sector", {"1"})).reach, reachability::unknown);
  quota_outlook hopeless(book, {{{{}, 3}}, 0.2, {}, 10});
  EXPECT_EQ(row(hopeless, cell("sector", {"1"})).reach, reachability::impossible);  // 5 needed, 3 firms
}

TEST(QuotaOutlook, InterlockedAnswerCellsShareWithinTheirFrameGroup) {
  auto book = make_book({region_sector_quota(2)});
  complete_at(book, 1, at("VLA", "1"));
  complete_at(book, 2, at("VLA", "1"));
  complete_at(book, 3, at("WAL", "2"));
  quota_outlook outlook(book, {sample(10, 8, 6), 0, {}, 10});
  const auto& vla_services = row(outlook, cell("region_sector", {"VLA", "1"}));
  EXPECT_EQ(vla_services.sample_left, 10);
  EXPECT_DOUBLE_EQ(vla_services.share, 3.0 / 5.0);  // VLA: (2 + 1) / (2 seen + 3 cells)
  EXPECT_EQ(vla_services.share_basis, 2);
  const auto& wal_services = row(outlook, cell("region_sector", {"WAL", "1"}));
  EXPECT_EQ(wal_services.sample_left, 8);
  EXPECT_DOUBLE_EQ(wal_services.share, 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(wal_services.priority, 2.0 / 2.0);
}

TEST(QuotaOutlook, PriorityFavoursTheCellThatNeedsItsSampleMost) {
  auto book = make_book({region_quota(6, 4, 2)});
  quota_outlook outlook(book, {sample(100, 10, 3), 0, {}, 10});
  const auto vla = outlook.priority(at("VLA"));
  const auto wal = outlook.priority(at("WAL"));
  const auto bru = outlook.priority(at("BRU"));
  EXPECT_TRUE(vla.dialable && wal.dialable && bru.dialable);
  EXPECT_DOUBLE_EQ(bru.score, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(wal.score, 4.0 / 10.0);
  EXPECT_DOUBLE_EQ(vla.score, 6.0 / 100.0);
  EXPECT_GT(bru, wal);
  EXPECT_GT(wal, vla);
}

TEST(QuotaOutlook, FullOrClosedFrameCellIsNotDialledAndSortsLast) {
  auto book = make_book({region_quota(6, 4, 2)});
  complete_at(book, 1, at("BRU"));
  ASSERT_TRUE(book.try_lease(2, at("BRU"), t0, ttl).granted);  // full with one in progress
  ASSERT_TRUE(book.close(cell("region", {"WAL"})));
  EXPECT_FALSE(book.dialable(at("BRU")));
  EXPECT_FALSE(book.dialable(at("WAL")));
  EXPECT_TRUE(book.dialable(at("VLA")));
  quota_outlook outlook(book, {sample(1000, 10, 3), 0, {}, 10});
  EXPECT_EQ(outlook.priority(at("BRU")), (case_priority{false, 0}));
  EXPECT_FALSE(outlook.priority(at("WAL")).dialable);
  EXPECT_GT(outlook.priority(at("VLA")), outlook.priority(at("BRU")));

  book.release(2);  // a place comes back: dialable again
  EXPECT_TRUE(book.dialable(at("BRU")));
}

TEST(QuotaOutlook, InterlockedCellWithUnknownAnswerIsDialledWhileOneOfItsCellsHasRoom) {
  auto book = make_book({region_quota(6, 4, 5), region_sector_quota(1)});
  complete_at(book, 1, at("BRU", "1"));
  complete_at(book, 2, at("BRU", "2"));
  EXPECT_TRUE(book.dialable(at("BRU")));  // BRU x industry still open
  quota_outlook some(book, {sample(10, 10, 10), 0, {}, 10});
  const auto bru = some.priority(at("BRU"));
  const auto wal = some.priority(at("WAL"));
  EXPECT_TRUE(bru.dialable);
  EXPECT_LT(bru, wal);  // two of BRU's three sector cells are full: the call may well end over quota

  complete_at(book, 3, at("BRU", "3"));
  EXPECT_FALSE(book.dialable(at("BRU")));
  quota_outlook none(book, {sample(10, 10, 10), 0, {}, 10});
  EXPECT_FALSE(none.priority(at("BRU")).dialable);
}

TEST(QuotaOutlook, ScoreSumsTheExpectedPriorityOverQuotas) {
  auto book = make_book({region_quota(6, 4, 2), sector_quota(5, 4)});
  quota_outlook outlook(book, {sample(20, 10, 4), 0, {}, 10});
  // No interviews yet: sectors share equally; the count-only cell adds nothing.
  const double sectors = (5.0 / (34 / 3.0) + 4.0 / (34 / 3.0) + 0.0) / 3;
  EXPECT_DOUBLE_EQ(outlook.priority(at("BRU")).score, 2.0 / 4 + sectors);
  EXPECT_DOUBLE_EQ(outlook.priority({}).score, (6.0 / 20 + 4.0 / 10 + 2.0 / 4) / 3 + sectors);
}

TEST(QuotaOutlook, CaseNoCellCanHoldIsNotLimited) {
  auto book = make_book({region_quota(0, 0, 0)});
  quota_outlook outlook(book, {sample(1, 1, 1), 0, {}, 10});
  EXPECT_EQ(outlook.priority(at("LUX")), (case_priority{true, 0}));
  EXPECT_FALSE(outlook.priority(at("VLA")).dialable);
}

TEST(QuotaOutlook, FrameVariablesAreWhatTheSampleIsGroupedBy) {
  auto book = make_book({region_quota(6, 4, 2), sector_quota(5, 4), region_sector_quota(2)});
  EXPECT_EQ(quota_frame_variables(book), std::vector<std::string>{"region"});
}

TEST(QuotaOutlook, PriorityIgnoresValuesNoQuotaUses) {
  auto book = make_book({region_quota(6, 4, 2)});
  quota_outlook outlook(book, {sample(100, 10, 3), 0, {}, 10});
  const auto plain = outlook.priority(at("BRU"));
  EXPECT_EQ(outlook.priority({{"region", "BRU"}, {"language", "fr"}, {"fte_frame", "7"}}), plain);
  EXPECT_EQ(outlook.priority(at("BRU")), plain);  // from the cache: the same answer
}

TEST(QuotaOutlook, ReachabilityNames) {
  EXPECT_EQ(to_string(reachability::on_track), "on track");
  EXPECT_EQ(to_string(reachability::impossible), "impossible");
  EXPECT_EQ(to_string(reachability::no_target), "no target");
  EXPECT_EQ(to_string(reachability::unknown), "unknown");
}

}  // namespace
}  // namespace cati::core
