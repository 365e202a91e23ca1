#include "core/calling/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>
#include <set>

namespace cati::core {
namespace {

using std::chrono::October;
using std::chrono::year;
using std::chrono::year_month_day;

// The seed study: 13-23 October 2025 (13 is a Monday), Europe/Brussels, weekdays 09:00-12:00 and 13:30-17:30.
calendar seed_calendar() {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  return calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", hours).value();
}

// The seed spec's rules, as the loader gives them (outcomes without a rule use the built-in ones).
call_rules seed_rules() {
  call_rules r;
  //          outcome                           retry  per-attempt other-part max final supervisor
  r.rules = {{outcome::busy, 20, 2, false, 0, false, false},
             {outcome::no_answer, 120, 1, true, 0, false, false},
             {outcome::answering_machine, 180, 1, false, 0, false, false},
             {outcome::answering_machine_message, 180, 1, false, 1, false, false},
             {outcome::soft_refusal, 3 * 24 * 60, 1, false, 0, false, true}};
  return r;  // max 8 attempts over 3 days and both day-parts; missed appointment 30, grace 15, lock 30
}

class SchedulerTest : public ::testing::Test {
 protected:
  // Local Brussels time on a day of October 2025.
  time_point local(unsigned day, int h, int m = 0) const {
    return cal_.to_utc(year_month_day{year{2025}, October, std::chrono::day{day}}, h * 60 + m);
  }
  static call_attempt call(time_point at, outcome o, std::string who = "ann") { return {at, std::move(who), o, {}}; }
  static call_attempt appointment_call(time_point at, time_point when, bool personal, std::string who = "ann") {
    return {at, std::move(who), outcome::appointment, appointment{when, personal}};
  }
  void add(case_id id, std::vector<call_attempt> calls = {}, std::string lang = "nl") {
    case_record c;
    c.id = id;
    c.language = std::move(lang);
    c.frame = {{"region", "VLA"}};
    c.calls = std::move(calls);
    cases_.put(std::move(c));
  }
  scheduler& sched() {
    if (!sched_) sched_.emplace(cal_, rules_, cases_, quota_);
    return *sched_;
  }
  const case_plan& plan(case_id id) {
    sched().refresh();
    return *sched().plan(id);
  }
  // The case handed to `who` at `now`, or -1 (with the test failed) when there is none.
  case_id next(const interviewer& who, time_point now) {
    auto r = sched().next_case(who, now);
    EXPECT_TRUE(r.has_value()) << who.id << " got no case";
    return r ? r->id : -1;
  }
  no_case none(const interviewer& who, time_point now) {
    auto r = sched().next_case(who, now);
    EXPECT_FALSE(r.has_value()) << who.id << " got case " << (r ? r->id : 0);
    return r ? no_case{} : r.err();
  }

  calendar cal_ = seed_calendar();
  call_rules rules_ = seed_rules();
  memory_case_source cases_;
  table_dial_priority quota_;
  std::optional<scheduler> sched_;

