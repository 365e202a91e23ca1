// The quota book's rules, one at a time: placing, all-or-none leasing, each policy, the lease lifecycle
// and supervisor actions.
#include <gtest/gtest.h>

#include "core/quota/quota_book.hpp"
#include "quota_test_fixture.hpp"

namespace cati::core {
namespace {

using namespace quota_testing;

const cell_id vla = cell("region", {"VLA"});
const cell_id bru = cell("region", {"BRU"});
const cell_id services = cell("sector", {"1"});
const cell_id commerce = cell("sector", {"2"});
const cell_id industry = cell("sector", {"3"});
const cell_id vla_services = cell("region_sector", {"VLA", "1"});

// Interlocked and marginal quotas at once, the sector ones on an answer.
quota_book full_book() { return make_book({region_quota(6, 4, 2), sector_quota(5, 4), region_sector_quota(2)}); }

// --- building ---

TEST(QuotaBuild, EveryCellStartsOpenAndEmpty) {
  auto book = full_book();
  ASSERT_EQ(book.quotas().size(), 3u);
  ASSERT_EQ(book.cells().size(), 3u + 3u + 9u);
  for (const auto& c : book.cells()) {
    EXPECT_EQ(c.completes, 0);
    EXPECT_EQ(c.in_progress, 0);
    EXPECT_FALSE(c.closed);
  }
  EXPECT_EQ(book.find(bru)->target, 2);
  EXPECT_EQ(book.find(bru)->name, "region=BRU");
  EXPECT_EQ(book.find(vla_services)->name, "region=VLA, s3_sector=1");
  EXPECT_FALSE(book.find(vla)->answer_based);
  EXPECT_TRUE(book.find(services)->answer_based);
  EXPECT_TRUE(book.find(vla_services)->answer_based);
  EXPECT_EQ(book.find(commerce)->policy, cell_policy::allow_over);
  EXPECT_EQ(book.quotas()[2].frame, (std::vector<bool>{true, false}));
  EXPECT_EQ(book.lease_count(), 0u);
}

TEST(QuotaBuild, FromTheQuestionnaireFrameVariablesAreKnownBeforeTheCall) {
  questionnaire study;
  for (const char* name : {"company", "region", "sector_frame"}) {
    frame_variable f;
    f.name = name;
    study.frame.push_back(f);
  }
  study.quotas = {region_quota(131, 70, 24), sector_quota(97, 64), region_sector_quota(10)};
  auto book = quota_book::build(study);
  ASSERT_TRUE(book) << book.err().message;
  EXPECT_EQ(book->cells().size(), 15u);
  EXPECT_EQ(book->quotas()[0].frame, std::vector<bool>{true});
  EXPECT_EQ(book->quotas()[1].frame, std::vector<bool>{false});
  EXPECT_EQ(book->quotas()[2].frame, (std::vector<bool>{true, false}));
  EXPECT_EQ(book->find(vla)->target, 131);
}

TEST(QuotaBuild, RefusesQuotasItCannotUse) {
  const auto refused = [](std::vector<quota> quotas) {
    auto book = quota_book::build(quotas, frame_variables);
    EXPECT_FALSE(book);
    if (book) return std::string{};
    EXPECT_EQ(book.err().code, quota_errc::bad_definition);
    return book.err().message;
  };
  EXPECT_EQ(refused({region_quota(1, 1, 1), region_quota(2, 2, 2)}), "quota 'region' is defined twice");
  EXPECT_EQ(refused({make_quota("region", {"region"}, {{{"VLA"}, 1}, {{"VLA"}, 2}})}),
            "quota 'region': cell region=VLA is defined twice");
  EXPECT_EQ(refused({make_quota("rs", {"region", "s3_sector"}, {{{"VLA"}, 1}})}),
            "quota 'rs', cell 1: 1 values for 2 variables");
  EXPECT_EQ(refused({make_quota("region", {"region"}, {{{"VLA"}, -1}})}),
            "quota 'region', cell 1 (region=VLA): negative target -1");
  EXPECT_EQ(refused({make_quota("empty", {}, {})}), "quota 'empty' has no variables");
  EXPECT_EQ(refused({make_quota("twice", {"region", "region"}, {})}), "quota 'twice' names variable 'region' twice");
  EXPECT_EQ(refused({make_quota("", {"region"}, {})}), "a quota has no name");
}

// --- placing ---

TEST(QuotaPlacing, OneCellPerQuotaInQuotaOrder) {
  auto book = full_book();
  EXPECT_EQ(book.cells_for(at("VLA", "1")), (std::vector<cell_id>{vla, services, vla_services}));
}

TEST(QuotaPlacing, QuotaWithUnknownVariableYieldsNone) {
  auto book = full_book();
  EXPECT_EQ(book.cells_for(at("VLA")), std::vector<cell_id>{vla});
  EXPECT_EQ(book.cells_for({{"s3_sector", "2"}}), std::vector<cell_id>{commerce});
  EXPECT_TRUE(book.cells_for({}).empty());
}

TEST(QuotaPlacing, ValueOutsideEveryCellIsNotLimitedByThatQuota) {
  auto book = full_book();
  EXPECT_EQ(book.cells_for(at("VLA", "98")), std::vector<cell_id>{vla});
  auto answer = book.try_lease(1, at("VLA", "98"), t0, ttl);
  EXPECT_TRUE(answer.granted);
  EXPECT_EQ(answer.cells, std::vector<cell_id>{vla});
}

TEST(QuotaPlacing, CandidatesNarrowToTheKnownValues) {
  auto book = full_book();
  auto possible = book.candidates(at("BRU"));
  ASSERT_EQ(possible.size(), 3u);
  ASSERT_EQ(possible[0].size(), 1u);
  EXPECT_EQ(book.cells()[possible[0][0]].id, bru);
  EXPECT_EQ(possible[1].size(), 3u);  // any sector
  ASSERT_EQ(possible[2].size(), 3u);  // BRU x any sector
  for (auto c : possible[2]) EXPECT_EQ(book.cells()[c].id.values[0], "BRU");
}

// --- leasing ---

TEST(QuotaLease, TakesALeaseOnEveryCellItFallsIn) {
  auto book = full_book();
  auto answer = book.try_lease(7, at("VLA", "1"), t0, ttl);
  ASSERT_TRUE(answer.granted);
  EXPECT_EQ(answer.deadline, t0 + ttl);
  EXPECT_TRUE(answer.refusals.empty());
  EXPECT_EQ(answer.message(), "");
  EXPECT_EQ(answer.events, (quota_events{lease_taken{7, {vla, services, vla_services}, t0 + ttl}}));
  for (const auto& id : {vla, services, vla_services}) EXPECT_EQ(in_progress(book, id), 1);
  EXPECT_EQ(in_progress(book, bru), 0);
  auto held = book.lease_of(7);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->first, (std::vector<cell_id>{vla, services, vla_services}));
  EXPECT_EQ(held->second, t0 + ttl);
}

TEST(QuotaLease, NormalCellCountsLeasesAgainstTheTarget) {
  auto book = full_book();  // BRU: 2
  EXPECT_TRUE(book.try_lease(1, at("BRU"), t0, ttl).granted);
  EXPECT_TRUE(book.try_lease(2, at("BRU"), t0, ttl).granted);
  auto third = book.try_lease(3, at("BRU"), t0, ttl);
  EXPECT_FALSE(third.granted);
  EXPECT_EQ(third.message(), "region=BRU: full (0 of 2 completed, 2 in progress)");
  EXPECT_EQ(third.refusals, (std::vector<lease_refusal>{{bru, refusal_reason::full, 2, 0, 2, third.message()}}));
  EXPECT_TRUE(third.events.empty());

  ASSERT_TRUE(book.complete(1));
  EXPECT_EQ(book.try_lease(3, at("BRU"), t0, ttl).message(), "region=BRU: full (1 of 2 completed, 1 in progress)");
  book.release(2);
  EXPECT_TRUE(book.try_lease(3, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.complete(3));
  EXPECT_EQ(book.try_lease(4, at("BRU"), t0, ttl).message(), "region=BRU: full (2 of 2 completed, 0 in progress)");
  EXPECT_EQ(completes(book, bru), 2);
}

TEST(QuotaLease, AllOrNoneOneFullCellMeansNoLeaseAnywhere) {
  auto book = make_book({region_quota(6, 4, 2), sector_quota(1, 4), region_sector_quota(2)});
  ASSERT_TRUE(book.try_lease(1, at("WAL", "1"), t0, ttl).granted);  // services now full
  auto answer = book.try_lease(2, at("VLA", "1"), t0, ttl);
  EXPECT_FALSE(answer.granted);
  EXPECT_EQ(answer.cells, (std::vector<cell_id>{vla, services, vla_services}));
  EXPECT_EQ(answer.message(), "s3_sector=1: full (0 of 1 completed, 1 in progress)");
  EXPECT_EQ(in_progress(book, vla), 0);
  EXPECT_EQ(in_progress(book, vla_services), 0);
  EXPECT_FALSE(book.lease_of(2));
}

TEST(QuotaLease, RefusalNamesEveryRefusingCell) {
  auto book = make_book({region_quota(6, 4, 1), sector_quota(1, 4)});
  ASSERT_TRUE(book.try_lease(1, at("BRU", "1"), t0, ttl).granted);
  ASSERT_TRUE(book.close(cell("sector", {"2"})));
  EXPECT_EQ(book.try_lease(2, at("BRU", "1"), t0, ttl).message(),
            "region=BRU: full (0 of 1 completed, 1 in progress); s3_sector=1: full (0 of 1 completed, 1 in progress)");
  auto closed = book.try_lease(3, at("BRU", "2"), t0, ttl);
  EXPECT_EQ(closed.message(),
            "region=BRU: full (0 of 1 completed, 1 in progress); s3_sector=2: closed (0 of 4 completed, 0 in progress)");
  EXPECT_EQ(closed.refusals[1].reason, refusal_reason::closed);
}

TEST(QuotaLease, ClosedCellRefusesEvenWithRoom) {
  auto book = full_book();
  ASSERT_TRUE(book.close(vla));
  EXPECT_EQ(book.try_lease(1, at("VLA"), t0, ttl).message(), "region=VLA: closed (0 of 6 completed, 0 in progress)");
  ASSERT_TRUE(book.reopen(vla));
  EXPECT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
}

TEST(QuotaLease, CountOnlyCellIsNeverFullButRespectsClosing) {
  auto book = full_book();
  for (interview_id i = 1; i <= 20; ++i) {
    ASSERT_TRUE(book.try_lease(i, {{"s3_sector", "3"}}, t0, ttl).granted);
    if (i % 2 == 0) {
      ASSERT_TRUE(book.complete(i));
    }
  }
  EXPECT_EQ(completes(book, industry), 10);
  EXPECT_EQ(in_progress(book, industry), 10);
  EXPECT_EQ(book.find(industry)->room(), INT_MAX);
  ASSERT_TRUE(book.close(industry));
  EXPECT_EQ(book.try_lease(99, {{"s3_sector", "3"}}, t0, ttl).message(),
            "s3_sector=3: closed (10 completed, 10 in progress)");
}

TEST(QuotaLease, AllowOverAdmitsLikeNormal) {
  auto book = full_book();  // commerce: allow over, 4
  for (interview_id i = 1; i <= 4; ++i) ASSERT_TRUE(book.try_lease(i, {{"s3_sector", "2"}}, t0, ttl).granted);
  EXPECT_EQ(book.try_lease(5, {{"s3_sector", "2"}}, t0, ttl).message(),
            "s3_sector=2: full (0 of 4 completed, 4 in progress)");
}

TEST(QuotaLease, ClosingOrLoweringNeverTakesAHeldLeaseAway) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA", "2"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("VLA", "2"), t0, ttl).granted);
  ASSERT_TRUE(book.close(vla));
  ASSERT_TRUE(book.set_target(commerce, 0));  // allow over: down to the completes
  ASSERT_TRUE(book.complete(1));
  ASSERT_TRUE(book.complete(2));
  EXPECT_EQ(completes(book, vla), 2);
  EXPECT_EQ(completes(book, commerce), 2);  // past its target of 0: in progress finished
  EXPECT_EQ(book.find(commerce)->room(), 0);
}

TEST(QuotaLease, AskingAgainIsIdempotent) {
  auto book = full_book();
  auto first = book.try_lease(1, at("BRU", "1"), t0, ttl);
  ASSERT_TRUE(first.granted);
  auto again = book.try_lease(1, at("BRU", "1"), t0, ttl);
  EXPECT_TRUE(again.granted);
  EXPECT_EQ(again.cells, first.cells);
  EXPECT_EQ(again.deadline, first.deadline);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(in_progress(book, bru), 1);
  EXPECT_EQ(book.lease_count(), 1u);
}

TEST(QuotaLease, ResumedInterviewKeepsItsLeaseWhenTheCellFilledOrClosed) {
  auto book = full_book();  // BRU: 2
  ASSERT_TRUE(book.try_lease(1, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.close(bru));
  auto resumed = book.try_lease(1, at("BRU"), t0 + minutes{10}, ttl);
  EXPECT_TRUE(resumed.granted);
  EXPECT_EQ(resumed.deadline, t0 + minutes{40});
  EXPECT_EQ(resumed.events, (quota_events{lease_renewed{1, t0 + minutes{40}}}));
  EXPECT_EQ(in_progress(book, bru), 2);
}

TEST(QuotaLease, ChangedAnswerMovesTheLeaseAtomically) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA", "1"), t0, ttl).granted);
  auto moved = book.try_lease(1, at("VLA", "2"), t0 + minutes{5}, ttl);
  ASSERT_TRUE(moved.granted);
  const cell_id vla_commerce = cell("region_sector", {"VLA", "2"});
  EXPECT_EQ(moved.cells, (std::vector<cell_id>{vla, commerce, vla_commerce}));
  EXPECT_EQ(moved.events, (quota_events{lease_moved{1, {services, vla_services}, {commerce, vla_commerce},
                                                    t0 + minutes{35}}}));
  EXPECT_EQ(in_progress(book, vla), 1);
  EXPECT_EQ(in_progress(book, services), 0);
  EXPECT_EQ(in_progress(book, commerce), 1);
  EXPECT_EQ(in_progress(book, vla_commerce), 1);
}

TEST(QuotaLease, RefusedMoveKeepsTheOldLease) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA", "1"), t0, ttl).granted);
  ASSERT_TRUE(book.close(commerce));
  auto moved = book.try_lease(1, at("VLA", "2"), t0 + minutes{5}, ttl);
  EXPECT_FALSE(moved.granted);
  EXPECT_EQ(moved.message(), "s3_sector=2: closed (0 of 4 completed, 0 in progress)");
  EXPECT_TRUE(moved.events.empty());
  EXPECT_EQ(book.lease_of(1)->first, (std::vector<cell_id>{vla, services, vla_services}));
  EXPECT_EQ(book.lease_of(1)->second, t0 + ttl);
  EXPECT_EQ(in_progress(book, services), 1);
}

