// Persistence seams: the events fold onto the state the book reports, and a restored book is the same
// book.
#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

#include "core/quota/quota_book.hpp"
#include "quota_test_fixture.hpp"

namespace cati::core {
namespace {

using namespace quota_testing;

std::vector<quota> study() { return {region_quota(6, 4, 2), sector_quota(3, 2), region_sector_quota(2)}; }

void append(quota_events& to, const quota_events& from) { to.insert(to.end(), from.begin(), from.end()); }

// A morning of fieldwork touching every kind of event; returns them in order.
quota_events morning(quota_book& book) {
  quota_events events;
  const auto lease = [&](interview_id i, const quota_values& v, time_point now) {
    append(events, book.try_lease(i, v, now, ttl).events);
  };
  lease(1, at("VLA", "1"), t0);
  lease(2, at("BRU", "2"), t0);
  lease(3, at("WAL", "3"), t0 + minutes{1});
  lease(4, at("VLA", "1"), t0 + minutes{2});
  lease(5, at("VLA", "1"), t0 + minutes{3});  // region_sector VLA x 1 full: refused
  append(events, *book.complete(1));
  append(events, book.release(2));
  lease(3, at("WAL", "2"), t0 + minutes{4});  // moved
  append(events, *book.renew(4, t0 + minutes{10}, ttl));
  append(events, *book.set_target(cell("region", {"VLA"}), 5));
  append(events, *book.close(cell("region", {"BRU"})));
  append(events, *book.close(cell("sector", {"3"})));
  append(events, *book.reopen(cell("sector", {"3"})));
  lease(6, at("WAL", "1"), t0 + minutes{20});
  append(events, book.expire(t0 + minutes{34}));  // 3 expires (moved at t0+4: until t0+34)
  lease(7, {{"region", "LUX"}}, t0 + minutes{35});
  return events;
}

TEST(QuotaState, EventsFoldOntoTheStartingStateToGiveTheFinalState) {
  auto book = make_book(study());
  auto persisted = book.state();
  auto events = morning(book);
  for (const auto& e : events) apply(persisted, e);
  EXPECT_EQ(persisted, book.state());
  // Every kind of event was exercised.
  std::vector<bool> kinds(std::variant_size_v<quota_event>);
  for (const auto& e : events) kinds[e.index()] = true;
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), true), static_cast<std::ptrdiff_t>(kinds.size()));
}

TEST(QuotaState, StateHoldsCountsAndLeases) {
  auto book = make_book(study());
  morning(book);
  auto state = book.state();
  EXPECT_EQ(state.cells.size(), book.cells().size());
  EXPECT_EQ(state.cells.at(cell("region", {"VLA"})), (cell_record{5, 1, false}));
  EXPECT_EQ(state.cells.at(cell("region", {"BRU"})), (cell_record{2, 0, true}));
  ASSERT_EQ(state.leases.size(), 3u);
  EXPECT_EQ(state.leases.at(4), (lease_record{{cell("region", {"VLA"}), cell("sector", {"1"}),
                                               cell("region_sector", {"VLA", "1"})},
                                              t0 + minutes{40}}));
  EXPECT_TRUE(state.leases.at(7).cells.empty());
}

TEST(QuotaState, RestoredBookIsTheSameBook) {
  auto original = make_book(study());
  morning(original);
  auto restored = quota_book::restore(make_book(study()), original.state());
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->state(), original.state());
  for (std::size_t c = 0; c < original.cells().size(); ++c) {
    const auto& a = original.cells()[c];
    const auto& b = restored->cells()[c];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.completes, b.completes);
    EXPECT_EQ(a.in_progress, b.in_progress);
    EXPECT_EQ(a.closed, b.closed);
  }
  // And it goes on deciding the same way, sweep order included.
  const auto next = [](quota_book& book) {
    quota_events events;
    append(events, book.try_lease(8, at("VLA", "2"), t0 + minutes{45}, ttl).events);
    append(events, book.try_lease(9, at("BRU", "1"), t0 + minutes{46}, ttl).events);
    append(events, *book.complete(8));
    append(events, book.expire(t0 + minutes{200}));
    return events;
  };
  EXPECT_EQ(next(original), next(*restored));
  EXPECT_EQ(restored->state(), original.state());
}

TEST(QuotaState, RestoreThenExpireReleasesLapsedLeasesAndKeepsTheOthers) {
  auto original = make_book(study());
  morning(original);
  auto restored = quota_book::restore(make_book(study()), original.state());
  ASSERT_TRUE(restored);
  // Leases: 4 until t0+40, 6 until t0+50, 7 until t0+65. The server comes back at t0+45.
  auto expired = restored->expire(t0 + minutes{45});
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(std::get<lease_expired>(expired[0]).interview, 4);
  EXPECT_TRUE(restored->try_lease(6, at("WAL", "1"), t0 + minutes{46}, ttl).granted);  // resumed
  EXPECT_EQ(restored->lease_count(), 2u);
}

TEST(QuotaState, CellsTheStateDoesNotMentionStayFresh) {
  auto original = make_book({region_quota(6, 4, 2)});
  ASSERT_TRUE(original.try_lease(1, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(original.complete(1));
  // A newer questionnaire version adds a sector quota.
  auto restored = quota_book::restore(make_book({region_quota(6, 4, 2), sector_quota(3, 2)}), original.state());
  ASSERT_TRUE(restored);
  EXPECT_EQ(completes(*restored, cell("region", {"VLA"})), 1);
  EXPECT_EQ(completes(*restored, cell("sector", {"1"})), 0);
  EXPECT_EQ(restored->find(cell("sector", {"1"}))->target, 3);
}

TEST(QuotaState, PersistedTargetsWinOverTheQuestionnaires) {
  auto original = make_book(study());
  ASSERT_TRUE(original.set_target(cell("region", {"BRU"}), 9));
  auto restored = quota_book::restore(make_book(study()), original.state());
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->find(cell("region", {"BRU"}))->target, 9);
}

TEST(QuotaState, RestoreRefusesAStateThatDoesNotFit) {
  const auto refused = [](const quota_state& state) {
    auto book = quota_book::restore(make_book(study()), state);
    EXPECT_FALSE(book);
    if (book) return std::string{};
    EXPECT_EQ(book.err().code, quota_errc::bad_state);
    return book.err().message;
  };
  quota_state unknown_cell;
  unknown_cell.cells[cell("region", {"LUX"})] = {3, 1, false};
  EXPECT_EQ(refused(unknown_cell), "the persisted quota state has cell region[LUX], which the study does not define");

  quota_state negative;
  negative.cells[cell("region", {"VLA"})] = {3, -1, false};
  EXPECT_EQ(refused(negative), "the persisted quota state has negative counts for cell region[VLA]");

  quota_state unknown_lease_cell;
  unknown_lease_cell.leases[4] = {{cell("sector", {"7"})}, t0};
  EXPECT_EQ(refused(unknown_lease_cell),
            "the persisted lease of interview 4 names cell sector[7], which the study does not define");

  quota_state two_cells;
  two_cells.leases[4] = {{cell("region", {"VLA"}), cell("region", {"WAL"})}, t0};
  EXPECT_EQ(refused(two_cells), "the persisted lease of interview 4 holds two cells of quota 'region'");
}

TEST(QuotaState, CellIdsPrintCompactly) {
  EXPECT_EQ(to_string(cell("region", {"VLA"})), "region[VLA]");
  EXPECT_EQ(to_string(cell("region_sector", {"VLA", "1"})), "region_sector[VLA,1]");
}

}  // namespace
}  // namespace cati::core
