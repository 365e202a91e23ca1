// AAPOR final disposition codes (Standard Definitions, telephone) in the business-survey reading of the
// seed study, and the final disposition of a case derived from its call history.
//
// Code of each outcome (decisions marked *):
//   complete 1.1 | refusal_receptionist 2.111 | refusal_target 2.112 | soft_refusal 2.11 (refuser not
//   recorded) | break_off 2.12 | appointment, callback 2.21 (the right person never reached) |
//   answering machine at a firm known to be eligible 2.221 (a message was ever left) / 2.222 (never) |
//   language_problem 2.33 | unavailable 2.35 | busy 3.12 (a case only ever busy) | no_answer 3.13 |
//   answering machine, eligibility unknown 3.14 | call_blocked 3.15 | technical_problem 3.16 |
//   unspecified 3.90* | wrong_number 4.10* (the number does not reach the sampled firm: out of sample, the
//   same number-as-unit reading as disconnected) | fax_modem 4.20 | disconnected 4.30 (non-working or
//   disconnected: the outcome does not tell which, so the 4.3 group code) | not_eligible 4.70* (screened
//   out by the interview, over 20 FTE: AAPOR's screen-out code "no eligible respondent", as queXS uses for
//   screen-outs; 4.10 is kept for units outside the frame's definition; both are NE, so no rate changes)
//   | over_quota 4.80. A break_off is 1.2 (partial) instead of 2.12 when the call says so (call_attempt::partial:
//   the interview had reached the study's questionnaire::partial_after, as recorded when it broke off).
// The firm is the unit, not the number: a dead-number code (4.10, 4.20, 4.30) only decides a case once
// every number of the firm is dead (case_record::numbers). Before that such a call says nothing about
// the firm and codes 3.90 (unknown eligibility, other), below every call that reached a line in use.
// A firm counts as known eligible once anyone there answered a call (contact_kind::human) up to `at`:
// "a firm reached is eligible unless screened out".
//
// Precedence: the code of a case is the code of its most informative call; among equally informative
// calls the latest wins. From most to least informative:
//   1. interview: 1.1, then 1.2;
//   2. eligibility settled by talking to the firm: 4.70 screened out, 4.80 quota filled (a refusal
//      converted into a screen-out is not eligible after all);
//   3. refusal and break-off: 2.12 > 2.112 > 2.111 > 2.11 (the deeper the contact, the more it says);
//   4. other eligible non-interview: 2.33, 2.35;
//   5. eligible non-contact: 2.21, 2.221, 2.222 (latest wins);
//   6. the number does not reach the firm: 4.10, 4.20, 4.30 (a number gone dead after the firm refused
//      does not undo the refusal, but outranks any number of unanswered calls);
//   7. unknown eligibility: 3.14 > 3.15 > 3.13 > 3.12 > 3.16 > 3.90 (an answering machine says a line is
//      in use; busy only counts as 3.12 when every call was busy);
//   8. 3.11 never attempted.
// So a refusal followed by calls until max attempts stays a refusal: the failure reported of systems
// that code a case by its last call only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/calling/case_record.hpp"

namespace cati::core {

enum class aapor_code : std::uint8_t {
  complete,            // 1.1
  partial,             // 1.2
  refusal,             // 2.11
  refusal_other,       // 2.111 receptionist or anyone but the target person
  refusal_target,      // 2.112
  break_off,           // 2.12
  never_available,     // 2.21
  machine_message,     // 2.221
  machine_no_message,  // 2.222
  language_problem,    // 2.33
  away,                // 2.35
  never_attempted,     // 3.11
  always_busy,         // 3.12
  no_answer,           // 3.13
  answering_machine,   // 3.14
  call_blocking,       // 3.15
  technical_problem,   // 3.16
  unknown_other,       // 3.90
  out_of_sample,       // 4.10
  fax,                 // 4.20
  non_working,         // 4.30
  screened_out,        // 4.70 no eligible respondent
  quota_filled,        // 4.80
};
inline constexpr int aapor_code_count = 23;

// AAPOR's outcome-rate groups.
enum class aapor_group : std::uint8_t {
  interview,          // I
  partial,            // P
  refusal,            // R
  non_contact,        // NC
  other,              // O
  unknown_household,  // UH (here: unknown whether the number reaches an eligible firm)
  unknown_other,      // UO
  not_eligible,       // NE
};
inline constexpr int aapor_group_count = 8;

// Two classifications AAPOR leaves to the study (docs/dispositions.md says why the defaults are these):
// - quota filled (4.80): AAPOR lists it with the not-eligible codes; `eligible` counts it as an eligible
//   non-interview (O) instead, since the firm passed the screener before a full cell turned it away;
// - a firm whose every number is dead (4.10, 4.20, 4.30): in a list sample of firms the number is not the
//   unit, so by default the firm's eligibility is unknown (UH); `not_eligible` keeps AAPOR's telephone
//   (number-as-unit) reading.
enum class quota_filled_rule : std::uint8_t { not_eligible, eligible };
enum class dead_number_rule : std::uint8_t { unknown, not_eligible };
struct eligibility_rules {
  quota_filled_rule quota_filled = quota_filled_rule::not_eligible;
  dead_number_rule dead_number = dead_number_rule::unknown;
};
// "not-eligible" / "eligible" / "unknown", as the command-line options spell them.
std::string_view to_string(quota_filled_rule r);
std::string_view to_string(dead_number_rule r);
std::optional<quota_filled_rule> quota_filled_rule_from(std::string_view s);
std::optional<dead_number_rule> dead_number_rule_from(std::string_view s);

std::string_view code_text(aapor_code c);   // "2.111"
std::string_view describe(aapor_code c);    // "refusal by someone other than the target (receptionist)"
std::string_view group_text(aapor_group g); // "R"
aapor_group group_of(aapor_code c);  // AAPOR's table: 4.80 and the dead numbers NE
aapor_group group_of(aapor_code c, const eligibility_rules& rules);
// Higher is more informative (see Precedence above).
int precedence(aapor_code c);

// The code a call with outcome `o` gives, knowing whether the firm is known eligible and whether a
// message was ever left on its machine. A break_off is 2.12 here; code_of(call_attempt, ...) reads the
// call's partial flag too.
aapor_code code_of(outcome o, bool known_eligible, bool message_left);
// The code of one call: code_of(c.result, ...), and 1.2 for a break-off recorded as partial.
aapor_code code_of(const call_attempt& c, bool known_eligible, bool message_left);

struct disposition {
  aapor_code code = aapor_code::never_attempted;
  std::optional<std::size_t> decisive;  // index in the history of the call that decided it
};

// The disposition of a case from the calls made at or before `at` (calls after it are ignored, so any
// past moment can be recomputed). A case still being worked gets the code its calls so far give.
// Reads the case's numbers and each break-off's recorded partial flag as above.
disposition final_disposition(const case_record& c, time_point at);
// The same for a history alone: one number.
disposition final_disposition(std::span<const call_attempt> calls, time_point at);

// Whether the code says only that a number does not reach the firm (4.10, 4.20, 4.30).
bool is_dead_number(aapor_code c);

}  // namespace cati::core
