// Cases and calls: handing out the next case, recording how a call ended, the call log, and the case
// locks (the scheduler's), each change of which goes to disk with the request that made it.
#include <algorithm>
#include <utility>

#include "core/fieldwork/fieldwork.hpp"
#include "core/fieldwork/fieldwork_quota_priority.hpp"
#include "core/fieldwork/fieldwork_rules.hpp"

namespace cati::core {
namespace {

bool is_call_outcome(outcome o) {
  switch (o) {
    case outcome::complete:
    case outcome::over_quota:
    case outcome::break_off:
    case outcome::unspecified: return false;
    default: return true;
  }
}

}  // namespace

// --- case locks ------------------------------------------------------------------------------------

void fieldwork::begin_request() { lock_changes_.clear(); }

void fieldwork::flush_locks(change_list& changes) {
  // Only each case's last state matters (a renewal then a release is a release).
  for (std::size_t i = 0; i < lock_changes_.size(); ++i) {
    const auto& c = lock_changes_[i];
    const bool superseded = std::any_of(lock_changes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, lock_changes_.end(),
                                        [&](const lock_change& later) { return later.id == c.id; });
    if (!superseded) changes.push_back(case_held{c.id, c.holder, c.until});
  }
  lock_changes_.clear();
}

result<appointment, fault> fieldwork::appointment_for(const std::optional<time_point>& at, bool personal,
                                                      time_point now) const {
  if (!at) return fault{fault_code::invalid_request, "an appointment needs a date and time"};
  if (auto why = calendar_.appointment_problem(*at, now)) return fault{fault_code::invalid_request, std::move(*why)};
  return appointment{*at, personal};
}

void fieldwork::keep_hold(case_id id, const user& who, time_point now) {
  if (!scheduler_->renew(id, who.name, now)) (void)scheduler_->hold(id, {who.name, who.languages, who.converter}, now);
}

// --- interviewers ----------------------------------------------------------------------------------

effect<std::variant<case_offer, idle>> fieldwork::next_case(const user& who, std::uint64_t request, time_point now) {
  begin_request();
  effect<std::variant<case_offer, idle>> out{std::variant<case_offer, idle>(idle{}), {}};
  if (forbidden(fieldwork_request::next_case, who, out)) return out;
  if (const auto* earlier = earlier_request(who, request)) {
    if (earlier->kind != request_kind::next_case) {
      out.reply = fault{fault_code::invalid_request,
                        "request id " + std::to_string(request) + " was used for another request"};
      return out;
    }
    // A resend (the reply was lost): the case it was offered, not another. Only when the terminal stayed
    // away past the lock and someone else took the case meanwhile does it get a new one, below.
    const auto holder = scheduler_->holder(earlier->case_, now);
    if (holder == who.name || (!holder && scheduler_->hold(earlier->case_, {who.name, who.languages, who.converter}, now))) {
      out.reply = std::variant<case_offer, idle>(offer_of(earlier->case_, nullptr));
      flush_locks(out.changes);
      return out;
    }
  }
  // An interviewer in the middle of an interview finishes it first. (A suspended one on the case they
  // were offered is not what they are doing: asking for the next case passes it by.)
  if (auto no = refused(fieldwork_request::next_case, who, scheduler_->held_by(who.name, now), std::nullopt, now)) {
    out.reply = std::move(*no);
    return out;
  }
  priority_->outlook();  // fresh verdicts before the scheduler asks
  auto a = scheduler_->next_case({who.name, who.languages, who.converter}, now);
  if (!a) {
    out.reply = std::variant<case_offer, idle>(idle{a.err()});
    flush_locks(out.changes);  // the case held before is released
    return out;
  }
  if (extra_[a->id].screen_out_call) {  // a new hold: whatever was said on an earlier one is in its call
    extra_[a->id].screen_out_call.reset();
    out.changes.push_back(screen_out_pending{a->id, std::nullopt});
  }
  out.reply = std::variant<case_offer, idle>(offer_of(a->id, &a.value()));
  log_request({who.id, request, request_kind::next_case, a->id, 0, outcome::unspecified, {}, now}, out.changes);
  flush_locks(out.changes);
  return out;
}

effect<call_done> fieldwork::record_call(const user& who, std::uint64_t request, case_id id, outcome result,
                                         std::optional<time_point> appointment_at, bool personal,
                                         const std::string& note, const std::string& number, time_point now) {
  begin_request();
  effect<call_done> out{call_done{id, result}, {}};
  if (forbidden(fieldwork_request::call_result, who, out)) return out;
  if (const auto* earlier = earlier_request(who, request)) {
    if (earlier->kind != request_kind::call_result || earlier->case_ != id || earlier->result != result)
      out.reply = fault{fault_code::invalid_request,
                        "request id " + std::to_string(request) + " was used for another request"};
    return out;  // a resend: recorded already, the same reply
  }
  if (auto no = refused(fieldwork_request::call_result, who, id, std::nullopt, now)) {
    out.reply = std::move(*no);
    return out;
  }
  if (!number.empty()) {  // the number dialled is one of the case's (never free text in the call log)
    const auto& phones = extra_[id].contact.phones;
    if (std::find(phones.begin(), phones.end(), number) == phones.end()) {
      out.reply = fault{fault_code::invalid_request, "CallResult.number is not one of case " + std::to_string(id) +
                                                         "'s numbers (leave it empty for the number to dial)"};
      return out;
    }
  }
  if (!is_call_outcome(result)) {
    out.reply = fault{fault_code::invalid_request,
                      std::string(to_string(result)) + " is the end of an interview, not of a call"};
    return out;
  }
  std::optional<appointment> callback;
  if (result == outcome::appointment) {
    auto asked = appointment_for(appointment_at, personal, now);
    if (!asked) {
      out.reply = asked.err();
      return out;
    }
    callback = asked.value();
  }
  auto open = extra_[id].open_interview;
  const auto screen_out = std::exchange(extra_[id].screen_out_call, std::nullopt);
  if (screen_out) out.changes.push_back(screen_out_pending{id, std::nullopt});
  if (result == outcome::appointment && screen_out && screen_out->by == who.name) {
    // The appointment the screen-out asked for, made on the same call: it goes with that call.
    cases_.agree_callback(id, screen_out->at, *callback);
    call_logged same{id, who.id, screen_out->at, number, outcome::callback, note, std::nullopt, callback};
    same.same_call = true;
    out.changes.push_back(std::move(same));
    scheduler_->refresh();
    priority_->stale();
  } else {
    log_call(id, who, now, result, number, note, open, callback, out.changes);
  }
  scheduler_->release(id, who.name);
  log_request({who.id, request, request_kind::call_result, id, 0, result, {}, now}, out.changes);
  flush_locks(out.changes);
  return out;
}

void fieldwork::log_call(case_id id, const user& who, time_point now, outcome result, const std::string& number,
                         const std::string& note, std::optional<interview_id> interview,
                         std::optional<appointment> callback, change_list& changes, bool partial) {
  std::string dialled = number;
  if (dialled.empty())
    if (auto it = extra_.find(id); it != extra_.end() && !it->second.contact.phones.empty())
      dialled = it->second.contact.phones.front();
  call_attempt call{now, who.name, result, callback};
  call.partial = partial;
  if (auto it = extra_.find(id); it != extra_.end()) {  // which of the firm's numbers: a dead one ends only it
    const auto& phones = it->second.contact.phones;
    if (auto p = std::find(phones.begin(), phones.end(), dialled); p != phones.end())
      call.number = static_cast<int>(p - phones.begin());
  }
  cases_.record_call(id, std::move(call));
  count(who, now, result == outcome::complete);
  // The case's plan now, not at the next hand-out: the quota outlook counts the sample left from the
  // plans, and a restart derives them afresh (the restart-equivalence test saw the stale one differ).
  scheduler_->refresh();
  priority_->stale();
  // Whether this call finished the case (cases.finished in the file, for readers of the file alone).
  const case_plan* plan = scheduler_->plan(id);
  call_logged logged{id, who.id, now, dialled, result, note, interview, callback, plan && plan->finished()};
  logged.partial = partial;
  changes.push_back(std::move(logged));
}

}  // namespace cati::core
