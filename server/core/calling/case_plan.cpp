#include "core/calling/case_plan.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <span>

namespace cati::core {
namespace {

call_rule retry_rule(outcome o, int minutes_after, bool other_part = false) {
  call_rule r;
  r.result = o;
  r.retry_after_minutes = minutes_after;
  r.other_day_part = other_part;
  return r;
}

call_rule final_rule(outcome o) {
  call_rule r;
  r.result = o;
  r.final = true;
  return r;
}

struct pending_appointment {
  time_point agreed;  // the time agreed with the firm
  time_point due;     // when to call: the agreed time, or the quick retry after a miss
  std::string arranger;
  bool missed = false;
};

void add_day(std::vector<int>& days, int day) {
  auto it = std::lower_bound(days.begin(), days.end(), day);
  if (it == days.end() || *it != day) days.insert(it, day);
}

std::uint32_t part_bit(int part) { return std::uint32_t{1} << part; }

// Reads the history in time order even if the source handed it over unsorted.
std::span<const call_attempt> in_time_order(const case_record& c, std::vector<call_attempt>& scratch) {
  auto by_time = [](const call_attempt& a, const call_attempt& b) { return a.at < b.at; };
  if (std::is_sorted(c.calls.begin(), c.calls.end(), by_time)) return c.calls;
  scratch = c.calls;
  std::stable_sort(scratch.begin(), scratch.end(), by_time);
  return scratch;
}

}  // namespace

call_rule default_call_rule(outcome o) {
  switch (o) {
    case outcome::busy: {
      auto r = retry_rule(o, 20);
      r.consecutive_per_attempt = 2;
      return r;
    }
    case outcome::no_answer: return retry_rule(o, 120, true);
    case outcome::answering_machine: return retry_rule(o, 180);
    case outcome::answering_machine_message: {
      auto r = retry_rule(o, 180);
      r.max_per_case = 1;
      return r;
    }
    case outcome::soft_refusal: {
      auto r = retry_rule(o, 3 * 24 * 60);
      r.by_supervisor_choice = true;
      r.max_per_case = 1;
      return r;
    }
    case outcome::appointment:  // the call carries the time; without one, like a callback
    case outcome::callback: return retry_rule(o, 60);
    case outcome::call_blocked: return retry_rule(o, 120, true);
    case outcome::unspecified:
    case outcome::technical_problem: return retry_rule(o, 15);
    case outcome::fax_modem:
    case outcome::disconnected:
    case outcome::wrong_number:
    case outcome::refusal_receptionist:
    case outcome::refusal_target:
    case outcome::not_eligible:
    case outcome::over_quota:
    case outcome::complete:
    case outcome::break_off:
    case outcome::language_problem:
    case outcome::unavailable: return final_rule(o);
  }
  return retry_rule(o, 15);
}

call_rule effective_call_rule(const call_rules& rules, outcome o) {
  const call_rule* r = rules.find(o);
  return r ? *r : default_call_rule(o);
}

bool case_plan::accepts(const calendar::slot& s) const {
  if (!(parts & part_bit(s.part))) return false;
  return !new_day || !std::binary_search(days.begin(), days.end(), s.day);
}

case_plan plan_case(const case_record& c, const call_rules& rules, const calendar& cal) {
  case_plan p;
  const std::uint32_t all_parts = cal.all_day_parts();
  p.parts = all_parts;

  std::vector<call_attempt> scratch;
  std::optional<pending_appointment> pending;
  std::array<int, outcome_count> seen{};
  std::uint32_t tried_parts = 0;
  outcome run_outcome = outcome::unspecified;
  int run_length = 0;
  call_rule last_rule;
  std::optional<int> last_part;

  const int numbers = std::max(1, c.numbers);
  int last_number = -1;      // the last number dialled (known)
  bool last_reached = false;  // and whether that call reached someone at the firm
  for (const auto& call : in_time_order(c, scratch)) {
    const call_rule rule = effective_call_rule(rules, call.result);
    // A call logged without its number (an interview's own ending) leaves the rotation where it was.
    if (call.number >= 0) {
      last_number = call.number;
      last_reached = contact_of(call.result) == contact_kind::human;
    }
    if (contact_of(call.result) == contact_kind::dead_number) {
      const int dead = number_of(call);
      auto it = std::lower_bound(p.dead_numbers.begin(), p.dead_numbers.end(), dead);
      if (it == p.dead_numbers.end() || *it != dead) p.dead_numbers.insert(it, dead);
      if (static_cast<int>(p.dead_numbers.size()) < numbers) {
        // Only this number is gone: not an attempt on the firm; the next number is due now.
        ++p.calls;
        ++seen[static_cast<std::size_t>(call.result)];
        add_day(p.days, cal.day_index(call.at));
        last_rule = retry_rule(call.result, 0);
        p.last_call = call.at;
        run_length = 0;
        run_outcome = call.result;
        continue;
      }
    }
    run_length = p.calls > 0 && call.result == run_outcome ? run_length + 1 : 1;
    run_outcome = call.result;
    ++p.calls;
    if ((run_length - 1) % std::max(1, rule.consecutive_per_attempt) == 0) ++p.attempts;
    ++seen[static_cast<std::size_t>(call.result)];

    add_day(p.days, cal.day_index(call.at));
    const calendar::slot* s = cal.slot_at(call.at);
    last_part = s ? std::optional<int>(s->part) : std::nullopt;
    if (s) tried_parts |= part_bit(s->part);

    if (rule.by_supervisor_choice) p.converters_only = true;
    if (rule.final && !p.final_outcome) p.final_outcome = call.result;
    // A conversion that fails again is final (at most max_per_case conversions).
    if (rule.by_supervisor_choice && rule.max_per_case > 0 && seen[static_cast<std::size_t>(call.result)] > rule.max_per_case &&
        !p.final_outcome)
      p.final_outcome = call.result;

    if (call.callback) {
      pending = pending_appointment{call.callback->at, call.callback->at,
                                    call.callback->personal ? call.interviewer : std::string(), false};
    } else if (pending && call.at >= pending->due) {
      if (contact_of(call.result) == contact_kind::none && !pending->missed) {
        // "Retried within N minutes": never later than N, sooner if the outcome's own delay is shorter.
        pending->missed = true;
        pending->arranger.clear();
        pending->due = call.at + minutes{std::min(rules.missed_appointment_retry_minutes, rule.retry_after_minutes)};
      } else {
        pending.reset();
      }
    }
    last_rule = rule;
    p.last_call = call.at;
  }

  // A number that reached someone is dialled again; otherwise the next live number after it, in turn.
  for (int step = last_reached ? 0 : 1; step <= numbers; ++step) {
    const int candidate = ((last_number < 0 ? -1 : last_number) + step) % numbers;
    if (!std::binary_search(p.dead_numbers.begin(), p.dead_numbers.end(), candidate)) {
      p.next_number = candidate;
      break;
    }
  }

  for (int o = 0; o < outcome_count; ++o) {
    const int max = effective_call_rule(rules, static_cast<outcome>(o)).max_per_case;
    if (max > 0 && seen[static_cast<std::size_t>(o)] >= max) p.spent.push_back(static_cast<outcome>(o));
  }

  auto finish = [&](finish_reason why) {
    p.stage = case_stage::finished;
    p.finished_by = why;
    return p;
  };
  if (p.final_outcome) return finish(finish_reason::final_outcome);

  if (pending) {
    p.stage = pending->missed ? case_stage::missed_appointment : case_stage::appointment;
    p.appointment_at = pending->agreed;
    p.arranger = pending->arranger;
    auto t = cal.next_calling_time(pending->due);
    if (!t) return finish(finish_reason::no_time_left);
    // `due` stays the appointment time itself: the arranger's head start is counted from it.
    p.due = std::max(pending->due, cal.opens());
    return p;
  }
  const bool capped = rules.max_attempts > 0;  // 0: no limit
  if (capped && p.attempts >= rules.max_attempts) return finish(finish_reason::max_attempts);

  time_point earliest = cal.opens();
  if (p.last_call) {
    p.stage = case_stage::retry;
    earliest = std::max(earliest, *p.last_call + minutes{last_rule.retry_after_minutes});
  }

  std::uint32_t rotation = all_parts;
  if (last_rule.other_day_part && last_part) rotation &= ~part_bit(*last_part);
  if (rotation == 0) rotation = all_parts;  // a study with a single day-part has no "other" one

  const int left = capped ? rules.max_attempts - p.attempts : std::numeric_limits<int>::max();
  const int missing_days = std::max(0, rules.min_days - static_cast<int>(p.days.size()));
  const std::uint32_t missing_parts = rules.both_day_parts ? all_parts & ~tried_parts : 0;
  const bool need_day = missing_days > 0 && left <= missing_days;
  const std::uint32_t spread =
      missing_parts != 0 && left <= std::popcount(missing_parts) ? rotation & missing_parts : rotation;

  struct constraint {
    std::uint32_t parts;
    bool new_day;
  };
  const constraint tries[] = {{spread, need_day}, {spread, false}, {rotation, false}, {all_parts, false}};
  for (const auto& t : tries) {
    if (t.parts == 0) continue;
    p.parts = t.parts;
    p.new_day = t.new_day;
    if (auto at = cal.next_calling_time_if(earliest, [&](const calendar::slot& s) { return p.accepts(s); })) {
      p.due = *at;
      return p;
    }
  }
  p.parts = all_parts;
  p.new_day = false;
  return finish(finish_reason::no_time_left);
}

}  // namespace cati::core
