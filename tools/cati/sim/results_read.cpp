#include "sim/results_read.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace cati::tool::sim {
namespace {

core::time_point from_ms(std::int64_t ms) { return core::time_point(core::milliseconds(ms)); }

}  // namespace

fieldwork_results read_results(const std::filesystem::path& db_path, const core::calendar& cal) {
  SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(10000);
  fieldwork_results out;

  SQLite::Statement quotas(db, "SELECT quota, cell_values, target, completes FROM quota_cells ORDER BY id");
  while (quotas.executeStep())
    out.quotas.push_back({quotas.getColumn(0).getString(), quotas.getColumn(1).getString(), quotas.getColumn(2).getInt(),
                          quotas.getColumn(3).getInt()});

  SQLite::Statement completes(db,
                              "SELECT id, case_id, ended_at FROM interviews WHERE final_state = 'complete' ORDER BY id");
  SQLite::Statement frame(db, "SELECT name, value FROM case_frame WHERE case_id = ?");
  SQLite::Statement answers(db,
                            "SELECT question, COALESCE(value, '') FROM answers WHERE interview_id = ? AND kind = 'set' "
                            "ORDER BY seq");
  while (completes.executeStep()) {
    respondent r;
    r.interview_id = completes.getColumn(0).getInt64();
    frame.bind(1, completes.getColumn(1).getInt64());
    while (frame.executeStep()) r.frame[frame.getColumn(0).getString()] = frame.getColumn(1).getString();
    frame.reset();
    answers.bind(1, r.interview_id);
    while (answers.executeStep()) r.answers[answers.getColumn(0).getString()] = answers.getColumn(1).getString();
    answers.reset();
    if (!completes.getColumn(2).isNull())
      ++out.completes_by_day[core::format_date(cal.local_date(from_ms(completes.getColumn(2).getInt64())))];
    out.completes.push_back(std::move(r));
  }

  SQLite::Statement rows(db, "SELECT interview_id, question, COALESCE(value, '') FROM answers WHERE kind = 'set' "
                             "ORDER BY interview_id, seq");
  while (rows.executeStep())
    out.rows[rows.getColumn(0).getString()].push_back(rows.getColumn(1).getString() + "=" + rows.getColumn(2).getString());

  // Minutes on the line: the gaps between an interview's start, its answers and its end, leaving out
  // gaps over half an hour (a suspension: the firm was called back later, often the next day).
  SQLite::Statement people(db,
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
