// Loading the fieldwork at start (cases with their locks, open interviews with their owner, language,
// suspension and state: the snapshot and the plain answers after it, the request log) and resuming a
// terminal after a reconnect. What is loaded is exactly what the requests wrote (fieldwork.hpp, "Durable
// truth"): a restart changes nothing a terminal sees.
#include <algorithm>
#include <tuple>

#include "core/fieldwork/fieldwork.hpp"
#include "core/fieldwork/fieldwork_quota_priority.hpp"
#include "core/fieldwork/fieldwork_snapshot.hpp"
#include "core/ports/fieldwork_ports.hpp"

namespace cati::core {

void fieldwork::load_cases(std::vector<loaded_case> cases) {
  std::vector<std::tuple<case_id, std::string, time_point>> locks;
  for (auto& c : cases) {
    auto& extra = extra_[c.record.id];
    extra.contact = std::move(c.contact);
    extra.respondent_id = std::move(c.respondent_id);
    if (!extra.respondent_id.empty()) respondent_ids_.insert(extra.respondent_id);
    extra.seed = c.seed;
    extra.lock_recorded = c.held_until.has_value();
    if (c.screen_out_at) {  // by whoever made that call
      const auto& calls = c.record.calls;
      auto call = std::find_if(calls.rbegin(), calls.rend(), [&](const call_attempt& a) { return a.at == *c.screen_out_at; });
      if (call != calls.rend()) extra.screen_out_call = case_extra::callback_call{call->interviewer, call->at};
    }
    if (!c.holder.empty() && c.held_until) locks.emplace_back(c.record.id, std::move(c.holder), *c.held_until);
    for (auto& [interview, values] : quota_points(c)) arrivals_[interview] = std::move(values);
    cases_.put(std::move(c.record));
  }
  scheduler_->refresh();
  for (const auto& [id, holder, until] : locks) scheduler_->restore_lock(id, holder, until);
  priority_->stale();
}

std::vector<std::pair<interview_id, std::string>> fieldwork::load_interviews(std::vector<loaded_interview> list,
                                                                             time_point now) {
  std::vector<std::pair<interview_id, std::string>> failed;
  for (auto& li : list) {
    next_interview_id_ = std::max(next_interview_id_, li.id + 1);
    auto extra = extra_.find(li.case_);
    if (extra == extra_.end()) {
      failed.emplace_back(li.id, "its case " + std::to_string(li.case_) + " is not in the sample");
      continue;
    }
    live_interview iv{li.id, li.case_, li.interviewer, li.language, {}, 0, li.rows, {}, li.started_at, {}, {}};
    if (li.snapshot.empty()) {
      iv.state = engine_.start(frame_of(li.case_), extra->second.seed);
    } else {
      auto parsed = detail::parse_snapshot(li.snapshot);
      if (!parsed) {
        failed.emplace_back(li.id, parsed.err().message);
        continue;
      }
      auto state = engine_.restore(parsed->saved, frame_of(li.case_), extra->second.seed);
      if (state) {
        iv.state = std::move(state).value();
      } else if (li.final_state) {
        // Ended by the service, not by the route (a refusal, over quota): the replay cannot end it. Its
        // answers are not needed any more, only its sequence numbers and how it ended.
        iv.state = engine_.start(frame_of(li.case_), extra->second.seed);
      } else {
        failed.emplace_back(li.id, state.err().message);
        continue;
      }
      iv.last_seq = parsed->last_seq;
      iv.prints = std::move(parsed->prints);
      iv.end_message = std::move(parsed->end_message);
      forget_old_prints(iv);  // a snapshot from before the window was bounded
    }
    // The plain answers since the snapshot, which wrote only their rows. (An ended interview has none
    // after it: the request that ended it wrote its snapshot.)
    if (!li.final_state)
      if (auto replayed = replay_answers(iv, li.sequenced); !replayed) {
        failed.emplace_back(li.id, replayed.err().message);
        continue;
      }
    if (li.final_state) {
      // An interviewer's latest ended interview: kept so that the resend of the request that ended it
      // gets its duplicate ack. It holds nothing. (Its length is not in ended_interviews(): ended_at unset.)
      iv.state.status = interview_status::finished;
      iv.state.result = *li.final_state;
      interviews_[li.id] = std::move(iv);
      continue;
    }
    if (li.suspended) suspended_.insert(li.id);
    extra->second.open_interview = li.id;
    // The case of an interview in progress stays its owner's. Its lock came back with the case; a file
    // written before locks were persisted has none: hold it from now.
    if (!li.suspended && !extra->second.lock_recorded)
      scheduler_->restore_lock(li.case_, li.interviewer,
                               now + minutes{std::max(1, study_->rules.case_lock_minutes)});
    interviews_[li.id] = std::move(iv);
  }
  return failed;
}

effect<session_view> fieldwork::resume(const user& who, time_point now) {
  begin_request();
  effect<session_view> out{session_view{}, {}};
  const auto open_of_who = [&](const live_interview& iv) {
    return iv.interviewer == who.name && iv.state.status != interview_status::finished;
  };
  // The interview whose case `who` still holds is the one they were in. Without one (a lapsed lock) their
  // latest open interview that is not suspended is taken back, if its case is free.
  live_interview* chosen = nullptr;
  for (auto& [id, iv] : interviews_)
    if (open_of_who(iv) && scheduler_->holder(iv.case_, now) == who.name) chosen = &iv;
  for (auto it = interviews_.rbegin(); !chosen && it != interviews_.rend(); ++it)
    if (open_of_who(it->second) && !suspended_.contains(it->first) &&
        scheduler_->hold(it->second.case_, {who.name, who.languages, who.converter}, now))
      chosen = &it->second;
  if (!chosen) {
    // No interview: the case they were offered (on the phone, before any interview), if still theirs.
    if (auto held = scheduler_->held_by(who.name, now)) {
      keep_hold(*held, who, now);
      out.reply.value().held = offer_of(*held, nullptr);
    }
    flush_locks(out.changes);
    return out;
  }
  if (!scheduler_->hold(chosen->case_, {who.name, who.languages, who.converter}, now)) {
    flush_locks(out.changes);
    return out;
  }
  if (ensure_lease(*chosen, who, now, out.changes)) out.reply.value().held = offer_of(chosen->case_, nullptr);
  out.reply.value().interview = view_of(*chosen, false);
  flush_locks(out.changes);
  return out;
}

opened_fieldwork open_fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal,
                                fieldwork_source& source, fieldwork_options options, time_point now) {
  opened_fieldwork out;
  out.service = std::make_unique<fieldwork>(std::move(study), cal, source.quotas(), source.next_interview_id(),
                                            source.make_randomness(), options);
  auto cases = source.cases_after(0);
  for (const auto& c : cases) out.last_case = std::max(out.last_case, c.record.id);
  out.service->load_cases(std::move(cases));
  auto interviews = source.open_interviews();
  auto ended = source.latest_ended_interviews();
  interviews.insert(interviews.end(), std::make_move_iterator(ended.begin()), std::make_move_iterator(ended.end()));
  out.not_restored = out.service->load_interviews(std::move(interviews), now);
  out.service->load_requests(source.requests());
  return out;
}

}  // namespace cati::core
