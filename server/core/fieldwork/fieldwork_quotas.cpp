// Quotas in the fieldwork: leases taken at the quota point, renewed by activity and taken again after a
// lapse (or the interview ends over quota), supervisors' quota actions, and the sweep of expired leases.
#include <algorithm>

#include "core/fieldwork/fieldwork.hpp"
#include "core/fieldwork/fieldwork_rules.hpp"
#include "core/fieldwork/fieldwork_quota_priority.hpp"

namespace cati::core {

std::optional<std::string> fieldwork::retake_lease(live_interview& iv, time_point now, change_list& changes) {
  if (iv.state.status == interview_status::finished || !iv.state.quota_granted) return std::nullopt;
  if (book_.lease_of(iv.id)) {
    // Activity keeps the lease alive. The renewal goes to disk with the request like every quota event:
    // a restart must not bring back an earlier deadline.
    if (auto renewed = book_.renew(iv.id, now, options_.lease_ttl); renewed && !renewed->empty())
      changes.push_back(quota_changed{std::move(renewed).value()});
    return std::nullopt;
  }
  auto ans = book_.try_lease(iv.id, quota_values_of(*iv.state.quota_granted), now, options_.lease_ttl);
  if (!ans.events.empty()) changes.push_back(quota_changed{ans.events});
  priority_->stale();
  if (ans.granted) return std::nullopt;
  return ans.message();
}

bool fieldwork::ensure_lease(live_interview& iv, const user& who, time_point now, change_list& changes) {
  auto no_room = retake_lease(iv, now, changes);
  if (!no_room) return true;
  end_over_quota(iv, who, now, std::move(*no_room), changes);
  return false;
}

void fieldwork::end_over_quota(live_interview& iv, const user& who, time_point now, std::string why,
                               change_list& changes) {
  iv.state.status = interview_status::finished;
  iv.state.result = outcome::over_quota;
  iv.end_message = std::move(why);
  end_interview(iv, who, now, changes);
}

void fieldwork::follow_arrival(interview_id id, const std::string& question, const std::optional<value>& recorded,
                               const std::vector<dropped_answer>& dropped) {
  auto it = arrivals_.find(id);
  if (it == arrivals_.end()) return;
  auto& values = it->second;
  bool gone = std::any_of(dropped.begin(), dropped.end(), [&](const dropped_answer& d) { return values.contains(d.name); });
  if (auto v = values.find(question); v != values.end()) {
    if (recorded && !recorded->is_empty())
      v->second = recorded->to_string();
    else
      gone = true;  // asked and left unanswered: no value to place it by
  }
  if (gone) arrivals_.erase(it);
  priority_->stale();
}

void fieldwork::settle(live_interview& iv, step s, const user& who, time_point now, change_list& changes) {
  while (s.kind == step_kind::quota_check) {
    auto values = quota_values_of(s.quota_values);
    arrivals_[iv.id] = values;
    auto ans = book_.try_lease(iv.id, values, now, options_.lease_ttl);
    if (!ans.events.empty()) changes.push_back(quota_changed{ans.events});
    priority_->stale();
    auto next = engine_.quota_decision(iv.state, ans.granted, iv.language);
    if (!ans.granted) iv.end_message = ans.message();
    if (!next) break;  // cannot happen: the state was waiting for this decision
    log_rows(iv, who, now, {}, std::nullopt, next->dropped, changes);
    s = std::move(next).value();
  }
  if (s.kind == step_kind::finished) end_interview(iv, who, now, changes);
}

// --- supervisors -----------------------------------------------------------------------------------

effect<quota_cell_state> fieldwork::quota_action(const user& who, std::uint64_t request, quota_op op,
                                                 const cell_id& cell, int target, time_point now) {
  begin_request();
  effect<quota_cell_state> out{quota_cell_state{}, {}};
  if (auto no = refused(fieldwork_request::quota_action, who, std::nullopt, std::nullopt, now)) {
    out.reply = std::move(*no);
    return out;
  }
  const auto* before = book_.find(cell);
  if (!before) {
    out.reply = fault{fault_code::unknown, "no quota cell " + to_string(cell)};
    return out;
  }
  // What the request was, to tell its repeat from another request under the same id.
  const std::string what = std::to_string(static_cast<int>(op)) + " " + std::to_string(target) + " " + to_string(cell);
  if (const auto* earlier = earlier_request(who, request)) {
    if (earlier->kind != request_kind::quota_action || earlier->detail != what)
      out.reply = fault{fault_code::invalid_request,
                        "request id " + std::to_string(request) + " was used for another request"};
    else
      out.reply = *before;  // a resend: done already (not audited twice)
    return out;
  }
  const int old_target = before->target;
  result<quota_events, quota_error> done = quota_events{};
  std::string action, details = before->name;
  switch (op) {
    case quota_op::set_target:
      done = book_.set_target(cell, target);
      action = "quota_target";
      details += ": target " + std::to_string(old_target) + " -> " + std::to_string(target);
      break;
    case quota_op::close:
      done = book_.close(cell);
      action = "quota_close";
      details += ": closed";
      break;
    case quota_op::reopen:
      done = book_.reopen(cell);
      action = "quota_reopen";
      details += ": reopened";
      break;
  }
  if (!done) {
    out.reply = fault{fault_code::invalid_request, done.err().message};
    return out;
  }
  out.changes.push_back(quota_changed{std::move(done).value()});
  out.changes.push_back(audit_logged{now, who.id, action, details});
  log_request({who.id, request, request_kind::quota_action, 0, 0, outcome::unspecified, what, now}, out.changes);
  priority_->stale();
  out.reply = *book_.find(cell);
  return out;
}

std::vector<quota_row> fieldwork::quota_table() { return priority_->outlook().rows(); }

change_list fieldwork::tick(time_point now) {
  change_list changes;
  if (auto expired = book_.expire(now); !expired.empty()) {
    changes.push_back(quota_changed{std::move(expired)});
    priority_->stale();
  }
  return changes;
}

}  // namespace cati::core