TEST(QuotaLease, InterviewInNoCellHoldsAnEmptyLease) {
  auto book = full_book();
  auto answer = book.try_lease(1, {{"region", "LUX"}}, t0, ttl);
  ASSERT_TRUE(answer.granted);
  EXPECT_TRUE(answer.cells.empty());
  EXPECT_EQ(answer.events, (quota_events{lease_taken{1, {}, t0 + ttl}}));
  auto done = book.complete(1);
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, (quota_events{lease_completed{1, {}}}));
}

// --- the lease's life ---

TEST(QuotaLifecycle, CompleteTurnsTheLeaseIntoCompletes) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA", "1"), t0, ttl).granted);
  auto done = book.complete(1);
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, (quota_events{lease_completed{1, {vla, services, vla_services}}}));
  for (const auto& id : {vla, services, vla_services}) {
    EXPECT_EQ(completes(book, id), 1);
    EXPECT_EQ(in_progress(book, id), 0);
  }
  EXPECT_FALSE(book.lease_of(1));
}

TEST(QuotaLifecycle, CompleteWithoutALeaseIsRefused) {
  auto book = full_book();
  auto never = book.complete(5);
  ASSERT_FALSE(never);
  EXPECT_EQ(never.err().code, quota_errc::no_lease);
  EXPECT_EQ(never.err().message,
            "interview 5 holds no quota lease (never taken, or released, completed or expired)");
  ASSERT_TRUE(book.try_lease(5, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(book.complete(5));
  EXPECT_FALSE(book.complete(5));  // counted once
  EXPECT_EQ(completes(book, vla), 1);
}

TEST(QuotaLifecycle, ReleaseGivesThePlacesBack) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("BRU", "1"), t0, ttl).granted);
  const cell_id bru_services = cell("region_sector", {"BRU", "1"});
  EXPECT_EQ(book.release(1), (quota_events{lease_released{1, {bru, services, bru_services}}}));
  EXPECT_EQ(in_progress(book, bru), 0);
  EXPECT_EQ(completes(book, bru), 0);
  EXPECT_TRUE(book.release(1).empty());  // nothing held: nothing happens
  EXPECT_FALSE(book.complete(1));
}

