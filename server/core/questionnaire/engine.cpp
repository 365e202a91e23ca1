// Routing, going back, endings and the quota point. Answers are parsed and checked in
// engine_answer.cpp, screens rendered in engine_render.cpp, saved states replayed in engine_restore.cpp.
#include "core/questionnaire/engine.hpp"

#include <algorithm>
#include <cassert>

#include "core/questionnaire/engine_context.hpp"

namespace cati::core {
namespace {

// Whether an answer picks `code` (a single-choice code or one of a selection).
bool selects(const value& answer, std::int64_t code) {
  if (answer.is_number()) return answer.number() == static_cast<double>(code);
  if (answer.is_selection()) return answer.selected().contains(code);
  return false;
}

}  // namespace

engine::engine(std::shared_ptr<const questionnaire> study) : study_(std::move(study)) {
  assert(study_);
  const auto& questions = study_->questions;
  const std::size_t n = questions.size();
  for (std::size_t i = 0; i < n; ++i) index_.emplace(questions[i].name, i);
  for (const auto& f : study_->frame) frame_types_.emplace(f.name, f.type);

  // Who reads whom: direct[j] lists the questions whose relevance reads question j.
  std::vector<std::vector<std::size_t>> direct(n);
  specify_parent_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const question& q = questions[i];
    if (!q.specify_of.empty()) {
      specify_parent_[i] = question_index(q.specify_of);
      if (specify_parent_[i]) direct[*specify_parent_[i]].push_back(i);
    }
    for (const auto& name : q.relevant.references())
      if (auto j = question_index(name); j && *j != i) direct[*j].push_back(i);
  }
  // Precomputed closures, so that a changed answer re-evaluates only what can change.
  dependents_.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    std::vector<bool> seen(n, false);
    std::vector<std::size_t> pending = direct[j];
    while (!pending.empty()) {
      const std::size_t i = pending.back();
      pending.pop_back();
      if (i == j || seen[i]) continue;
      seen[i] = true;
      pending.insert(pending.end(), direct[i].begin(), direct[i].end());
    }
    for (std::size_t i = 0; i < n; ++i)
      if (seen[i]) dependents_[j].push_back(i);
  }

  for (const auto& q : study_->quotas)
    for (const auto& v : q.variables)
      if (std::find(quota_variables_.begin(), quota_variables_.end(), v) == quota_variables_.end())
        quota_variables_.push_back(v);
  if (!study_->quota_check_after.empty()) quota_point_ = question_index(study_->quota_check_after);
}

std::optional<std::size_t> engine::question_index(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

interview_state engine::start(frame_values frame, std::uint64_t seed) const {
  interview_state state;
  state.frame = std::move(frame);
  state.seed = seed;
  step ignored;
  move_to(state, first_relevant(state, 0), ignored);
  return state;
}

bool engine::is_relevant(const interview_state& state, std::size_t i) const {
  const question& q = study_->questions[i];
  if (const auto& parent = specify_parent_[i]) {
    auto it = state.answers.find(study_->questions[*parent].name);
    if (it == state.answers.end() || !selects(it->second, q.specify_code)) return false;
  }
  return q.relevant.is_empty() || q.relevant.evaluate(context(*this, state)).truthy();
}

std::size_t engine::first_relevant(const interview_state& state, std::size_t from) const {
  const std::size_t n = study_->questions.size();
  for (std::size_t i = from; i < n; ++i)
    if (is_relevant(state, i)) return i;
  return n;
}

std::optional<std::size_t> engine::previous_relevant(const interview_state& state, std::size_t before) const {
  for (std::size_t i = before; i-- > 0;)
    if (is_relevant(state, i)) return i;
  return std::nullopt;
}

std::vector<std::size_t> engine::path(const interview_state& state) const {
  const std::size_t n = study_->questions.size();
  // While a question is on screen it is not on the path yet; once answered (quota check, ending) it is.
  const std::size_t end = state.status == interview_status::in_progress ? state.current
                                                                        : std::min(state.current + 1, n);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < end; ++i)
    if (is_relevant(state, i)) out.push_back(i);
  return out;
}

void engine::drop_irrelevant(interview_state& state, std::size_t changed,
                             std::vector<dropped_answer>& dropped) const {
  // Dropping one answer can make another question irrelevant; dependents_ is transitive and in
  // questionnaire order, so one pass settles backward references; a forward reference may need another.
  for (bool again = true; again;) {
    again = false;
    for (std::size_t d : dependents_[changed]) {
      auto it = state.answers.find(study_->questions[d].name);
      if (it == state.answers.end() || is_relevant(state, d)) continue;
      dropped.push_back({it->first, std::move(it->second)});
      state.answers.erase(it);
      again = true;
    }
  }
}

void engine::drop_after(interview_state& state, std::size_t last, std::vector<dropped_answer>& dropped) const {
  for (std::size_t i = last + 1; i < study_->questions.size(); ++i) {
    auto it = state.answers.find(study_->questions[i].name);
    if (it == state.answers.end()) continue;
    dropped.push_back({it->first, std::move(it->second)});
    state.answers.erase(it);
  }
}

