// A case's calling state, derived from its call history and the study's call rules: finished or not,
// how many attempts count, and when and in which day-part it may be called next. Pure: the same history,
// rules and calendar always give the same plan, so the scheduler can cache it and re-derive it whenever
// the history grows.
//
// Rules, in the order they are applied (the history is read oldest first):
// - Each call counts as an attempt, except that a run of the same outcome counts once per
//   `consecutive_per_attempt` calls (busy with 2: busy, busy = one attempt; three busies = two).
// - An outcome whose rule is `final` finishes the case for good: later calls (a supervisor handing the
//   case out by hand) do not reopen it. Except a dead number (fax, disconnected, wrong number: the
//   firm is the unit, not the number): it ends that number only; the call is not an attempt on the firm,
//   the next live number is due at once, and the case is finished only when every number is dead.
// - Refusal conversion: an outcome whose rule is `by_supervisor_choice` (soft refusal) is retried once by
//   a converter after `retry_after_minutes`; once it occurred more than `max_per_case` times (a second
//   soft refusal with 1) it is final.
// - A call that sets `callback` makes an appointment; a later callback replaces it. The first call at or
//   after the appointment time that reaches nobody (contact_kind::none) makes it a missed appointment,
//   retried once, after the sooner of missed_appointment_retry_minutes and that outcome's retry delay, by
//   anyone; a second such call, or any call that reaches someone, ends the appointment. A pending
//   appointment is honoured even past max_attempts (the firm asked for the call).
// - Otherwise the case is finished once `max_attempts` attempts are counted.
// - The next attempt is due `retry_after_minutes` after the last call, in another day-part than the last
//   call's if its rule says `other_day_part`, and by a supervisor-chosen interviewer from the first
//   `by_supervisor_choice` outcome on (sticky: a firm that refused once only hears from converters).
// - Spread: when the attempts left are no more than the local days still missing to reach `min_days`,
//   the next attempt must fall on a day with no call yet; when they are no more than the day-parts never
//   tried (and `both_day_parts`), in one of those. Near the end of the window, when no slot is left that
//   meets these, they are dropped (spread first, then the day-part rotation): a call late is better than
//   none. A case with no calling time left at all is finished (no_time_left).
// - `max_per_case`: once an outcome occurred that many times it is "spent": the terminal should not offer
//   it again (answering_machine_message with 1: at most one message left).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"

namespace cati::core {

// The built-in rule for an outcome the study gives no rule for: the seed spec's defaults (busy 20 min,
// two in a row one attempt; no answer 2 h, other day-part; answering machine 3 h, one message; soft
// refusal 3 days, by a converter, once), interview-ending and dead-number outcomes final, callback 1 h,
// call blocked 2 h in the other day-part, technical problem and no recorded outcome 15 min.
call_rule default_call_rule(outcome o);
// The study's rule for `o`, else the built-in one.
call_rule effective_call_rule(const call_rules& rules, outcome o);

enum class case_stage {
  fresh,               // never called
  retry,               // called, waiting for its next attempt
  appointment,         // a callback time was agreed
  missed_appointment,  // the appointment call reached nobody: one quick retry
  finished,
};

enum class finish_reason { none, final_outcome, max_attempts, no_time_left };

struct case_plan {
  case_stage stage = case_stage::fresh;
  finish_reason finished_by = finish_reason::none;
  std::optional<outcome> final_outcome;  // the outcome that finished it (finish_reason::final_outcome)
  int calls = 0;                         // dials made
  int attempts = 0;                      // attempts counted (see consecutive_per_attempt)
  std::optional<time_point> last_call;

  // When it may be called: not before `due`, in a slot whose day-part is in `parts` (a bit per calendar
  // day-part) and, if `new_day`, on a local day not in `days`. `due` is the first such moment.
  time_point due{};
  std::uint32_t parts = 0;
  bool new_day = false;
  std::vector<int> days;  // calendar::day_index of each local day with a call, ascending

  std::optional<time_point> appointment_at;  // the agreed time (appointment stages)
  std::string arranger;                      // personal appointment: who made it; "" = anyone
  bool converters_only = false;              // refusal conversion: supervisor-chosen interviewers only
  std::vector<outcome> spent;                // outcomes whose max_per_case is reached
  // The number to dial next (index in the case's dialling order): the last number dialled again if it
  // reached someone at the firm, else the next live one after it, in turn; dead numbers are skipped.
  int next_number = 0;
  std::vector<int> dead_numbers;  // ascending

  bool finished() const { return stage == case_stage::finished; }
  // Whether a call in `s` meets the day-part and new-day conditions (`due` aside).
  bool accepts(const calendar::slot& s) const;
};

// Precondition: c.calls is oldest first (a history out of order is read in time order anyway).
case_plan plan_case(const case_record& c, const call_rules& rules, const calendar& cal);

}  // namespace cati::core