  interviewer ann{"ann", {"nl"}};
  interviewer bea{"bea", {"fr"}};
  interviewer cas{"cas", {"nl", "fr"}};
  interviewer dan{"dan", {"nl"}};
  interviewer rik{"rik", {"nl", "fr"}, true};  // refusal converter
};

TEST_F(SchedulerTest, NoCaseOutsideTheWindowOrCallingHours) {
  add(1);
  auto before = none(ann, local(12, 10));
  EXPECT_EQ(before.reason, idle_reason::window_not_open);
  EXPECT_EQ(before.next, local(13, 9));

  auto lunch = none(ann, local(14, 12, 30));
  EXPECT_EQ(lunch.reason, idle_reason::outside_calling_hours);
  EXPECT_EQ(lunch.next, local(14, 13, 30));

  auto weekend = none(ann, local(18, 10));
  EXPECT_EQ(weekend.reason, idle_reason::outside_calling_hours);
  EXPECT_EQ(weekend.next, local(20, 9));

  auto early = none(ann, local(14, 8, 59));
  EXPECT_EQ(early.reason, idle_reason::outside_calling_hours);
  EXPECT_EQ(early.next, local(14, 9));

  EXPECT_EQ(none(ann, local(23, 18)).reason, idle_reason::window_closed);  // last day, hours over
  EXPECT_EQ(none(ann, local(24, 10)).reason, idle_reason::window_closed);
  EXPECT_EQ(next(ann, local(13, 9)), 1);
}

TEST_F(SchedulerTest, LanguagesMustMatch) {
  add(1, {}, "nl");
  add(2, {}, "fr");
  EXPECT_EQ(next(bea, local(14, 9)), 2);
  EXPECT_EQ(next(ann, local(14, 9)), 1);
  EXPECT_EQ(none(cas, local(14, 9)).reason, idle_reason::nothing_due);  // both taken
  sched().release(2, "bea");
  EXPECT_EQ(next(cas, local(14, 9)), 2);  // speaks both

  add(3, {}, "");  // no language recorded: anyone
  EXPECT_EQ(next(bea, local(14, 9)), 3);
}

TEST_F(SchedulerTest, FinishedWhenNothingIsLeftForThisInterviewer) {
  add(1, {call(local(13, 9), outcome::complete)}, "nl");
  add(2, {}, "fr");
  EXPECT_EQ(none(ann, local(14, 9)).reason, idle_reason::finished);
  EXPECT_EQ(next(bea, local(14, 9)), 2);
}

TEST_F(SchedulerTest, QuotaPriorityFirstAndFullCellsNeverCalled) {
  add(1);
  add(2);
  add(3);
  add(4);
  quota_.set(1, {true, 0.2});
  quota_.set(2, {true, 0.9});
  quota_.set(3, {true, 0.5});
  quota_.set(4, {false, 5.0});  // its frame cell is full
  EXPECT_EQ(next(ann, local(14, 9)), 2);
  EXPECT_EQ(next(cas, local(14, 9)), 3);
  EXPECT_EQ(next(rik, local(14, 9)), 1);
  auto idle = none(dan, local(14, 9));
  EXPECT_EQ(idle.reason, idle_reason::nothing_due);  // case 4 waits for room in its cell
  EXPECT_EQ(idle.next, std::nullopt);

  quota_.set(4, {true, 5.0});  // a supervisor raised the target
  EXPECT_EQ(next(dan, local(14, 9)), 4);
}

TEST_F(SchedulerTest, FewestAttemptsThenLongestSinceTheLastCall) {
  // technical_problem: no study rule, built-in retry after 15 minutes.
  add(1, {call(local(13, 9), outcome::technical_problem), call(local(13, 9, 20), outcome::technical_problem)});
  add(2, {call(local(13, 9, 10), outcome::technical_problem)});
  add(3, {call(local(13, 9, 5), outcome::technical_problem)});
  add(4);
  const auto now = local(13, 10);
  EXPECT_EQ(next(ann, now), 4);  // never called
  EXPECT_EQ(next(cas, now), 3);  // one attempt, the longest ago
  EXPECT_EQ(next(dan, now), 2);
  EXPECT_EQ(next(rik, now), 1);
}

TEST_F(SchedulerTest, OneInterviewerPerCaseUntilTheLockLapses) {
  add(1);
  const auto t = local(14, 9);
  auto got = sched().next_case(ann, t);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->lock_expires, t + minutes{30});
  EXPECT_EQ(none(cas, t + minutes{1}).next, std::nullopt);

  EXPECT_TRUE(sched().renew(1, "ann", t + minutes{20}));  // ann's terminal is alive: lock until t+50
  EXPECT_EQ(none(cas, t + minutes{45}).reason, idle_reason::nothing_due);
  EXPECT_EQ(sched().holder(1, t + minutes{45}), "ann");

  // ann's terminal vanished: at t+50 the lock lapses and the case is free.
  EXPECT_EQ(sched().holder(1, t + minutes{50}), std::nullopt);
  EXPECT_EQ(next(cas, t + minutes{50}), 1);
  EXPECT_FALSE(sched().renew(1, "ann", t + minutes{51}));
  EXPECT_EQ(sched().holder(1, t + minutes{51}), "cas");

