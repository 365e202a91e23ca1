#include "core/calling/case_source.hpp"

#include <algorithm>

namespace cati::core {

void memory_case_source::put(case_record c) {
  auto [it, fresh] = index_.try_emplace(c.id, cases_.size());
  if (fresh) {
    cases_.push_back(std::move(c));
    changed_at_.push_back(0);
  } else {
    cases_[it->second] = std::move(c);
  }
  changed_at_[it->second] = ++revision_;
  log_.emplace_back(revision_, it->second);
}

case_record* memory_case_source::touch(case_id id) {
  auto it = index_.find(id);
  if (it == index_.end()) return nullptr;
  changed_at_[it->second] = ++revision_;
  log_.emplace_back(revision_, it->second);
  return &cases_[it->second];
}

bool memory_case_source::record_call(case_id id, call_attempt call) {
  case_record* c = touch(id);
  if (!c) return false;
  // Keep the history in time order even if a late report arrives out of order.
  auto pos = std::upper_bound(c->calls.begin(), c->calls.end(), call.at,
                              [](time_point t, const call_attempt& a) { return t < a.at; });
  c->calls.insert(pos, std::move(call));
  return true;
}

bool memory_case_source::agree_callback(case_id id, time_point call_at, appointment callback) {
  case_record* c = touch(id);
  if (!c) return false;
  for (auto it = c->calls.rbegin(); it != c->calls.rend(); ++it)
    if (it->at == call_at) {
      it->callback = callback;
      return true;
    }
  return false;
}

bool memory_case_source::assign(case_id id, std::string interviewer) {
  case_record* c = touch(id);
  if (!c) return false;
  c->assigned_to = std::move(interviewer);
  return true;
}

const case_record* memory_case_source::find(case_id id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &cases_[it->second];
}

case_changes memory_case_source::changes_since(std::uint64_t since) const {
  case_changes out;
  out.revision = revision_;
  auto first = std::partition_point(log_.begin(), log_.end(), [&](const auto& e) { return e.first <= since; });
  for (auto it = first; it != log_.end(); ++it)
    if (changed_at_[it->second] == it->first) out.cases.push_back(cases_[it->second]);  // its latest change only
  return out;
}

}  // namespace cati::core
