#include "core/quota/quota_outlook.hpp"

#include <algorithm>
#include <array>

namespace cati::core {

std::string_view to_string(reachability r) {
  static constexpr std::array<std::string_view, 6> names = {"no target", "reached", "on track",
                                                            "at risk",   "impossible", "unknown"};
  return names[static_cast<std::size_t>(r)];
}

std::vector<std::string> quota_frame_variables(const quota_book& book) {
  std::vector<std::string> out;
  for (const auto& q : book.quotas())
    for (std::size_t v = 0; v < q.variables.size(); ++v)
      if (q.frame[v] && std::find(out.begin(), out.end(), q.variables[v]) == out.end()) out.push_back(q.variables[v]);
  return out;
}

namespace {

// Whether two cells of `quota` have the same values for its frame variables: the cells a case known
// only by its frame values could fall in together.
bool same_frame_values(const quota_info& quota, const quota_cell_state& a, const quota_cell_state& b) {
  for (std::size_t v = 0; v < quota.variables.size(); ++v)
    if (quota.frame[v] && a.id.values[v] != b.id.values[v]) return false;
  return true;
}

reachability reach_of(const quota_row& row, const outlook_input& input, int need) {
  const auto& cell = row.cell;
  if (!cell.has_target()) return reachability::no_target;
  if (cell.completes >= cell.target) return reachability::reached;
  if (need == 0) return reachability::on_track;
  if (need > row.sample_left) return reachability::impossible;
  if (!row.expected_completes || (cell.answer_based && row.share_basis < input.min_share_basis))
    return reachability::unknown;
  return *row.expected_completes >= need ? reachability::on_track : reachability::at_risk;
}

}  // namespace

quota_outlook::quota_outlook(const quota_book& book, const outlook_input& input) : book_(&book) {
  for (const auto& q : book.quotas())
    for (const auto& v : q.variables)
      if (std::find(variables_.begin(), variables_.end(), v) == variables_.end()) variables_.push_back(v);

  const auto& cells = book.cells();
  rows_.resize(cells.size());
  weight_.resize(cells.size());

  std::vector<int> seen(cells.size());
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (input.arrivals.empty()) {
      seen[c] = cells[c].completes + cells[c].in_progress;
    } else if (auto it = input.arrivals.find(cells[c].id); it != input.arrivals.end()) {
      seen[c] = it->second;
    }
    weight_[c] = seen[c] + 1.0;
  }

  for (const auto& group : input.sample_left) {
    for (const auto& possible : book.candidates(group.frame_values))
      for (std::size_t c : possible) rows_[c].sample_left += group.cases;
  }

  for (std::size_t c = 0; c < cells.size(); ++c) {
    const auto& cell = cells[c];
    const auto& quota = book.quotas()[cell.quota];
    auto& row = rows_[c];
    row.cell = cell;
    row.left = cell.has_target() ? std::max(0, cell.target - cell.completes) : 0;

    double group_weight = 0;
    for (std::size_t s = quota.first_cell; s < quota.first_cell + quota.cell_count; ++s) {
      if (!same_frame_values(quota, cell, cells[s])) continue;
      group_weight += weight_[s];
      row.share_basis += seen[s];
    }
    row.share = weight_[c] / group_weight;  // 1 for frame-only cells: their group is themselves
    row.expected_cases = row.sample_left * row.share;
    if (input.completes_per_case > 0) row.expected_completes = row.expected_cases * input.completes_per_case;

    const int need = cell.has_target() ? cell.room() : 0;
    if (!cell.closed) row.priority = need / std::max(row.expected_cases, 1.0);
    row.reach = reach_of(row, input, need);
  }
}

case_priority quota_outlook::priority(const quota_values& frame_values) const {
  // Values of variables no quota uses (language, size, ...) cannot change the answer: leave them out of
  // the key so that all cases of a frame cell share one entry.
  quota_values key;
  for (const auto& v : variables_)
    if (auto it = frame_values.find(v); it != frame_values.end()) key.emplace(it->first, it->second);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  return cache_.emplace(key, compute(key)).first->second;
}

case_priority quota_outlook::compute(const quota_values& frame_values) const {
  case_priority out;
  for (const auto& possible : book_->candidates(frame_values)) {
    if (possible.empty()) continue;
    double total = 0;
    double weighted = 0;
    bool open = false;
    for (std::size_t c : possible) {
      total += weight_[c];
      weighted += weight_[c] * rows_[c].priority;
      open = open || rows_[c].cell.takes_new();
    }
    if (!open) return case_priority{false, 0};
    out.score += weighted / total;
  }
  return out;
}

}  // namespace cati::core