  sched().release(1, "ann");  // not hers any more: no effect
  EXPECT_EQ(sched().holder(1, t + minutes{52}), "cas");
  sched().release(1, "cas");
  EXPECT_EQ(next(ann, t + minutes{52}), 1);
}

TEST_F(SchedulerTest, RenewalsWithinAMinuteArePersistedOnceAndNeverShortenTheLock) {
  add(1);
  std::vector<lock_change> persisted;
  sched().record_locks(&persisted);
  const auto t = local(14, 9);
  ASSERT_EQ(next(ann, t), 1);
  ASSERT_EQ(persisted.size(), 1u);  // taken: written

  // An answer every 5 s for two minutes: the lock moves to a later whole minute only twice or thrice.
  time_point last = t;
  for (auto at = t + std::chrono::seconds{5}; at <= t + minutes{2}; at += std::chrono::seconds{5}) {
    ASSERT_TRUE(sched().renew(1, "ann", at));
    last = at;
  }
  EXPECT_LE(persisted.size(), 4u) << "one write a minute, not one per renewal";
  EXPECT_GE(persisted.size(), 2u);
  // What was persisted last is what the scheduler holds: a restart restores exactly this lock...
  EXPECT_EQ(persisted.back().holder, "ann");
  EXPECT_GE(persisted.back().until, last + minutes{30}) << "never sooner than case_lock_minutes after the last renewal";
  EXPECT_LT(persisted.back().until, last + minutes{31});
  // ...and it holds until then, for the scheduler too.
  EXPECT_EQ(sched().holder(1, persisted.back().until - std::chrono::milliseconds{1}), "ann");
  EXPECT_EQ(sched().holder(1, persisted.back().until), std::nullopt);
  sched().record_locks(nullptr);
}

TEST_F(SchedulerTest, AskingForTheNextCaseReleasesThePreviousOne) {
  add(1);
  add(2);
  quota_.set(1, {true, 1.0});
  const auto t = local(14, 9);
  EXPECT_EQ(next(ann, t), 1);
  EXPECT_EQ(next(ann, t), 1);  // released, still the best
  EXPECT_EQ(next(cas, t), 2);
  EXPECT_EQ(sched().holder(1, t), "ann");
}

TEST_F(SchedulerTest, HoldTakesAGivenCaseBackAfterAReconnect) {
  add(1);
  add(2);
  const auto t = local(14, 9);
  EXPECT_EQ(next(ann, t), 1);
  auto taken = sched().hold(1, cas, t);
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.err(), hold_error::held_by_other);
  EXPECT_EQ(sched().hold(99, cas, t).err(), hold_error::unknown_case);

  // A server restart loses the locks; ann's terminal reconnects and takes her case back.
  sched_.reset();
  auto again = sched().hold(1, ann, t + minutes{2});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, t + minutes{32});
  EXPECT_EQ(next(cas, t + minutes{2}), 2);
}

TEST_F(SchedulerTest, PersonalAppointmentGoesToItsArrangerFirst) {
  add(1, {appointment_call(local(13, 10), local(14, 10), true, "ann")});
  add(2);
  add(3);
  quota_.set(2, {true, 1.0});
  quota_.set(3, {true, 1.0});
  EXPECT_EQ(next(ann, local(14, 9, 59)), 2);  // not due yet
  sched().release(2, "ann");

  EXPECT_EQ(next(cas, local(14, 10)), 2);  // others wait for the grace period
  EXPECT_EQ(next(ann, local(14, 10)), 1);  // the arranger gets it at once, before fresh cases
  auto got = sched().next_case(ann, local(14, 10));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->kind, call_kind::appointment);
  EXPECT_EQ(got->appointment_at, local(14, 10));
  sched().release(1, "ann");  // ann logs off without calling

  EXPECT_EQ(next(rik, local(14, 10, 14)), 3);  // still inside the arranger's 15 minutes
  EXPECT_EQ(next(dan, local(14, 10, 15)), 1);  // then anyone
}

TEST_F(SchedulerTest, AppointmentsComeBeforeQuotaPriority) {
  add(1, {appointment_call(local(13, 10), local(14, 10), false, "ann")});
  add(2);
  quota_.set(2, {true, 100.0});
  auto got = sched().next_case(cas, local(14, 10));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, 1);
  EXPECT_EQ(got->kind, call_kind::appointment);
}