TEST(QuotaLifecycle, ExpireReleasesLeasesPastTheirDeadlineEarliestFirst) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("WAL"), t0 - minutes{10}, ttl).granted);
  ASSERT_TRUE(book.try_lease(3, at("BRU"), t0 + minutes{5}, ttl).granted);
  EXPECT_EQ(book.expire(t0 + ttl - milliseconds{1}),
            (quota_events{lease_expired{2, {cell("region", {"WAL"})}, t0 + minutes{20}}}));
  EXPECT_EQ(book.lease_count(), 2u);
  // The deadline itself is the end: a lease due at t0 + 30 min has expired at t0 + 30 min.
  auto expired = book.expire(t0 + minutes{40});
  EXPECT_EQ(expired, (quota_events{lease_expired{1, {vla}, t0 + ttl}, lease_expired{3, {bru}, t0 + minutes{35}}}));
  EXPECT_EQ(book.lease_count(), 0u);
  EXPECT_EQ(in_progress(book, vla), 0);
  EXPECT_TRUE(book.expire(t0 + minutes{100}).empty());
  EXPECT_EQ(book.complete(1).err().code, quota_errc::no_lease);
}

TEST(QuotaLifecycle, ExpiryAtExactlyTheDeadline) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  EXPECT_TRUE(book.expire(t0 + ttl - milliseconds{1}).empty());
  EXPECT_EQ(book.expire(t0 + ttl).size(), 1u);
}