result<step> engine::answer_value(interview_state& state, value answer, std::string_view lang) const {
  if (state.status != interview_status::in_progress) return error{"the interview is not waiting for an answer"};
  const std::size_t k = state.current;
  const question& q = study_->questions[k];
  // An empty selection is no answer at all: keep "unanswered" one thing.
  if (answer.is_selection() && answer.selected().codes.empty()) answer = value{};
  if (auto checked = check_value(q, answer, state, lang); !checked) return checked.err();

  std::vector<dropped_answer> dropped;
  if (q.type != question_type::note) {
    auto [it, inserted] = state.answers.try_emplace(q.name);
    const bool changed = inserted || it->second != answer;
    it->second = std::move(answer);
    if (changed) drop_irrelevant(state, k, dropped);
  }

  for (std::size_t r = 0; r < q.screen_outs.size(); ++r) {
    const auto& rule = q.screen_outs[r];
    if (rule.condition.is_empty() || !rule.condition.evaluate(context(*this, state)).truthy()) continue;
    step s;
    s.dropped = std::move(dropped);
    drop_after(state, k, s.dropped);
    finish(state, rule.result, r, s, lang);
    return s;
  }
  return advance(state, std::move(dropped));
}

step engine::advance(interview_state& state, std::vector<dropped_answer> dropped) const {
  step s;
  s.dropped = std::move(dropped);
  const std::size_t next = first_relevant(state, state.current + 1);
  // Moving past the quota point needs a lease for the current quota values; an unchanged grant holds.
  if (quota_point_ && next > *quota_point_) {
    auto values = quota_values(state);
    if (!state.quota_granted || *state.quota_granted != values) {
      state.status = interview_status::quota_check;
      s.kind = step_kind::quota_check;
      s.quota_values = std::move(values);
      return s;
    }
  }
  move_to(state, next, s);
  return s;
}

void engine::move_to(interview_state& state, std::size_t next, step& s) const {
  if (next >= study_->questions.size()) {
    state.current = study_->questions.size();
    finish(state, outcome::complete, std::nullopt, s, {});
    return;
  }
  state.current = next;
  state.status = interview_status::in_progress;
  s.kind = step_kind::next_screen;
}

void engine::finish(interview_state& state, outcome result, std::optional<std::size_t> rule, step& s,
                    std::string_view lang) const {
  state.status = interview_status::finished;
  state.result = result;
  state.screen_out_rule = rule;
  s.kind = step_kind::finished;
  s.result = result;
  s.message = end_message(state, lang);
}

result<step> engine::back(interview_state& state) const {
  if (state.status == interview_status::quota_check) return error{"the quota check is still pending"};
  if (state.status == interview_status::finished) return error{"the interview has ended"};
  auto previous = previous_relevant(state, state.current);
  if (!previous) return error{"already at the first question"};
  state.current = *previous;
  return step{};
}

result<step> engine::quota_decision(interview_state& state, bool granted, std::string_view lang) const {
  if (state.status != interview_status::quota_check) return error{"no quota check is pending"};
  step s;
  if (granted) {
    state.quota_granted = quota_values(state);
    move_to(state, first_relevant(state, state.current + 1), s);
  } else {
    drop_after(state, state.current, s.dropped);
    finish(state, outcome::over_quota, std::nullopt, s, lang);
  }
  return s;
}

std::vector<quota_value> engine::quota_values(const interview_state& state) const {
  std::vector<quota_value> out;
  out.reserve(quota_variables_.size());
  for (const auto& name : quota_variables_) {
    quota_value qv{name, {}};
    if (question_index(name)) {
      if (auto it = state.answers.find(name); it != state.answers.end()) qv.value = it->second.to_string();
    } else if (auto it = state.frame.find(name); it != state.frame.end()) {
      qv.value = it->second;
    }
    out.push_back(std::move(qv));
  }
  return out;
}

std::vector<quota_cell_ref> engine::matching_cells(const std::vector<quota_value>& values) const {
  auto value_of = [&](const std::string& variable) -> const std::string* {
    auto it = std::find_if(values.begin(), values.end(), [&](const quota_value& v) { return v.variable == variable; });
    return it == values.end() ? nullptr : &it->value;
  };
  std::vector<quota_cell_ref> out;
  const auto& quotas = study_->quotas;
  for (std::size_t qi = 0; qi < quotas.size(); ++qi) {
    const auto& vars = quotas[qi].variables;
    for (std::size_t ci = 0; ci < quotas[qi].cells.size(); ++ci) {
      const auto& cell = quotas[qi].cells[ci];
      bool match = cell.values.size() == vars.size();
      for (std::size_t v = 0; match && v < vars.size(); ++v) {
        const std::string* actual = value_of(vars[v]);
        match = actual && *actual == cell.values[v];
      }
      if (match) out.push_back({qi, ci});
    }
  }
  return out;
}

saved_interview engine::save(const interview_state& state) const {
  saved_interview out;
  for (const auto& q : study_->questions)
    if (auto it = state.answers.find(q.name); it != state.answers.end())
      out.answers.emplace_back(q.name, it->second.to_string());
  if (state.current < study_->questions.size()) out.current = study_->questions[state.current].name;
  out.status = state.status;
  out.result = state.result;
  out.quota_granted = state.quota_granted;
  return out;
}

}  // namespace cati::core