TEST_F(SchedulerTest, MissedAppointmentIsRetriedWithinHalfAnHour) {
  add(1, {appointment_call(local(13, 10), local(14, 10), true, "ann"), call(local(14, 10, 2), outcome::no_answer)});
  add(2, {appointment_call(local(13, 10), local(14, 10), false, "ann"), call(local(14, 10, 1), outcome::busy)});
  EXPECT_EQ(plan(1).stage, case_stage::missed_appointment);
  EXPECT_EQ(plan(1).due, local(14, 10, 32));  // no answer retries after 2 h, but a missed appointment within 30'
  EXPECT_EQ(plan(1).arranger, "");            // anyone may make the quick retry
  EXPECT_EQ(plan(2).due, local(14, 10, 21));  // busy: its own 20' is sooner

  auto idle = none(cas, local(14, 10, 20));
  EXPECT_EQ(idle.next, local(14, 10, 21));
  auto got = sched().next_case(cas, local(14, 10, 32));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->kind, call_kind::missed_appointment);

  // The retry fails too: the case goes back to the ordinary rules (no answer: 2 h, the other day-part).
  cases_.record_call(1, call(local(14, 10, 33), outcome::no_answer, "cas"));
  EXPECT_EQ(plan(1).stage, case_stage::retry);
  EXPECT_EQ(plan(1).due, local(14, 13, 30));
}

TEST_F(SchedulerTest, AppointmentIsHonouredPastMaxAttempts) {
  std::vector<call_attempt> calls;
  for (unsigned d = 13; d <= 15; ++d) {
    calls.push_back(call(local(d, 9), outcome::technical_problem));
    calls.push_back(call(local(d, 14), outcome::technical_problem));
  }
  calls.push_back(call(local(16, 9), outcome::technical_problem));
  calls.push_back(appointment_call(local(16, 10), local(17, 11), false));  // the 8th attempt
  add(1, calls);
  EXPECT_EQ(plan(1).attempts, 8);
  EXPECT_EQ(plan(1).stage, case_stage::appointment);
  EXPECT_EQ(next(ann, local(17, 11)), 1);
}

TEST_F(SchedulerTest, RetryDelaysPerOutcome) {
  const auto t = local(14, 10);  // Tuesday morning
  add(1, {call(t, outcome::busy)});
  add(2, {call(t, outcome::no_answer)});
  add(3, {call(local(14, 14), outcome::no_answer)});
  add(4, {call(t, outcome::answering_machine)});
  add(5, {call(t, outcome::soft_refusal)});
  add(6, {call(t, outcome::callback)});
  EXPECT_EQ(plan(1).due, local(14, 10, 20));  // busy: 20'
  EXPECT_EQ(plan(2).due, local(14, 13, 30));  // no answer: 2 h and the other day-part: the afternoon
  EXPECT_EQ(plan(3).due, local(15, 9));       // afternoon no answer: the next morning
  EXPECT_EQ(plan(4).due, local(14, 13, 30));  // answering machine: 3 h, 13:00 is lunch
  EXPECT_EQ(plan(5).due, local(17, 10));      // soft refusal: 3 days, for a converter
  EXPECT_TRUE(plan(5).converters_only);
  EXPECT_EQ(plan(6).due, local(14, 11));      // callback without a time: built-in 1 h
  for (case_id id : {1, 2, 3, 4, 5, 6}) EXPECT_EQ(plan(id).stage, case_stage::retry);
}

// The rotation holds when the case is not called in time: a morning no answer not called that afternoon
// waits for the next afternoon, not the next morning.
TEST_F(SchedulerTest, DayPartRotationHoldsWhenACaseWaits) {
  add(1, {call(local(14, 10), outcome::no_answer)});
  auto idle = none(ann, local(15, 10));
  EXPECT_EQ(idle.reason, idle_reason::nothing_due);
  EXPECT_EQ(idle.next, local(15, 13, 30));
  EXPECT_EQ(next(ann, local(15, 13, 30)), 1);
}

TEST_F(SchedulerTest, TwoBusiesInARowCountAsOneAttempt) {
  const auto t = local(14, 9);
  auto at = [&](int m) { return t + minutes{m}; };
  add(1, {call(at(0), outcome::busy), call(at(20), outcome::busy)});
  add(2, {call(at(0), outcome::busy), call(at(20), outcome::busy), call(at(40), outcome::busy)});
  add(3, {call(at(0), outcome::busy), call(at(20), outcome::no_answer), call(at(140), outcome::busy)});
  add(4, {call(at(0), outcome::busy), call(at(20), outcome::busy), call(at(40), outcome::busy),
          call(at(60), outcome::busy)});
  EXPECT_EQ(plan(1).attempts, 1);
  EXPECT_EQ(plan(2).attempts, 2);
  EXPECT_EQ(plan(3).attempts, 3);  // not in a row
  EXPECT_EQ(plan(4).attempts, 2);
  EXPECT_EQ(plan(4).calls, 4);
}