TEST(QuotaLifecycle, RenewExtendsButNeverShortens) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  auto renewed = book.renew(1, t0 + minutes{20}, ttl);
  ASSERT_TRUE(renewed);
  EXPECT_EQ(*renewed, (quota_events{lease_renewed{1, t0 + minutes{50}}}));
  auto shorter = book.renew(1, t0 + minutes{21}, minutes{1});
  ASSERT_TRUE(shorter);
  EXPECT_TRUE(shorter->empty());
  EXPECT_EQ(book.lease_of(1)->second, t0 + minutes{50});
  EXPECT_TRUE(book.expire(t0 + minutes{45}).empty());
  EXPECT_EQ(book.expire(t0 + minutes{50}).size(), 1u);
  auto gone = book.renew(1, t0 + minutes{51}, ttl);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.err().code, quota_errc::no_lease);
}

TEST(QuotaLifecycle, TryLeaseSweepsRunOutLeasesBeforeDeciding) {
  auto book = full_book();  // BRU: 2
  ASSERT_TRUE(book.try_lease(1, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("BRU"), t0 + minutes{1}, ttl).granted);
  EXPECT_FALSE(book.try_lease(3, at("BRU"), t0 + minutes{29}, ttl).granted);
  auto answer = book.try_lease(3, at("BRU"), t0 + minutes{30}, ttl);
  ASSERT_TRUE(answer.granted);
  EXPECT_EQ(answer.events, (quota_events{lease_expired{1, {bru}, t0 + ttl},
                                         lease_taken{3, {bru}, t0 + minutes{60}}}));
  EXPECT_EQ(in_progress(book, bru), 2);
}

