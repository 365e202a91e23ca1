#include "core/quota/quota_book.hpp"

#include "core/quota/margins.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace cati::core {

namespace {

quota_error definition_error(std::string message) {
  return quota_error{quota_errc::bad_definition, std::move(message)};
}

quota_error state_error(std::string message) { return quota_error{quota_errc::bad_state, std::move(message)}; }

// "region=VLA, s3_sector=1": variables and values side by side, as supervisors and interviewers read them.
std::string cell_name(const std::vector<std::string>& variables, const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < variables.size(); ++i) {
    if (i > 0) out += ", ";
    out += variables[i] + '=' + values[i];
  }
  return out;
}

// Whether `cell` agrees with every variable of its quota that `values` knows.
bool agrees(const quota_info& quota, const quota_cell_state& cell, const quota_values& values) {
  for (std::size_t v = 0; v < quota.variables.size(); ++v) {
    auto it = values.find(quota.variables[v]);
    if (it != values.end() && it->second != cell.id.values[v]) return false;
  }
  return true;
}

bool knows_all(const quota_info& quota, const quota_values& values) {
  return std::all_of(quota.variables.begin(), quota.variables.end(),
                     [&](const std::string& v) { return values.contains(v); });
}

std::vector<std::size_t> minus(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  std::vector<std::size_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void append(quota_events& to, quota_events from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

int quota_cell_state::room() const {
  if (!has_target()) return INT_MAX;
  return std::max(0, target - completes - in_progress);
}

std::string lease_answer::message() const {
  std::string out;
  for (const auto& r : refusals) {
    if (!out.empty()) out += "; ";
    out += r.message;
  }
  return out;
}

// --- building ---

result<quota_book, quota_error> quota_book::build(const questionnaire& study) {
  std::vector<std::string> frame;
  frame.reserve(study.frame.size());
  for (const auto& f : study.frame) frame.push_back(f.name);
  auto book = build(study.quotas, frame);
  if (book) book.value().study_target_ = study.target_completes;
  return book;
}

result<quota_book, quota_error> quota_book::build(std::span<const quota> quotas,
                                                  std::span<const std::string> frame_variables) {
  quota_book book;
  for (const quota& q : quotas) {
    const std::string where = "quota '" + q.name + "'";
    if (q.name.empty()) return definition_error("a quota has no name");
    if (std::any_of(book.quotas_.begin(), book.quotas_.end(), [&](const quota_info& o) { return o.name == q.name; }))
      return definition_error(where + " is defined twice");
    if (q.variables.empty()) return definition_error(where + " has no variables");
    for (std::size_t v = 0; v < q.variables.size(); ++v)
      if (std::find(q.variables.begin(), q.variables.begin() + static_cast<std::ptrdiff_t>(v), q.variables[v]) !=
          q.variables.begin() + static_cast<std::ptrdiff_t>(v))
        return definition_error(where + " names variable '" + q.variables[v] + "' twice");

    quota_info info{q.name, q.variables, {}, book.cells_.size(), q.cells.size()};
    for (const auto& v : q.variables)
      info.frame.push_back(std::find(frame_variables.begin(), frame_variables.end(), v) != frame_variables.end());
    const bool answer_based = std::find(info.frame.begin(), info.frame.end(), false) != info.frame.end();

    for (std::size_t i = 0; i < q.cells.size(); ++i) {
      const quota_cell& c = q.cells[i];
      const std::string cell_where = where + ", cell " + std::to_string(i + 1);
      if (c.values.size() != q.variables.size())
        return definition_error(cell_where + ": " + std::to_string(c.values.size()) + " values for " +
                                std::to_string(q.variables.size()) + " variables");
      const std::string name = cell_name(q.variables, c.values);
      for (std::size_t j = info.first_cell; j < book.cells_.size(); ++j)
        if (book.cells_[j].id.values == c.values) return definition_error(where + ": cell " + name + " is defined twice");
      if (c.policy != cell_policy::count_only && c.target < 0)
        return definition_error(cell_where + " (" + name + "): negative target " + std::to_string(c.target));
      book.cells_.push_back(quota_cell_state{cell_id{q.name, c.values}, name, c.label, book.quotas_.size(), c.policy,
                                             answer_based, c.target, 0, 0, false});
    }
    book.quotas_.push_back(std::move(info));
  }
  return book;
}

result<quota_book, quota_error> quota_book::restore(quota_book book, const quota_state& state) {
  assert(book.leases_.empty() && "restore() takes a book fresh from build()");
  for (const auto& [id, record] : state.cells) {
    auto i = book.index_of(id);
    if (!i) return state_error("the persisted quota state has cell " + to_string(id) + ", which the study does not define");
    if (record.target < 0 || record.completes < 0)
      return state_error("the persisted quota state has negative counts for cell " + to_string(id));
    auto& cell = book.cells_[*i];
    cell.target = record.target;
    cell.completes = record.completes;
    cell.closed = record.closed;
  }
  for (const auto& [interview, record] : state.leases) {
    std::vector<std::size_t> cells;
    for (const auto& id : record.cells) {
      auto i = book.index_of(id);
      if (!i)
        return state_error("the persisted lease of interview " + std::to_string(interview) + " names cell " +
                           to_string(id) + ", which the study does not define");
      cells.push_back(*i);
    }
    std::sort(cells.begin(), cells.end());
    for (std::size_t k = 1; k < cells.size(); ++k)
      if (book.cells_[cells[k]].quota == book.cells_[cells[k - 1]].quota)
        return state_error("the persisted lease of interview " + std::to_string(interview) +
                           " holds two cells of quota '" + book.quotas_[book.cells_[cells[k]].quota].name + "'");
    book.hold(interview, std::move(cells), record.deadline);
  }
  return book;
}

// --- placing ---

std::vector<std::vector<std::size_t>> quota_book::candidates(const quota_values& values) const {
  std::vector<std::vector<std::size_t>> out(quotas_.size());
  for (std::size_t q = 0; q < quotas_.size(); ++q) {
    const auto& quota = quotas_[q];
    for (std::size_t c = quota.first_cell; c < quota.first_cell + quota.cell_count; ++c)
      if (agrees(quota, cells_[c], values)) out[q].push_back(c);
  }
  return out;
}

std::vector<std::size_t> quota_book::place(const quota_values& values) const {
  std::vector<std::size_t> out;
  auto possible = candidates(values);
  for (std::size_t q = 0; q < quotas_.size(); ++q) {
    // With every variable known, at most one cell agrees: build() refuses duplicate cells.
    if (knows_all(quotas_[q], values) && !possible[q].empty()) out.push_back(possible[q].front());
  }
  return out;
}

std::vector<cell_id> quota_book::cells_for(const quota_values& values) const { return ids(place(values)); }

bool quota_book::dialable(const quota_values& frame_values) const {
  for (const auto& possible : candidates(frame_values)) {
    if (!possible.empty() &&
        std::none_of(possible.begin(), possible.end(), [&](std::size_t c) { return cells_[c].takes_new(); }))
      return false;
  }
  return true;
}

// --- interviews ---

lease_answer quota_book::try_lease(interview_id interview, const quota_values& values, time_point now,
                                   milliseconds lease_ttl) {
  assert(lease_ttl > milliseconds::zero());
  lease_answer answer;
  // Sweep first: a lease that has run out must not hold a place this interview could have.
  answer.events = expire(now);
  const auto wanted = place(values);
  answer.cells = ids(wanted);

  auto it = leases_.find(interview);
  const std::vector<std::size_t> none;
  const auto& held = it == leases_.end() ? none : it->second.cells;
  const auto added = minus(wanted, held);
  const auto dropped = minus(held, wanted);

  // Cells already held keep their place without a check: the interview is in progress there.
  for (std::size_t c : added)
    if (!cells_[c].takes_new()) answer.refusals.push_back(refusal(c));
  if (!answer.refusals.empty()) return answer;

  answer.granted = true;
  const time_point deadline = now + lease_ttl;
  if (it == leases_.end()) {
    hold(interview, wanted, deadline);
    answer.events.push_back(lease_taken{interview, answer.cells, deadline});
  } else if (added.empty() && dropped.empty()) {
    append(answer.events, extend(interview, it->second, deadline));
  } else {
    for (std::size_t c : dropped) --cells_[c].in_progress;
    for (std::size_t c : added) ++cells_[c].in_progress;
    it->second.cells = wanted;
    set_deadline(interview, it->second, std::max(it->second.deadline, deadline));
    answer.events.push_back(lease_moved{interview, ids(dropped), ids(added), it->second.deadline});
  }
  answer.deadline = leases_.at(interview).deadline;
  return answer;
}

result<quota_events, quota_error> quota_book::complete(interview_id interview) {
  auto it = leases_.find(interview);
  if (it == leases_.end())
    return quota_error{quota_errc::no_lease, "interview " + std::to_string(interview) +
                                                 " holds no quota lease (never taken, or released, completed or expired)"};
  for (std::size_t c : it->second.cells) ++cells_[c].completes;
  quota_events events{lease_completed{interview, ids(it->second.cells)}};
  drop(it);
  return events;
}

quota_events quota_book::release(interview_id interview) {
  auto it = leases_.find(interview);
  if (it == leases_.end()) return {};
  quota_events events{lease_released{interview, ids(it->second.cells)}};
  drop(it);
  return events;
}

result<quota_events, quota_error> quota_book::renew(interview_id interview, time_point now, milliseconds lease_ttl) {
  assert(lease_ttl > milliseconds::zero());
  auto it = leases_.find(interview);
  if (it == leases_.end())
    return quota_error{quota_errc::no_lease, "interview " + std::to_string(interview) +
                                                 " holds no quota lease to renew (released, completed or expired)"};
  return extend(interview, it->second, now + lease_ttl);
}

quota_events quota_book::expire(time_point now) {
  quota_events events;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const auto [deadline, interview] = *deadlines_.begin();
    auto it = leases_.find(interview);
    assert(it != leases_.end());
    events.push_back(lease_expired{interview, ids(it->second.cells), deadline});
    drop(it);
  }
  return events;
}

// --- supervisor actions ---

result<quota_events, quota_error> quota_book::set_target(const cell_id& id, int target) {
  auto i = supervised_cell(id);
  if (!i) return i.err();
  auto& cell = cells_[*i];
  const auto said = [&](quota_errc code, const std::string& why) {
    return quota_error{code, display_name(cell) + ": " + why};
  };
  if (!cell.has_target()) return said(quota_errc::no_target, "a count-only cell has no target");
  if (target < 0) return said(quota_errc::negative_target, "a target cannot be negative (" + std::to_string(target) + ")");
  if (target < cell.completes)
    return said(quota_errc::target_below_completes, "target " + std::to_string(target) + " is below the " +
                                                        std::to_string(cell.completes) + " completes");
  if (cell.policy == cell_policy::normal && target < cell.completes + cell.in_progress)
    return said(quota_errc::target_below_in_progress,
                "target " + std::to_string(target) + " is below the " + std::to_string(cell.completes) +
                    " completes plus " + std::to_string(cell.in_progress) +
                    " interviews in progress; close the cell to stop new interviews and lower the target once "
                    "they have ended");
  if (auto why = cell_target_problem(target, study_target_)) return said(quota_errc::target_above_study, *why);
  if (target == cell.target) return quota_events{};
  const int from = cell.target;
  cell.target = target;
  return quota_events{target_changed{cell.id, from, target}};
}

result<quota_events, quota_error> quota_book::close(const cell_id& id) {
  auto i = supervised_cell(id);
  if (!i) return i.err();
  if (cells_[*i].closed) return quota_events{};
  cells_[*i].closed = true;
  return quota_events{cell_closed{id}};
}

result<quota_events, quota_error> quota_book::reopen(const cell_id& id) {
  auto i = supervised_cell(id);
  if (!i) return i.err();
  if (!cells_[*i].closed) return quota_events{};
  cells_[*i].closed = false;
  return quota_events{cell_reopened{id}};
}

// --- reading ---

const quota_cell_state* quota_book::find(const cell_id& cell) const {
  auto i = index_of(cell);
  return i ? &cells_[*i] : nullptr;
}

std::optional<std::pair<std::vector<cell_id>, time_point>> quota_book::lease_of(interview_id interview) const {
  auto it = leases_.find(interview);
  if (it == leases_.end()) return std::nullopt;
  return std::pair{ids(it->second.cells), it->second.deadline};
}

quota_state quota_book::state() const {
  quota_state out;
  for (const auto& c : cells_) out.cells.emplace(c.id, cell_record{c.target, c.completes, c.closed});
  for (const auto& [interview, held] : leases_) {
    auto cells = ids(held.cells);
    out.leases.emplace(interview, lease_record{{cells.begin(), cells.end()}, held.deadline});
  }
  return out;
}

// --- private ---

std::optional<std::size_t> quota_book::index_of(const cell_id& cell) const {
  auto it = std::find_if(cells_.begin(), cells_.end(), [&](const quota_cell_state& c) { return c.id == cell; });
  if (it == cells_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - cells_.begin());
}

std::string quota_book::display_name(const quota_cell_state& cell) {
  std::string out = cell.id.quota + "=";
  for (std::size_t i = 0; i < cell.id.values.size(); ++i) out += (i == 0 ? "" : "/") + cell.id.values[i];
  if (!cell.label.empty()) out += " (" + cell.label + ")";
  return out;
}

std::optional<std::string> quota_book::margin_warning(const cell_id& id) const {
  auto i = index_of(id);
  if (!i) return std::nullopt;
  const quota_info& q = quotas_[cells_[*i].quota];
  long long sum = 0;
  for (std::size_t c = q.first_cell; c < q.first_cell + q.cell_count; ++c) {
    if (!cells_[c].has_target()) return std::nullopt;  // a count-only cell: the margins need not add up
    sum += cells_[c].target;
  }
  if (auto why = margin_problem(sum, study_target_)) return "quota '" + q.name + "': " + *why;
  return std::nullopt;
}

result<std::size_t, quota_error> quota_book::supervised_cell(const cell_id& cell) const {
  auto i = index_of(cell);
  if (!i) return quota_error{quota_errc::unknown_cell, "the study has no quota cell " + to_string(cell)};
  return *i;
}

std::vector<cell_id> quota_book::ids(std::span<const std::size_t> cells) const {
  std::vector<cell_id> out;
  out.reserve(cells.size());
  for (std::size_t c : cells) out.push_back(cells_[c].id);
  return out;
}

lease_refusal quota_book::refusal(std::size_t c) const {
  const auto& cell = cells_[c];
  lease_refusal r{cell.id, cell.closed ? refusal_reason::closed : refusal_reason::full, cell.target, cell.completes,
                  cell.in_progress, {}};
  const std::string done = cell.has_target()
                               ? std::to_string(cell.completes) + " of " + std::to_string(cell.target) + " completed"
                               : std::to_string(cell.completes) + " completed";
  r.message = cell.name + ": " + (cell.closed ? "closed" : "full") + " (" + done + ", " +
              std::to_string(cell.in_progress) + " in progress)";
  return r;
}

void quota_book::hold(interview_id interview, std::vector<std::size_t> cells, time_point deadline) {
  for (std::size_t c : cells) ++cells_[c].in_progress;
  leases_.emplace(interview, lease{std::move(cells), deadline});
  deadlines_.emplace(deadline, interview);
}

void quota_book::drop(std::map<interview_id, lease>::iterator it) {
  for (std::size_t c : it->second.cells) --cells_[c].in_progress;
  deadlines_.erase({it->second.deadline, it->first});
  leases_.erase(it);
}

void quota_book::set_deadline(interview_id interview, lease& held, time_point deadline) {
  deadlines_.erase({held.deadline, interview});
  held.deadline = deadline;
  deadlines_.emplace(deadline, interview);
}

quota_events quota_book::extend(interview_id interview, lease& held, time_point deadline) {
  if (deadline <= held.deadline) return {};
  set_deadline(interview, held, deadline);
  return quota_events{lease_renewed{interview, deadline}};
}

}  // namespace cati::core