TEST_F(SchedulerTest, MaxAttemptsFinishTheCase) {
  std::vector<call_attempt> spread;
  for (unsigned d = 13; d <= 16; ++d) {
    spread.push_back(call(local(d, 9), outcome::no_answer));
    spread.push_back(call(local(d, 14), outcome::no_answer));
  }
  add(1, spread);
  std::vector<call_attempt> busies;
  for (unsigned d = 13; d <= 16; ++d)
    for (int i = 0; i < 4; ++i) busies.push_back(call(local(d, 9) + minutes{20 * i} + std::chrono::hours{5 * (i / 2)},
                                                      outcome::busy));
  add(2, busies);  // 16 busies in a row = 8 attempts
  busies.pop_back();
  busies.pop_back();
  add(3, busies);  // 14 = 7
  EXPECT_EQ(plan(1).stage, case_stage::finished);
  EXPECT_EQ(plan(1).finished_by, finish_reason::max_attempts);
  EXPECT_EQ(plan(2).finished_by, finish_reason::max_attempts);
  EXPECT_EQ(plan(3).attempts, 7);
  EXPECT_FALSE(plan(3).finished());
  EXPECT_EQ(next(ann, local(17, 9)), 3);
  EXPECT_EQ(none(cas, local(17, 9)).reason, idle_reason::nothing_due);  // case 3 is ann's for now
  cases_.record_call(3, call(local(17, 9, 5), outcome::complete));
  sched().release(3, "ann");
  EXPECT_EQ(none(cas, local(17, 9, 10)).reason, idle_reason::finished);
}

// With the attempts left no more than the days still missing, the next attempt goes to a new day.
TEST_F(SchedulerTest, AttemptsAreSpreadOverDays) {
  std::vector<call_attempt> monday;
  for (int m : {0, 40, 80, 150}) monday.push_back(call(local(13, 9) + minutes{m}, outcome::technical_problem));
  for (int m : {0, 60, 120}) monday.push_back(call(local(13, 13, 30) + minutes{m}, outcome::technical_problem));
  add(1, monday);  // 7 attempts on one day: the 8th would exhaust them on 1 day of 3
  EXPECT_TRUE(plan(1).new_day);
  EXPECT_EQ(plan(1).due, local(14, 9));  // not Monday 15:45

  monday.pop_back();
  add(2, monday);  // 6 attempts: 2 left, 2 days missing: a new day as well
  EXPECT_TRUE(plan(2).new_day);
  monday.pop_back();
  add(3, monday);  // 5 attempts: 3 left for 2 missing days, no constraint yet
  EXPECT_FALSE(plan(3).new_day);
  EXPECT_EQ(plan(3).due, local(13, 13, 45));

  // The scheduler keeps to it when the case is not called at once: not on Monday afternoon.
  EXPECT_EQ(next(ann, local(13, 16)), 3);
  EXPECT_EQ(none(cas, local(13, 16)).next, local(14, 9));
}

TEST_F(SchedulerTest, AttemptsAreSpreadOverDayParts) {
  std::vector<call_attempt> mornings;
  for (unsigned d = 13; d <= 15; ++d)
    for (int m : {0, 30}) mornings.push_back(call(local(d, 9) + minutes{m}, outcome::technical_problem));
  mornings.push_back(call(local(15, 10), outcome::technical_problem));
  add(1, mornings);  // 7 attempts, 3 days, never an afternoon
  EXPECT_EQ(plan(1).parts, 0b10u);
  EXPECT_EQ(plan(1).due, local(15, 13, 30));  // not 10:15
  EXPECT_EQ(none(ann, local(16, 9)).next, local(16, 13, 30));
}

TEST_F(SchedulerTest, SpreadGivesWayWhenTheWindowEnds) {
  std::vector<call_attempt> last_day;
  for (int m : {0, 20, 40, 60, 80, 100, 120})
    last_day.push_back(call(local(23, 9) + minutes{m}, outcome::technical_problem));
  add(1, last_day);  // no new day left: the afternoon is still a missing day-part
  EXPECT_FALSE(plan(1).new_day);
  EXPECT_EQ(plan(1).due, local(23, 13, 30));

  add(2, {call(local(21, 10), outcome::soft_refusal)});  // conversion due on Friday 24: after the window
  EXPECT_EQ(plan(2).finished_by, finish_reason::no_time_left);
}

