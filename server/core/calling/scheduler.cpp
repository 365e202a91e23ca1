#include "core/calling/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace cati::core {
namespace {

constexpr time_point never = time_point::min();

bool is_appointment(case_stage s) { return s == case_stage::appointment || s == case_stage::missed_appointment; }

call_kind kind_of(case_stage s) {
  switch (s) {
    case case_stage::appointment: return call_kind::appointment;
    case case_stage::missed_appointment: return call_kind::missed_appointment;
    case case_stage::retry: return call_kind::retry;
    case case_stage::fresh:
    case case_stage::finished: break;
  }
  return call_kind::fresh;
}

// Lexicographic: smaller is called first.
struct rank {
  int tier = 0;              // 0 appointments, 1 the rest
  int not_own = 0;           // appointments: 0 for the interviewer's own personal one
  double minus_priority = 0; // fresh and retry: quota need, highest first
  int attempts = 0;
  time_point when;           // appointments: due time; the rest: last call (never called: min)
  case_id id = 0;
  auto key() const { return std::tie(tier, not_own, minus_priority, attempts, when, id); }
};

}  // namespace

scheduler::scheduler(const calendar& cal, call_rules rules, const case_source& cases, const dial_priority& quota)
    : calendar_(cal), rules_(std::move(rules)), source_(cases), quota_(quota) {
  refresh();
}

void scheduler::refresh() {
  auto changes = source_.changes_since(revision_);
  for (auto& c : changes.cases) upsert(std::move(c));
  revision_ = changes.revision;
}

std::uint32_t scheduler::language_bit(const std::string& lang) {
  if (lang.empty()) return 0;
  auto it = std::find(languages_.begin(), languages_.end(), lang);
  if (it == languages_.end()) {
    if (languages_.size() == 32) return 0;  // more languages than bits: do not restrict the surplus
    it = languages_.insert(languages_.end(), lang);
  }
  return std::uint32_t{1} << (it - languages_.begin());
}

std::uint32_t scheduler::language_mask(const interviewer& who) const {
  std::uint32_t mask = 0;
  for (const auto& lang : who.languages) {
    auto it = std::find(languages_.begin(), languages_.end(), lang);
    if (it != languages_.end()) mask |= std::uint32_t{1} << (it - languages_.begin());
  }
  return mask;
}

void scheduler::upsert(case_record&& c) {
  auto [it, fresh] = index_.try_emplace(c.id, hot_.size());
  const std::size_t i = it->second;
  if (fresh) {
    hot_.push_back({never, never, never});
    cold_.emplace_back();
  }
  auto& cold = cold_[i];
  cold.plan = plan_case(c, rules_, calendar_);
  const auto& p = cold.plan;
  auto& hot = hot_[i];
  hot.due = p.due;
  hot.last_call = p.last_call.value_or(never);
  hot.parts = p.parts;
  hot.language = language_bit(c.language);
  hot.attempts = p.attempts;
  hot.stage = p.stage;
  hot.new_day = p.new_day;
  hot.converters_only = p.converters_only;
  hot.personal = !p.arranger.empty();
  hot.assigned = !c.assigned_to.empty();
  cold.record = std::move(c);  // the lock (holder, lock_until) is not the source's business: kept
}

bool scheduler::may_call(std::size_t i, const interviewer& who) const {
  const auto& h = hot_[i];
  if (h.assigned) return cold_[i].record.assigned_to == who.id;
  return !h.converters_only || who.refusal_converter;
}

time_point scheduler::ready_at(std::size_t i, std::string_view who) const {
  const auto& h = hot_[i];
  if (h.personal && cold_[i].plan.arranger != who) return h.due + minutes{rules_.appointment_grace_minutes};
  return h.due;
}

bool scheduler::accepts(std::size_t i, const calendar::slot& s) const {
  const auto& h = hot_[i];
  if (!(h.parts & (std::uint32_t{1} << s.part))) return false;
  return !h.new_day || cold_[i].plan.accepts(s);
}

minutes scheduler::lock_span() const {
  // A lock of zero minutes would let two interviewers share a case.
  return minutes{std::max(1, rules_.case_lock_minutes)};
}

void scheduler::lock(std::size_t i, std::string_view who, time_point now) {
  auto& holder = cold_[i].holder;
  if (!holder.empty() && holder != who) {
    auto it = held_by_.find(holder);
    if (it != held_by_.end() && it->second == i) held_by_.erase(it);
  }
  holder = std::string(who);
  hot_[i].lock_until = now + lock_span();
  held_by_[holder] = i;
  if (sink_) sink_->push_back({cold_[i].record.id, holder, hot_[i].lock_until});
}

void scheduler::unlock(std::size_t i) {
  auto& holder = cold_[i].holder;
  auto it = held_by_.find(holder);
  if (it != held_by_.end() && it->second == i) held_by_.erase(it);
  holder.clear();
  hot_[i].lock_until = never;
  if (sink_) sink_->push_back({cold_[i].record.id, {}, {}});
}

void scheduler::release_held_by(std::string_view who) {
  auto it = held_by_.find(std::string(who));
  if (it != held_by_.end() && cold_[it->second].holder == who) unlock(it->second);
}

assignment scheduler::make_assignment(std::size_t i) const {
  const auto& p = cold_[i].plan;
  assignment a;
  a.id = cold_[i].record.id;
  a.kind = kind_of(p.stage);
  a.conversion = p.converters_only;
  a.attempts = p.attempts;
  a.appointment_at = p.appointment_at;
  a.spent = p.spent;
  a.lock_expires = hot_[i].lock_until;
  return a;
}

