// The fieldwork's state as the state machine's table reads it (fieldwork_rules.hpp): the case's state
// from the scheduler's plan and lock, the interview's from the live interviews, the call's from both.
#include "core/fieldwork/fieldwork.hpp"
#include "core/fieldwork/fieldwork_rules.hpp"

namespace cati::core {

std::optional<fault> fieldwork::role_refused(fieldwork_request r, const user& who) const {
  return role_refusal(r, who.role);
}

std::optional<fault> fieldwork::refused(fieldwork_request r, const user& who, std::optional<case_id> c,
                                        std::optional<interview_id> iv, time_point now) const {
  situation s;
  s.role = who.role;
  // The interview: the one named, else the one open on the case.
  const live_interview* interview = nullptr;
  if (iv) {
    s.interview_id_ = *iv;
    if (auto it = interviews_.find(*iv); it != interviews_.end()) {
      interview = &it->second;
      c = interview->case_;
    }
  } else if (c) {
    if (auto e = extra_.find(*c); e != extra_.end() && e->second.open_interview)
      if (auto it = interviews_.find(*e->second.open_interview); it != interviews_.end()) interview = &it->second;
  }
  if (interview) {
    s.interview_id_ = interview->id;
    if (interview->state.status == interview_status::finished)
      s.interview = interview_phase::ended;
    else if (suspended_.contains(interview->id))
      s.interview = interview_phase::suspended;
    else if (interview->interviewer != who.name)
      s.interview = interview_phase::abandoned;
    else
      s.interview = interview_phase::active;
  }
  // An ended interview stands for no case any more (its case may have been called again since).
  if (c && s.interview != interview_phase::ended) {
    s.case_id_ = *c;
    const auto holder = scheduler_->holder(*c, now);
    const case_plan* plan = scheduler_->plan(*c);
    if (!plan) {
      s.case_ = case_phase::none;
    } else if (plan->finished() && plan->finished_by == finish_reason::final_outcome) {
      s.case_ = case_phase::final_;
      if (plan->final_outcome) s.final_outcome = std::string(to_string(*plan->final_outcome));
    } else if (holder == who.name) {
      s.case_ = case_phase::held;
    } else if (holder) {
      s.case_ = case_phase::held_elsewhere;
    } else {
      s.case_ = case_phase::available;
    }
    // Another interviewer's interview left running on a case `who` was handed is not `who`'s call: they may
    // pass the case by (NextCase), not record a call on it nor take the interview over.
    if (holder == who.name)
      s.call = s.interview == interview_phase::active ? call_phase::interviewing : call_phase::dialling;
  }
  return refusal(r, s);
}

}  // namespace cati::core
