// Quota cells, counts and leases on disk mirror core::apply() event by event, and survive a reopen.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/error.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

core::cell_id cell(std::string quota, std::vector<std::string> values) { return {std::move(quota), std::move(values)}; }

class StoreQuota : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    import_ok(fw, std::string(frame_header) + "F1,Alpha BV,+3220000001,,BRU,services,5,nl\n");
    ann = add_interviewer(fw, "ann");
    for (int i = 0; i < 4; ++i)
      interviews.push_back(fw.create_interview({*fw.find_case("F1"), ann, "1", "nl", fieldwork_time(i)}).get().id);
    // Values with a comma and a quote: the cell key must keep them apart.
    for (auto c : {cell("region", {"VLA"}), cell("region", {"BRU"}), cell("region_sector", {"VLA", "1"}),
                   cell("odd", {"a,b", "say \"hi\""})})
      fresh.cells[c] = {10, 0, false};
    fw.ensure_quota_cells(fresh).get();
  }

  // Applies to the expected state and to the store.
  void apply(const core::quota_events& events) {
    for (const auto& e : events) core::apply(expected, e);
    fw.apply_quota_events(events).get();
  }

  store::fieldwork_store fw{options_for(db())};
  store::row_id ann = 0;
  std::vector<core::interview_id> interviews;
  core::quota_state fresh;
  core::quota_state& expected = fresh;
};

TEST_P(StoreQuota, EveryEventKindIsStoredAsCoreAppliesIt) {
  auto vla = cell("region", {"VLA"}), bru = cell("region", {"BRU"}), vla1 = cell("region_sector", {"VLA", "1"});
  auto odd = cell("odd", {"a,b", "say \"hi\""});
  apply({core::lease_taken{interviews[0], {vla, vla1}, fieldwork_time(30)},
         core::lease_taken{interviews[1], {bru}, fieldwork_time(31)},
         core::lease_taken{interviews[2], {}, fieldwork_time(32)},  // in no cell, still a lease
         core::lease_taken{interviews[3], {odd}, fieldwork_time(33)}});
  EXPECT_EQ(fw.load_quota_state(), expected);
  apply({core::lease_moved{interviews[1], {bru}, {vla}, fieldwork_time(50)},
         core::lease_renewed{interviews[0], fieldwork_time(60)}});
  EXPECT_EQ(fw.load_quota_state(), expected);
  apply({core::lease_completed{interviews[0], {vla, vla1}}, core::lease_released{interviews[1], {vla}},
         core::lease_expired{interviews[2], {}, fieldwork_time(32)}});
  EXPECT_EQ(fw.load_quota_state(), expected);
  apply({core::target_changed{vla, 10, 12}, core::cell_closed{bru}, core::cell_closed{odd},
         core::cell_reopened{odd}});
  EXPECT_EQ(fw.load_quota_state(), expected);
  EXPECT_EQ(fw.load_quota_state().cells.at(vla).completes, 1);
  EXPECT_EQ(fw.load_quota_state().cells.at(vla).target, 12);
  EXPECT_TRUE(fw.load_quota_state().cells.at(bru).closed);
  EXPECT_EQ(fw.load_quota_state().leases.size(), 1u);
}

TEST_P(StoreQuota, EnsureKeepsStoredCountsAndAddsNewCells) {
  auto vla = cell("region", {"VLA"});
  apply({core::target_changed{vla, 10, 7}});
  auto newer = fresh;
  newer.cells[vla] = {131, 0, false};               // the questionnaire's target: the stored one wins
  newer.cells[cell("region", {"WAL"})] = {70, 0, false};  // a cell a new version added
  fw.ensure_quota_cells(newer).get();
  auto stored = fw.load_quota_state();
  EXPECT_EQ(stored.cells.at(vla).target, 7);
  EXPECT_EQ(stored.cells.at(cell("region", {"WAL"})).target, 70);
}

TEST_P(StoreQuota, EventsThatDoNotFitTheStoredStateChangeNothing) {
  auto vla = cell("region", {"VLA"});
  apply({core::lease_taken{interviews[0], {vla}, fieldwork_time(30)}});
  auto before = fw.load_quota_state();
  // One job: a good event, then one naming a lease that is not there: neither is kept.
  auto bad = fw.apply_quota_events({core::lease_renewed{interviews[0], fieldwork_time(99)},
                                    core::lease_released{interviews[1], {vla}}});
  try {
    bad.get();
    ADD_FAILURE() << "applied";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::invalid);
  }
  EXPECT_THROW(fw.apply_quota_events({core::cell_closed{cell("region", {"XX"})}}).get(), store::store_error);
  EXPECT_THROW(fw.apply_quota_events({core::lease_taken{interviews[0], {}, fieldwork_time(1)}}).get(),
               store::store_error);
  EXPECT_EQ(fw.load_quota_state(), before);
}

TEST_P(StoreQuota, CompletingAnInterviewCountsItsLeaseOnceInTheSameTransaction) {
  auto vla = cell("region", {"VLA"});
  apply({core::lease_taken{interviews[0], {vla}, fieldwork_time(30)}});
  core::quota_events completed{core::lease_completed{interviews[0], {vla}}};
  EXPECT_TRUE(fw.finish_interview(interviews[0], core::outcome::complete, fieldwork_time(40), completed).get());
  // A retried finish: the interview is already complete, the completes are not counted again.
  EXPECT_FALSE(fw.finish_interview(interviews[0], core::outcome::complete, fieldwork_time(41), completed).get());
  auto stored = fw.load_quota_state();
  EXPECT_EQ(stored.cells.at(vla).completes, 1);
  EXPECT_TRUE(stored.leases.empty());
}

TEST_P(StoreQuota, StateIsReadBackFromTheFileByNewConnections) {
  auto vla = cell("region", {"VLA"});
  apply({core::lease_taken{interviews[0], {vla}, fieldwork_time(30)}, core::cell_closed{cell("region", {"BRU"})}});
  store::fieldwork_store reopened(options_for(fw.options().path));
  EXPECT_EQ(reopened.load_quota_state(), expected);
}

}  // namespace
CATI_ON_BOTH_BACKENDS(StoreQuota);

}  // namespace cati::test