result<assignment, no_case> scheduler::next_case(const interviewer& who, time_point now) {
  release_held_by(who.id);
  switch (calendar_.window_at(now)) {
    case window_state::not_yet_open: return no_case{idle_reason::window_not_open, calendar_.next_calling_time(now)};
    case window_state::closed: return no_case{idle_reason::window_closed, std::nullopt};
    case window_state::open: break;
  }
  const calendar::slot* slot = calendar_.slot_at(now);
  if (!slot) {
    auto next = calendar_.next_calling_time(now);
    if (!next) return no_case{idle_reason::window_closed, std::nullopt};
    return no_case{idle_reason::outside_calling_hours, next};
  }

  refresh();
  const std::uint32_t languages = language_mask(who);
  std::optional<std::size_t> best;
  rank best_rank;
  bool any_left = false;
  waiting_.clear();

  for (std::size_t i = 0; i < hot_.size(); ++i) {
    const auto& h = hot_[i];
    if (h.stage == case_stage::finished) continue;
    if (h.language != 0 && !(h.language & languages)) continue;
    if ((h.assigned || h.converters_only) && !may_call(i, who)) continue;
    any_left = true;
    if (h.lock_until > now) continue;  // someone else's (ours was released above)
    if (ready_at(i, who.id) > now || !accepts(i, *slot)) {
      waiting_.push_back(i);
      continue;
    }
    // Cheap checks first: only due cases are put to the quota side.
    const auto verdict = quota_.assess(cold_[i].record);
    if (!verdict.dialable) continue;
    rank r;
    r.id = cold_[i].record.id;
    if (is_appointment(h.stage)) {
      r.not_own = h.personal && cold_[i].plan.arranger == who.id ? 0 : 1;
      r.when = h.due;
    } else {
      r.tier = 1;
      r.minus_priority = std::isfinite(verdict.priority) ? -verdict.priority : 0.0;
      r.attempts = h.attempts;
      r.when = h.last_call;
    }
    if (!best || r.key() < best_rank.key()) {
      best = i;
      best_rank = r;
    }
  }

  if (best) {
    lock(*best, who.id, now);
    return make_assignment(*best);
  }
  if (!any_left) return no_case{idle_reason::finished, std::nullopt};
  return no_case{idle_reason::nothing_due, next_due(waiting_, who, now)};
}

std::optional<time_point> scheduler::next_due(const std::vector<std::size_t>& waiting, const interviewer& who,
                                              time_point now) const {
  std::optional<time_point> soonest;
  for (std::size_t i : waiting) {
    auto t = calendar_.next_calling_time_if(std::max(now, ready_at(i, who.id)),
                                            [&](const calendar::slot& s) { return accepts(i, s); });
    if (t && (!soonest || *t < *soonest)) soonest = t;
  }
  return soonest;
}

result<time_point, hold_error> scheduler::hold(case_id id, const interviewer& who, time_point now) {
  refresh();
  auto it = index_.find(id);
  if (it == index_.end()) return hold_error::unknown_case;
  const std::size_t i = it->second;
  if (hot_[i].lock_until > now && cold_[i].holder != who.id) return hold_error::held_by_other;
  if (cold_[i].holder != who.id) release_held_by(who.id);
  lock(i, who.id, now);
  return hot_[i].lock_until;
}

bool scheduler::renew(case_id id, std::string_view who, time_point now) {
  auto it = index_.find(id);
  if (it == index_.end() || cold_[it->second].holder != who) return false;
  // The new expiry is rounded up to the whole minute, so that the many renewals of one minute (an
  // interviewer answers every few seconds) extend the lock once and only that one is persisted: the
  // lock never lapses sooner than case_lock_minutes after the last renewal, memory and file agree, and
  // the file is written at most once a minute per case instead of with every request.
  const time_point until = std::chrono::ceil<minutes>(now + lock_span());
  if (until <= hot_[it->second].lock_until) return true;  // held that long already, and persisted so
  hot_[it->second].lock_until = until;
  if (sink_) sink_->push_back({id, std::string(who), until});
  return true;
}

bool scheduler::restore_lock(case_id id, const std::string& holder, time_point until) {
  refresh();
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  const std::size_t i = it->second;
  auto* sink = std::exchange(sink_, nullptr);
  if (holder.empty()) {
    unlock(i);
  } else {
    lock(i, holder, until);
    hot_[i].lock_until = until;  // lock() counted from "now"; the persisted expiry is the truth
  }
  sink_ = sink;
  return true;
}

void scheduler::release(case_id id, std::string_view who) {
  auto it = index_.find(id);
  if (it != index_.end() && cold_[it->second].holder == who) unlock(it->second);
}

const case_plan* scheduler::plan(case_id id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &cold_[it->second].plan;
}

std::optional<case_id> scheduler::held_by(std::string_view who, time_point now) const {
  auto it = held_by_.find(std::string(who));
  if (it == held_by_.end() || cold_[it->second].holder != who || hot_[it->second].lock_until <= now)
    return std::nullopt;
  return cold_[it->second].record.id;
}

std::optional<std::string> scheduler::holder(case_id id, time_point now) const {
  auto it = index_.find(id);
  if (it == index_.end() || hot_[it->second].lock_until <= now) return std::nullopt;
  return cold_[it->second].holder;
}

}  // namespace cati::core
