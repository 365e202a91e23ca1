#include "sim/results_read.hpp"

#include "store/connection.hpp"
#include "store/export_repo.hpp"
#include "store/sql/sql.hpp"

namespace cati::tool::sim {

fieldwork_results read_results(const std::filesystem::path& db_path, const core::calendar& cal) {
  store::open_options options;
  options.path = db_path;
  options.create = false;
  auto conn = store::open_read_connection(options);
  auto& db = *conn;
  fieldwork_results out;

  store::sql::statement quotas(db, "SELECT quota, cell_values, target, completes FROM quota_cells ORDER BY id");
  while (quotas.executeStep())
    out.quotas.push_back({quotas.getColumn(0).getString(), quotas.getColumn(1).getString(), quotas.getColumn(2).getInt(),
                          quotas.getColumn(3).getInt()});

  // The completes with their frame and current answers, as `cati export` reads them.
  for (auto& iv : store::read_export(db, {}).interviews) {
    if (iv.final_state != core::outcome::complete) continue;
    respondent r;
    r.interview_id = iv.interview_id;
    r.frame = std::move(iv.frame);
    for (auto& [question, value] : iv.answers) r.answers.emplace(question, value.value_or(""));
    if (iv.ended_at) ++out.completes_by_day[core::format_date(cal.local_date(*iv.ended_at))];
    out.completes.push_back(std::move(r));
  }

  store::sql::statement rows(db, "SELECT interview_id, question, COALESCE(value, '') FROM answers WHERE kind = 'set' "
                             "ORDER BY interview_id, seq");
  while (rows.executeStep())
    out.rows[rows.getColumn(0).getString()].push_back(rows.getColumn(1).getString() + "=" + rows.getColumn(2).getString());

  // Minutes on the line: the gaps between an interview's start, its answers and its end, leaving out
  // gaps over half an hour (a suspension: the firm was called back later, often the next day).
  store::sql::statement people(db,
                           "WITH done AS (SELECT id, interviewer_id, started_at, ended_at FROM interviews"
                           "              WHERE final_state = 'complete'),"
                           " events AS (SELECT id, interviewer_id, started_at AS at FROM done"
                           "            UNION ALL SELECT id, interviewer_id, ended_at FROM done"
                           "            UNION ALL SELECT d.id, d.interviewer_id, a.at FROM answers a JOIN done d ON d.id = a.interview_id),"
                           " gaps AS (SELECT interviewer_id, at - LAG(at) OVER (PARTITION BY id ORDER BY at) AS gap FROM events)"
                           " SELECT u.name,"
                           " (SELECT COUNT(*) FROM call_attempts c WHERE c.interviewer_id = u.id),"
                           " (SELECT COUNT(*) FROM done i WHERE i.interviewer_id = u.id),"
                           " (SELECT COALESCE(SUM(g.gap), 0) FROM gaps g WHERE g.interviewer_id = u.id AND g.gap <= 1800000)"
                           " FROM users u WHERE u.role = 'interviewer' ORDER BY u.name");
  while (people.executeStep())
    out.interviewers.push_back({people.getColumn(0).getString(), people.getColumn(1).getInt(), people.getColumn(2).getInt(),
                                static_cast<double>(people.getColumn(3).getInt64()) / 60000.0});
  return out;
}

}  // namespace cati::tool::sim