TEST_F(SchedulerTest, RefusalConversionOnlyByChosenInterviewers) {
  add(1, {call(local(13, 10), outcome::soft_refusal, "ann")});
  EXPECT_EQ(none(rik, local(16, 9)).next, local(16, 10));  // 3 days later
  EXPECT_EQ(none(ann, local(16, 10)).reason, idle_reason::finished);  // never hers again
  auto got = sched().next_case(rik, local(16, 10));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->conversion);
  EXPECT_EQ(got->kind, call_kind::retry);
  EXPECT_EQ(got->spent, std::vector<outcome>{});  // the study gives soft refusal no max_per_case

  // The conversion call reaches nobody: still converters only.
  cases_.record_call(1, call(local(16, 10, 1), outcome::no_answer, "rik"));
  EXPECT_TRUE(plan(1).converters_only);

  // A supervisor assigns a case to one interviewer.
  add(2);
  cases_.assign(2, "dan");
  EXPECT_EQ(none(cas, local(16, 11)).reason, idle_reason::finished);
  EXPECT_EQ(next(dan, local(16, 11)), 2);
}

TEST_F(SchedulerTest, FinalOutcomesEndTheCaseForGood) {
  add(1, {call(local(13, 9), outcome::refusal_target), call(local(13, 10), outcome::no_answer)});
  add(2, {call(local(13, 9), outcome::disconnected)});
  EXPECT_EQ(plan(1).finished_by, finish_reason::final_outcome);
  EXPECT_EQ(plan(1).final_outcome, outcome::refusal_target);
  EXPECT_EQ(plan(2).final_outcome, outcome::disconnected);
  EXPECT_EQ(none(ann, local(14, 9)).reason, idle_reason::finished);
}

TEST_F(SchedulerTest, SeesCallsRecordedAfterItStarted) {
  add(1);
  EXPECT_EQ(next(ann, local(14, 9)), 1);
  cases_.record_call(1, call(local(14, 9, 5), outcome::answering_machine_message));
  sched().release(1, "ann");
  auto idle = none(ann, local(14, 9, 10));
  EXPECT_EQ(idle.next, local(14, 13, 30));  // 12:05 is lunch
  add(2);  // sample added to a live fieldwork
  EXPECT_EQ(next(ann, local(14, 9, 10)), 2);
  quota_.set(1, {true, 1.0});

  auto got = sched().next_case(cas, local(14, 13, 30));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, 1);
  EXPECT_EQ(got->spent, std::vector<outcome>{outcome::answering_machine_message});  // one message only
}

