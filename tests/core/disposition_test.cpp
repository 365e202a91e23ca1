#include "core/calling/disposition.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace cati::core {
namespace {

const time_point t0 = time_point{std::chrono::hours{24 * 20374}};  // 2025-10-13 00:00 UTC
time_point at(int minute) { return t0 + minutes{minute}; }

// A history with one call a minute apart: outcome i at minute i.
std::vector<call_attempt> history(std::initializer_list<outcome> outcomes) {
  std::vector<call_attempt> calls;
  int m = 0;
  for (auto o : outcomes) calls.push_back({at(m++), "ann", o, {}});
  return calls;
}

aapor_code final_code(std::initializer_list<outcome> outcomes) {
  auto calls = history(outcomes);
  return final_disposition(calls, at(10'000)).code;
}

TEST(DispositionTest, EveryOutcomeHasItsCode) {
  struct row {
    outcome o;
    std::string_view code;
  };
  // One call, nobody known eligible, no message: the code of the outcome on its own.
  const row table[] = {
      {outcome::complete, "1.1"},          {outcome::refusal_receptionist, "2.111"},
      {outcome::refusal_target, "2.112"},  {outcome::soft_refusal, "2.11"},
      {outcome::break_off, "2.12"},        {outcome::appointment, "2.21"},
      {outcome::callback, "2.21"},         {outcome::language_problem, "2.33"},
      {outcome::unavailable, "2.35"},      {outcome::busy, "3.12"},
      {outcome::no_answer, "3.13"},        {outcome::answering_machine, "3.14"},
      {outcome::answering_machine_message, "3.14"}, {outcome::call_blocked, "3.15"},
      {outcome::technical_problem, "3.16"}, {outcome::unspecified, "3.90"},
      {outcome::wrong_number, "4.10"},     {outcome::fax_modem, "4.20"},
      {outcome::disconnected, "4.30"},     {outcome::not_eligible, "4.70"},
      {outcome::over_quota, "4.80"},
  };
  std::set<outcome> covered;
  for (const auto& r : table) {
    EXPECT_EQ(code_text(final_code({r.o})), r.code) << to_string(r.o);
    covered.insert(r.o);
  }
  EXPECT_EQ(covered.size(), static_cast<std::size_t>(outcome_count));
}

TEST(DispositionTest, CodesAreWellFormedAndGroupedByTheirFirstDigit) {
  std::set<std::string_view> seen;
  for (int i = 0; i < aapor_code_count; ++i) {
    auto c = static_cast<aapor_code>(i);
    EXPECT_TRUE(seen.insert(code_text(c)).second) << code_text(c);
    EXPECT_FALSE(describe(c).empty());
    // The group follows from the code's first digit.
    const auto g = group_of(c);
    switch (code_text(c)[0]) {
      case '1': EXPECT_TRUE(g == aapor_group::interview || g == aapor_group::partial); break;
      case '2':
        EXPECT_TRUE(g == aapor_group::refusal || g == aapor_group::non_contact || g == aapor_group::other);
        break;
      case '3': EXPECT_TRUE(g == aapor_group::unknown_household || g == aapor_group::unknown_other); break;
      case '4': EXPECT_EQ(g, aapor_group::not_eligible); break;
      default: ADD_FAILURE() << code_text(c);
    }
  }
  EXPECT_EQ(group_text(aapor_group::non_contact), "NC");
}

TEST(DispositionTest, NeverAttempted) {
  std::vector<call_attempt> none;
  auto d = final_disposition(none, at(0));
  EXPECT_EQ(d.code, aapor_code::never_attempted);
  EXPECT_EQ(d.decisive, std::nullopt);
}

// The known failure: a refusal overridden by the no-answers that follow it until max attempts.
TEST(DispositionTest, RefusalIsNotOverriddenByLaterNonContacts) {
  EXPECT_EQ(final_code({outcome::refusal_target, outcome::no_answer, outcome::no_answer, outcome::busy}),
            aapor_code::refusal_target);
  EXPECT_EQ(final_code({outcome::soft_refusal, outcome::no_answer, outcome::answering_machine}), aapor_code::refusal);
  auto calls = history({outcome::no_answer, outcome::refusal_receptionist, outcome::no_answer, outcome::no_answer});
  auto d = final_disposition(calls, at(100));
  EXPECT_EQ(d.code, aapor_code::refusal_other);
  EXPECT_EQ(d.decisive, 1u);
  // Nor by a number that later goes dead.
  EXPECT_EQ(final_code({outcome::refusal_target, outcome::disconnected}), aapor_code::refusal_target);
}

TEST(DispositionTest, TheMostInformativeOutcomeWins) {
  EXPECT_EQ(final_code({outcome::soft_refusal, outcome::complete}), aapor_code::complete);  // converted
  EXPECT_EQ(final_code({outcome::soft_refusal, outcome::not_eligible}), aapor_code::screened_out);
  EXPECT_EQ(final_code({outcome::refusal_receptionist, outcome::over_quota}), aapor_code::quota_filled);
  EXPECT_EQ(final_code({outcome::refusal_receptionist, outcome::refusal_target}), aapor_code::refusal_target);
  EXPECT_EQ(final_code({outcome::refusal_target, outcome::refusal_receptionist}), aapor_code::refusal_target);
  EXPECT_EQ(final_code({outcome::break_off, outcome::refusal_target}), aapor_code::break_off);
  EXPECT_EQ(final_code({outcome::language_problem, outcome::refusal_target}), aapor_code::refusal_target);
  EXPECT_EQ(final_code({outcome::callback, outcome::language_problem, outcome::no_answer}),
            aapor_code::language_problem);
  EXPECT_EQ(final_code({outcome::no_answer, outcome::no_answer, outcome::disconnected}), aapor_code::non_working);
  EXPECT_EQ(final_code({outcome::fax_modem, outcome::callback}), aapor_code::never_available);  // shared line
}

TEST(DispositionTest, UnknownEligibilityCodes) {
  EXPECT_EQ(final_code({outcome::busy, outcome::busy, outcome::busy}), aapor_code::always_busy);
  EXPECT_EQ(final_code({outcome::busy, outcome::no_answer, outcome::busy}), aapor_code::no_answer);
  EXPECT_EQ(final_code({outcome::no_answer, outcome::answering_machine, outcome::no_answer}),
            aapor_code::answering_machine);
  EXPECT_EQ(final_code({outcome::no_answer, outcome::call_blocked}), aapor_code::call_blocking);
  EXPECT_EQ(final_code({outcome::technical_problem, outcome::busy}), aapor_code::always_busy);
}

// An answering machine at a firm someone has already answered for is a known-eligible non-contact.
TEST(DispositionTest, AnsweringMachineAtAKnownEligibleFirm) {
  EXPECT_EQ(final_code({outcome::callback, outcome::answering_machine}), aapor_code::machine_no_message);
  EXPECT_EQ(final_code({outcome::callback, outcome::answering_machine_message, outcome::answering_machine}),
            aapor_code::machine_message);  // a message was left at some point
  EXPECT_EQ(final_code({outcome::answering_machine_message, outcome::appointment}), aapor_code::never_available);
  EXPECT_EQ(final_code({outcome::answering_machine_message, outcome::no_answer}), aapor_code::answering_machine);
}

// Only the calls made up to `at` count: the report for a past moment does not see the future.
TEST(DispositionTest, ComputedForAnyPastMoment) {
  auto calls = history({outcome::no_answer, outcome::busy, outcome::callback, outcome::soft_refusal,
                        outcome::no_answer, outcome::complete});
  EXPECT_EQ(final_disposition(calls, at(0) - minutes{1}).code, aapor_code::never_attempted);
  EXPECT_EQ(final_disposition(calls, at(0)).code, aapor_code::no_answer);
  EXPECT_EQ(final_disposition(calls, at(1)).code, aapor_code::no_answer);
  EXPECT_EQ(final_disposition(calls, at(2)).code, aapor_code::never_available);
  EXPECT_EQ(final_disposition(calls, at(4)).code, aapor_code::refusal);
  auto done = final_disposition(calls, at(5));
  EXPECT_EQ(done.code, aapor_code::complete);
  EXPECT_EQ(done.decisive, 5u);
  // Eligibility learnt later does not leak back either.
  auto machine = history({outcome::answering_machine, outcome::callback});
  EXPECT_EQ(final_disposition(machine, at(0)).code, aapor_code::answering_machine);
}

TEST(DispositionTest, AmongEquallyInformativeCallsTheLatestWins) {
  auto calls = history({outcome::callback, outcome::answering_machine, outcome::appointment});
  auto d = final_disposition(calls, at(100));
  EXPECT_EQ(d.code, aapor_code::never_available);
  EXPECT_EQ(d.decisive, 2u);
  EXPECT_EQ(final_code({outcome::language_problem, outcome::unavailable}), aapor_code::away);
}

}  // namespace
}  // namespace cati::core