TEST(QuotaLifecycle, RunOutLeaseNotYetSweptStillCountsAsHeld) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("WAL"), t0, ttl).granted);
  // No sweep has run since the deadline: nobody can have taken these places.
  ASSERT_TRUE(book.renew(2, t0 + minutes{45}, ttl));
  ASSERT_TRUE(book.complete(1));
  EXPECT_EQ(completes(book, vla), 1);
  EXPECT_EQ(book.lease_of(2)->second, t0 + minutes{75});
}

TEST(QuotaLifecycle, ResumingAfterExpiryTakesAFreshLease) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  ASSERT_EQ(book.expire(t0 + ttl).size(), 1u);
  auto again = book.try_lease(1, at("VLA"), t0 + minutes{31}, ttl);
  ASSERT_TRUE(again.granted);
  EXPECT_EQ(again.events, (quota_events{lease_taken{1, {vla}, t0 + minutes{61}}}));
}

// --- supervisor actions ---

TEST(QuotaSupervisor, TargetsAboveTheStudyAreRefusedAndBrokenMarginsWarnedInThePagesWords) {
  questionnaire study;
  for (const char* name : {"region", "sector_frame"}) {
    frame_variable f;
    f.name = name;
    study.frame.push_back(f);
  }
  study.target_completes = 225;
  study.quotas = {region_quota(131, 70, 24), sector_quota(97, 64)};
  study.quotas[0].cells[0].label = "Flanders";
  auto book = quota_book::build(study);
  ASSERT_TRUE(book) << book.err().message;
  EXPECT_EQ(book->margin_warning(vla), std::nullopt);
  auto huge = book->set_target(vla, 5000);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.err().code, quota_errc::target_above_study);
  EXPECT_EQ(huge.err().message, "region=VLA (Flanders): target 5000 is above the study's target of 225 completes");
  EXPECT_EQ(book->find(vla)->target, 131);
  // Within the study's target: taken, and the quota's margins are said not to add up until they do.
  ASSERT_TRUE(book->set_target(vla, 132));
  EXPECT_EQ(book->margin_warning(vla), "quota 'region': the cell targets add up to 226, but target_completes is 225");
  ASSERT_TRUE(book->set_target(cell("region", {"WAL"}), 69));
  EXPECT_EQ(book->margin_warning(vla), std::nullopt);
  auto negative = book->set_target(bru, -5);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.err().message.rfind("region=BRU: ", 0), 0u) << negative.err().message;
}