// Brussels leaves summer time on Sunday 26 October 2025: 09:00 is 07:00 UTC on Friday 24, 08:00 UTC on
// Monday 27.
TEST_F(SchedulerTest, CallingHoursAcrossTheDstChange) {
  std::vector<calling_period> hours = {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"},
                                       {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
  cal_ = calendar::make("Europe/Brussels", "2025-10-20", "2025-10-31", hours).value();
  add(1);
  add(2);
  auto utc = [](unsigned d, int h, int m = 0) {
    return time_point{std::chrono::sys_days{year_month_day{year{2025}, October, std::chrono::day{d}}} +
                      std::chrono::hours{h} + minutes{m}};
  };
  EXPECT_EQ(next(ann, utc(24, 7)), 1);  // Friday 09:00 CEST
  auto monday = none(cas, utc(27, 7, 30));  // Monday 08:30 CET: not yet
  EXPECT_EQ(monday.reason, idle_reason::outside_calling_hours);
  EXPECT_EQ(monday.next, utc(27, 8));
  EXPECT_EQ(next(cas, utc(27, 8)), 1);  // ann's Friday lock lapsed long ago; 1 was never called
  auto weekend = none(dan, utc(24, 16));  // Friday 18:00 CEST
  EXPECT_EQ(weekend.next, utc(27, 8));

  // A no answer on Friday afternoon is retried on Monday morning, 09:00 local = 08:00 UTC.
  add(3, {call(utc(24, 14), outcome::no_answer)});
  EXPECT_EQ(plan(3).due, utc(27, 8));
}

TEST_F(SchedulerTest, CaseSourceReportsOnlyWhatChanged) {
  add(1);
  add(2);
  auto all = cases_.changes_since(0);
  EXPECT_EQ(all.cases.size(), 2u);
  EXPECT_EQ(cases_.changes_since(all.revision).cases.size(), 0u);
  cases_.record_call(2, call(local(14, 10), outcome::busy));
  cases_.record_call(2, call(local(14, 9), outcome::busy));  // reported late: kept in time order
  EXPECT_FALSE(cases_.record_call(9, call(local(14, 9), outcome::busy)));
  auto later = cases_.changes_since(all.revision);
  ASSERT_EQ(later.cases.size(), 1u);  // case 2 once, as it is now
  EXPECT_EQ(later.cases[0].id, 2);
  ASSERT_EQ(later.cases[0].calls.size(), 2u);
  EXPECT_EQ(later.cases[0].calls[0].at, local(14, 9));
  EXPECT_GT(later.revision, all.revision);
}

// Not a timing assertion (benchmarks print, tests do not fail on time): prints what a next_case costs on
// a fieldwork of the seed's size, and checks no case is ever held twice.
TEST_F(SchedulerTest, ThousandsOfCasesAreFast) {
  std::mt19937 rng(42);
  const outcome mix[] = {outcome::no_answer, outcome::busy, outcome::answering_machine, outcome::technical_problem,
                         outcome::callback, outcome::refusal_target, outcome::soft_refusal, outcome::complete};
  for (case_id id = 1; id <= 4000; ++id) {
    std::vector<call_attempt> calls;
    const int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i)
      calls.push_back(call(local(13 + static_cast<unsigned>(i % 2), 9) + minutes{static_cast<int>(rng() % 480)},
                           mix[rng() % 8]));
    std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    add(id, std::move(calls), rng() % 5 < 3 ? "nl" : "fr");
    quota_.set(id, {rng() % 10 != 0, static_cast<double>(rng() % 1000) / 1000.0});
  }
  std::vector<interviewer> team;
  for (int i = 0; i < 12; ++i)
    team.push_back({"i" + std::to_string(i), i < 5 ? std::vector<std::string>{"nl"}
                                             : i < 9 ? std::vector<std::string>{"fr"}
                                                     : std::vector<std::string>{"nl", "fr"}});

  auto start = std::chrono::steady_clock::now();
  sched();
  auto built = std::chrono::steady_clock::now();
  auto now = local(15, 9);
  int handed = 0;
  const int rounds = 2000;
  for (int i = 0; i < rounds; ++i) {
    const auto& who = team[static_cast<std::size_t>(i) % team.size()];
    auto got = sched().next_case(who, now);
    if (got) {
      ++handed;
      cases_.record_call(got->id, call(now, outcome::no_answer, who.id));  // the history grows as in the field
    }
    now += std::chrono::seconds{5};
  }
  auto done = std::chrono::steady_clock::now();
  std::set<case_id> held;
  for (const auto& who : team) {
    auto got = sched().next_case(who, now);
    if (got) {
      EXPECT_TRUE(held.insert(got->id).second) << "case " << got->id << " held twice";
    }
  }
  const auto us = [](auto d) { return std::chrono::duration<double, std::micro>(d).count(); };
  std::cout << "[ bench    ] 4000 cases: first load and plans " << us(built - start) / 1000.0 << " ms; next_case "
            << us(done - built) / rounds << " us per call (incl. one new call to re-derive), " << handed << " of "
            << rounds << " handed out\n";
  EXPECT_GT(handed, rounds / 2);
}

}  // namespace
}  // namespace cati::core

namespace cati::core {
namespace {

// A missed appointment keeps an appointment's precedence for its quick retry: it is called before fresh
// cases, even one the quotas need most (issue 17: a mutant that demoted it to an ordinary retry survived).
TEST_F(SchedulerTest, MissedAppointmentGoesBeforeFreshCasesTheQuotasNeedMost) {
  add(1, {appointment_call(local(13, 10), local(14, 10), false, "ann"), call(local(14, 10, 2), outcome::no_answer)});
  add(2);
  quota_.set(2, {true, 100.0});
  ASSERT_EQ(plan(1).stage, case_stage::missed_appointment);
  auto got = sched().next_case(cas, local(14, 10, 32));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, 1);
  EXPECT_EQ(got->kind, call_kind::missed_appointment);
}

}  // namespace
}  // namespace cati::core
