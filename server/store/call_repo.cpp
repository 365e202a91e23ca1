#include "store/call_repo.hpp"

#include <array>

#include "store/case_repo.hpp"
#include "store/sql_detail.hpp"

namespace cati::store {

using namespace detail;

namespace {

constexpr std::array<std::string_view, 4> state_names = {"pending", "kept", "missed", "cancelled"};

constexpr const char* call_select =
    "SELECT id, case_id, interviewer_id, at, number, outcome, notes, interview_id, partial FROM call_attempts";

std::vector<call_record> read_calls(sql::statement& q) {
  std::vector<call_record> out;
  while (q.executeStep()) {
    call_record r;
    r.id = q.getColumn(0).getInt64();
    r.case_id = q.getColumn(1).getInt64();
    r.interviewer_id = q.getColumn(2).getInt64();
    r.at = from_ms(q.getColumn(3).getInt64());
    r.number = q.getColumn(4).getString();
    r.result = opt_outcome(q.getColumn(5)).value_or(core::outcome::unspecified);
    r.notes = q.getColumn(6).getString();
    r.interview_id = opt_id(q.getColumn(7));
    r.partial = q.getColumn(8).getInt() != 0;
    out.push_back(std::move(r));
  }
  return out;
}

constexpr const char* appointment_select =
    "SELECT id, case_id, due_at, made_by, made_at, personal, notes, state, resolved_at FROM appointments";

std::vector<appointment_record> read_appointments(sql::statement& q) {
  std::vector<appointment_record> out;
  while (q.executeStep()) {
    appointment_record a;
    a.id = q.getColumn(0).getInt64();
    a.case_id = q.getColumn(1).getInt64();
    a.due = from_ms(q.getColumn(2).getInt64());
    a.made_by = q.getColumn(3).getInt64();
    a.made_at = from_ms(q.getColumn(4).getInt64());
    a.personal = q.getColumn(5).getInt() != 0;
    a.notes = q.getColumn(6).getString();
    a.state = appointment_state_from_string(q.getColumn(7).getString()).value_or(appointment_state::pending);
    a.resolved_at = opt_time(q.getColumn(8));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

std::string_view to_string(appointment_state state) { return state_names[static_cast<std::size_t>(state)]; }

std::optional<appointment_state> appointment_state_from_string(std::string_view name) {
  for (std::size_t i = 0; i < state_names.size(); ++i)
    if (state_names[i] == name) return static_cast<appointment_state>(i);
  return std::nullopt;
}

row_id record_call_attempt(sql::connection& db, const call_attempt& attempt) {
  require_row(db, "cases", "case", attempt.case_id);
  require_row(db, "users", "user", attempt.interviewer_id);
  if (attempt.interview_id) require_row(db, "interviews", "interview", *attempt.interview_id);
  sql::statement insert(db,
                           "INSERT INTO call_attempts (case_id, interviewer_id, at, number, outcome, notes,"
                           " interview_id, partial) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, attempt.case_id);
  insert.bind(2, attempt.interviewer_id);
  insert.bind(3, to_ms(attempt.at));
  insert.bind(4, attempt.number);
  insert.bind(5, outcome_name(attempt.result));
  insert.bind(6, attempt.notes);
  bind_id(insert, 7, attempt.interview_id);
  insert.bind(8, attempt.partial ? 1 : 0);
  row_id id = inserted_id(insert);
  // max(): attempts may be recorded out of order (a terminal resending after a reconnect).
  sql::statement update(db,
                           "UPDATE cases SET dials = dials + 1,"
                           " last_outcome = CASE WHEN last_call_at IS NULL OR ?1 >= last_call_at THEN ?2"
                           " ELSE last_outcome END,"
                           " last_call_at = CASE WHEN last_call_at IS NULL OR last_call_at < ?1 THEN ?1 ELSE last_call_at END WHERE id = ?3");
  update.bind(1, to_ms(attempt.at));
  update.bind(2, outcome_name(attempt.result));
  update.bind(3, attempt.case_id);
  update.exec();
  if (attempt.schedule) set_case_schedule(db, attempt.case_id, *attempt.schedule);
  return id;
}

std::vector<call_record> call_history(sql::connection& db, row_id case_id) {
  sql::statement q(db, std::string(call_select) + " WHERE case_id = ? ORDER BY at, id");
  q.bind(1, case_id);
  return read_calls(q);
}

std::vector<call_record> call_log(sql::connection& db, std::optional<time_point> until) {
  sql::statement q(db, std::string(call_select) + (until ? " WHERE at <= ?" : "") + " ORDER BY at, id");
  if (until) q.bind(1, to_ms(*until));
  return read_calls(q);
}

row_id create_appointment(sql::connection& db, const appointment& appt) {
  require_row(db, "cases", "case", appt.case_id);
  require_row(db, "users", "user", appt.made_by);
  sql::statement insert(db,
                           "INSERT INTO appointments (case_id, due_at, made_by, made_at, personal, notes)"
                           " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, appt.case_id);
  insert.bind(2, to_ms(appt.due));
  insert.bind(3, appt.made_by);
  insert.bind(4, to_ms(appt.made_at));
  insert.bind(5, appt.personal ? 1 : 0);
  insert.bind(6, appt.notes);
  return inserted_id(insert);
}

void resolve_appointment(sql::connection& db, row_id id, appointment_state state, time_point at) {
  sql::statement q(db, "SELECT state FROM appointments WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) not_found("no appointment " + std::to_string(id));
  auto current = appointment_state_from_string(q.getColumn(0).getString());
  if (current == state) return;
  if (current != appointment_state::pending)
    throw store_error(store_errc::conflict, "appointment " + std::to_string(id) + " is already " +
                                                std::string(to_string(*current)));
  sql::statement update(db, "UPDATE appointments SET state = ?, resolved_at = ? WHERE id = ?");
  update.bind(1, std::string(to_string(state)));
  update.bind(2, to_ms(at));
  update.bind(3, id);
  update.exec();
}

std::vector<appointment_record> appointments_of(sql::connection& db, row_id case_id) {
  sql::statement q(db, std::string(appointment_select) + " WHERE case_id = ? ORDER BY due_at, id");
  q.bind(1, case_id);
  return read_appointments(q);
}

std::vector<appointment_record> pending_appointments(sql::connection& db) {
  sql::statement q(db, std::string(appointment_select) + " WHERE state = 'pending' ORDER BY due_at, id");
  return read_appointments(q);
}

}  // namespace cati::store