TEST(QuotaSupervisor, SetTargetRaisesAndLowers) {
  auto book = full_book();
  auto raised = book.set_target(bru, 30);
  ASSERT_TRUE(raised);
  EXPECT_EQ(*raised, (quota_events{target_changed{bru, 2, 30}}));
  EXPECT_EQ(book.find(bru)->target, 30);
  auto same = book.set_target(bru, 30);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->empty());
  ASSERT_TRUE(book.set_target(bru, 0));
  EXPECT_EQ(book.try_lease(1, at("BRU"), t0, ttl).message(), "region=BRU: full (0 of 0 completed, 0 in progress)");
}

TEST(QuotaSupervisor, RaisingAFullCellsTargetAdmitsAgain) {
  auto book = full_book();
  ASSERT_TRUE(book.try_lease(1, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(2, at("BRU"), t0, ttl).granted);
  ASSERT_FALSE(book.try_lease(3, at("BRU"), t0, ttl).granted);
  ASSERT_TRUE(book.set_target(bru, 3));
  EXPECT_TRUE(book.try_lease(3, at("BRU"), t0, ttl).granted);
}

TEST(QuotaSupervisor, TargetBelowCompletesIsRefused) {
  auto book = full_book();
  for (interview_id i = 1; i <= 2; ++i) {
    ASSERT_TRUE(book.try_lease(i, {{"s3_sector", "2"}}, t0, ttl).granted);
    ASSERT_TRUE(book.complete(i));
  }
  auto refused = book.set_target(commerce, 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, quota_errc::target_below_completes);
  EXPECT_EQ(refused.err().message, "sector=2: target 1 is below the 2 completes");
  EXPECT_EQ(book.find(commerce)->target, 4);
}

TEST(QuotaSupervisor, NormalTargetBelowCompletesPlusInProgressIsRefused) {
  auto book = full_book();  // VLA: 6, normal
  ASSERT_TRUE(book.try_lease(1, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(book.complete(1));
  ASSERT_TRUE(book.try_lease(2, at("VLA"), t0, ttl).granted);
  ASSERT_TRUE(book.try_lease(3, at("VLA"), t0, ttl).granted);
  auto refused = book.set_target(vla, 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, quota_errc::target_below_in_progress);
  EXPECT_EQ(refused.err().message,
            "region=VLA: target 2 is below the 1 completes plus 2 interviews in progress; close the cell to stop "
            "new interviews and lower the target once they have ended");
  EXPECT_TRUE(book.set_target(vla, 3));
}

TEST(QuotaSupervisor, AllowOverTargetMayDropBelowInProgress) {
  auto book = full_book();  // commerce: 4, allow over
  for (interview_id i = 1; i <= 3; ++i) ASSERT_TRUE(book.try_lease(i, {{"s3_sector", "2"}}, t0, ttl).granted);
  ASSERT_TRUE(book.complete(1));
  auto lowered = book.set_target(commerce, 1);
  ASSERT_TRUE(lowered);
  EXPECT_EQ(*lowered, (quota_events{target_changed{commerce, 4, 1}}));
  EXPECT_FALSE(book.try_lease(4, {{"s3_sector", "2"}}, t0, ttl).granted);
  ASSERT_TRUE(book.complete(2));
  ASSERT_TRUE(book.complete(3));
  EXPECT_EQ(completes(book, commerce), 3);
}

TEST(QuotaSupervisor, OtherBadTargetsAreRefused) {
  auto book = full_book();
  auto count_only = book.set_target(industry, 10);
  ASSERT_FALSE(count_only);
  EXPECT_EQ(count_only.err().code, quota_errc::no_target);
  EXPECT_EQ(count_only.err().message, "sector=3: a count-only cell has no target");
  auto negative = book.set_target(vla, -3);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.err().code, quota_errc::negative_target);
  auto unknown = book.set_target(cell("region", {"LUX"}), 3);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.err().code, quota_errc::unknown_cell);
  EXPECT_EQ(unknown.err().message, "the study has no quota cell region[LUX]");
}

TEST(QuotaSupervisor, CloseAndReopenAreIdempotent) {
  auto book = full_book();
  auto closed = book.close(bru);
  ASSERT_TRUE(closed);
  EXPECT_EQ(*closed, (quota_events{cell_closed{bru}}));
  EXPECT_TRUE(book.find(bru)->closed);
  EXPECT_TRUE(book.close(bru)->empty());
  auto reopened = book.reopen(bru);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened, (quota_events{cell_reopened{bru}}));
  EXPECT_TRUE(book.reopen(bru)->empty());
  EXPECT_FALSE(book.find(bru)->closed);
  EXPECT_EQ(book.close(cell("nope", {"x"})).err().code, quota_errc::unknown_cell);
  EXPECT_EQ(book.reopen(cell("nope", {"x"})).err().code, quota_errc::unknown_cell);
}

}  // namespace
}  // namespace cati::core
