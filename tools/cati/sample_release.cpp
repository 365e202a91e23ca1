#include "sample_release.hpp"

#include <map>
#include <stdexcept>

#include "core/sample/replicate_progress.hpp"
#include "core/quota/quota_book.hpp"
#include "core/quota/quota_outlook.hpp"
#include "core/sample/replicates.hpp"
#include "fieldwork_read.hpp"
#include "store/case_repo.hpp"
#include "store/sql/sql.hpp"
#include "store/fieldwork_store.hpp"

namespace cati::tool {

split_result split_replicates(const std::filesystem::path& db, const core::questionnaire& study, int count,
                              std::uint64_t seed) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  auto book = core::quota_book::build(study);
  if (!book) throw std::runtime_error("quotas: " + book.err().message);
  split_result out;
  out.stratified = core::quota_frame_variables(*book);
  const auto cases = fieldwork.read([](store::sql::connection& d) { return store::unsplit_cases(d); });
  std::vector<core::stratified_case> strata;
  for (const auto& c : cases) strata.push_back({c.id, core::stratum_of(c, out.stratified)});
  auto assigned = core::assign_replicates(strata, count, seed);
  if (!assigned) throw std::runtime_error("--replicates: " + assigned.err().message);
  std::map<store::row_id, int> by_case(assigned->begin(), assigned->end());
  fieldwork.submit([&](store::sql::connection& d) { store::set_replicates(d, by_case); }).get();
  out.cases = static_cast<int>(cases.size());
  return out;
}

int release_replicate(const std::filesystem::path& db, std::optional<int> which, core::time_point at) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  int replicate = which.value_or(0);
  if (!which) {
    const auto status = fieldwork.read([](store::sql::connection& d) { return store::replicates(d); });
    for (const auto& r : status)
      if (!r.released()) {
        replicate = r.replicate;
        break;
      }
    if (replicate == 0) throw std::runtime_error("--next: every replicate is released already");
  }
  fieldwork.submit([&](store::sql::connection& d) { store::release_replicate(d, replicate, at, std::nullopt); }).get();
  return replicate;
}

std::vector<replicate_progress> replicate_progress_of(const std::filesystem::path& db, const core::questionnaire& study) {
  std::vector<store::replicate_status> status;
  {
    // Read-only: `cati quota` and the simulation's report read a file they must not change or migrate.
    store::fieldwork_store fieldwork({.path = db, .create = false, .read_only = true});
    status = fieldwork.read([](store::sql::connection& d) { return store::replicates(d); });
  }
  // read_fieldwork hands over released cases only: the rows of released replicates.
  const auto fw = read_fieldwork(db.string(), study);
  auto cal = core::calendar::make(study);
  if (!cal) throw std::runtime_error("study: " + cal.err().message);
  std::map<int, core::replicate_row> rows;
  for (const auto& r : core::replicate_rows(fw.cases, study.rules, *cal)) rows[r.replicate] = r;
  std::vector<replicate_progress> out;
  for (const auto& r : status) {
    replicate_progress p;
    p.replicate = r.replicate;
    p.cases = r.cases;
    p.released_at = r.released_at;
    p.released = r.released();
    const auto& row = rows[r.replicate];
    p.called = row.called;
    p.worked_out = row.worked_out;
    p.callable = p.released ? row.left : r.cases;  // nothing of an unreleased one is in the field yet
    p.completes = row.completes;
    p.attempts = row.attempts;
    out.push_back(p);
  }
  return out;
}

}  // namespace cati::tool
