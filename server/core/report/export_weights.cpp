#include "core/report/export_weights.hpp"

#include <algorithm>

#include "core/quota/quota_book.hpp"

namespace cati::core {

std::string cell_key(const std::vector<std::string>& values) {
  std::string key;
  for (std::size_t i = 0; i < values.size(); ++i) key += (i ? "," : "") + values[i];
  return key;
}

result<quota_weighting> quota_margins(const questionnaire& study, std::span<const export_respondent> respondents) {
  if (study.quotas.empty()) return error{"the study has no quotas, so there are no margins to weight to"};
  auto book = quota_book::build(study);
  if (!book) return error{"quotas: " + book.err().message};
  quota_weighting w;
  for (const auto& q : study.quotas) {
    rake_margin m;
    m.name = q.name;
    for (const auto& c : q.cells) {
      m.categories.push_back(cell_key(c.values));
      m.targets.push_back(static_cast<double>(c.target));
    }
    w.margins.push_back(std::move(m));
  }
  for (const auto& r : respondents) {
    const auto cells = book->cells_for(quota_values_of(study, r.frame, r.answers));
    std::vector<std::string> row;
    for (const auto& q : study.quotas) {
      auto it = std::find_if(cells.begin(), cells.end(), [&](const cell_id& c) { return c.quota == q.name; });
      if (it == cells.end())
        return error{"respondent " + r.respondent_id + " falls in no cell of quota '" + q.name +
                     "' (a value outside every cell, or a quota question left unanswered): it cannot be weighted"};
      row.push_back(cell_key(it->values));
    }
    w.membership.push_back(std::move(row));
  }
  return w;
}

}  // namespace cati::core
