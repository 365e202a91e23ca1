#include "store/case_repo.hpp"

#include <unordered_map>

#include "store/audit_repo.hpp"
#include "store/call_repo.hpp"
#include "store/sql_detail.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {

using namespace detail;

namespace {

// The problems only the fieldwork can see: firm ids and numbers stored by an earlier import.
void check_against_stored(sql::connection& db, const core::sample_frame& frame,
                          std::vector<core::sample_problem>& problems) {
  sql::statement firm(db, "SELECT 1 FROM cases WHERE firm_id = ?");
  sql::statement phone(db, "SELECT c.firm_id FROM phones p JOIN cases c ON c.id = p.case_id WHERE p.number = ?");
  for (const auto& c : frame.cases) {
    firm.bind(1, c.firm_id);
    if (firm.executeStep())
      problems.push_back({c.line, "duplicate firm id '" + c.firm_id + "' (already in the fieldwork)"});
    firm.reset();
    for (const auto& number : c.phones) {
      phone.bind(1, number);
      if (phone.executeStep())
        problems.push_back({c.line, "duplicate phone number " + number + " (already in the fieldwork, firm " +
                                        phone.getColumn(0).getString() + ")"});
      phone.reset();
    }
  }
}

class case_writer {
 public:
  case_writer(sql::connection& db, time_point at)
      : db_(db),
        at_(to_ms(at)),
        case_(db, "INSERT INTO cases (firm_id, language, imported_at) VALUES (?, ?, ?) RETURNING id"),
        frame_(db, "INSERT INTO case_frame (case_id, name, value) VALUES (?, ?, ?)"),
        contact_(db, "INSERT INTO contacts (case_id, name, value) VALUES (?, ?, ?)"),
        phone_(db, "INSERT INTO phones (case_id, position, number) VALUES (?, ?, ?)") {}

  void write(const core::sample_case& c) {
    case_.bind(1, c.firm_id);
    case_.bind(2, c.language);
    case_.bind(3, at_);
    row_id id = inserted_id(case_);
    for (const auto& [name, value] : c.frame) triple(frame_, id, name, value);
    for (const auto& [name, value] : c.contact) triple(contact_, id, name, value);
    int position = 0;
    for (const auto& number : c.phones) {
      phone_.bind(1, id);
      phone_.bind(2, ++position);
      phone_.bind(3, number);
      run(phone_);
    }
  }

 private:
  static void run(sql::statement& s) {
    s.exec();
    s.reset();
  }
  static void triple(sql::statement& s, row_id id, const std::string& name, const std::string& value) {
    s.bind(1, id);
    s.bind(2, name);
    s.bind(3, value);
    run(s);
  }

  sql::connection& db_;
  std::int64_t at_;
  sql::statement case_, frame_, contact_, phone_;
};

constexpr const char* summary_select =
    "SELECT id, firm_id, language, dials, last_call_at, last_outcome, next_call_at, finished, held_by,"
    " held_until FROM cases";

case_summary read_summary(sql::statement& q) {
  case_summary s;
  s.id = q.getColumn(0).getInt64();
  s.firm_id = q.getColumn(1).getString();
  s.language = q.getColumn(2).getString();
  s.dials = q.getColumn(3).getInt();
  s.last_call_at = opt_time(q.getColumn(4));
  s.last_outcome = opt_outcome(q.getColumn(5));
  s.schedule.next_call_at = opt_time(q.getColumn(6));
  s.schedule.finished = q.getColumn(7).getInt() != 0;
  s.held_by = opt_id(q.getColumn(8));
  s.held_until = opt_time(q.getColumn(9));
  return s;
}

// Frame values and earliest pending appointments, for the cases in `out` (all cases, or just `only`).
void fill_summaries(sql::connection& db, std::vector<case_summary>& out, std::optional<row_id> only) {
  std::unordered_map<row_id, std::size_t> at;
  for (std::size_t i = 0; i < out.size(); ++i) at[out[i].id] = i;
  sql::statement frame(db, std::string("SELECT case_id, name, value FROM case_frame") +
                                  (only ? " WHERE case_id = ?" : ""));
  if (only) frame.bind(1, *only);
  while (frame.executeStep()) {
    if (auto it = at.find(frame.getColumn(0).getInt64()); it != at.end())
      out[it->second].frame[frame.getColumn(1).getString()] = frame.getColumn(2).getString();
  }
  // Pending appointments come by due time: the first one seen for a case is its earliest.
  auto pending = only ? appointments_of(db, *only) : pending_appointments(db);
  for (auto& a : pending) {
    auto it = at.find(a.case_id);
    if (a.state == appointment_state::pending && it != at.end() && !out[it->second].appointment)
      out[it->second].appointment = std::move(a);
  }
}

}  // namespace

import_result import_sample(sql::connection& db, const core::sample_frame& frame, const import_context& context) {
  import_result result;
  result.problems = frame.problems;
  check_against_stored(db, frame, result.problems);
  if (!result.problems.empty()) {
    core::sort_problems(result.problems);
    return result;
  }
  case_writer out(db, context.at);
  for (const auto& c : frame.cases) out.write(c);
  result.imported = static_cast<int>(frame.cases.size());
  append_audit(db, {context.at, context.by, "sample_import",
                    context.source + ": " + std::to_string(result.imported) + " firms"});
  return result;
}

std::optional<row_id> find_case(sql::connection& db, std::string_view firm_id) {
  sql::statement q(db, "SELECT id FROM cases WHERE firm_id = ?");
  q.bind(1, std::string(firm_id));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

int case_count(sql::connection& db) { return db.execAndGet("SELECT count(*) FROM cases").getInt(); }

std::vector<case_summary> cases_for_scheduling(sql::connection& db) {
  std::vector<case_summary> out;
  sql::statement q(db, std::string(summary_select) + " ORDER BY id");
  while (q.executeStep()) out.push_back(read_summary(q));
  fill_summaries(db, out, std::nullopt);
  return out;
}

std::optional<case_summary> case_for_scheduling(sql::connection& db, row_id case_id) {
  sql::statement q(db, std::string(summary_select) + " WHERE id = ?");
  q.bind(1, case_id);
  if (!q.executeStep()) return std::nullopt;
  std::vector<case_summary> out{read_summary(q)};
  fill_summaries(db, out, case_id);
  return std::move(out.front());
}

std::optional<case_contact> contact_of(sql::connection& db, row_id case_id) {
  sql::statement c(db, "SELECT firm_id FROM cases WHERE id = ?");
  c.bind(1, case_id);
  if (!c.executeStep()) return std::nullopt;
  case_contact out;
  out.case_id = case_id;
  out.firm_id = c.getColumn(0).getString();
  sql::statement fields(db, "SELECT name, value FROM contacts WHERE case_id = ?");
  fields.bind(1, case_id);
  while (fields.executeStep()) out.fields[fields.getColumn(0).getString()] = fields.getColumn(1).getString();
  sql::statement phones(db, "SELECT number FROM phones WHERE case_id = ? ORDER BY position");
  phones.bind(1, case_id);
  while (phones.executeStep()) out.phones.push_back(phones.getColumn(0).getString());
  return out;
}

void set_case_schedule(sql::connection& db, row_id case_id, const case_schedule& schedule) {
  sql::statement update(db, "UPDATE cases SET next_call_at = ?, finished = ? WHERE id = ?");
  bind_time(update, 1, schedule.next_call_at);
  update.bind(2, schedule.finished ? 1 : 0);
  update.bind(3, case_id);
  if (update.exec() == 0) not_found("no case " + std::to_string(case_id));
}

bool hold_case(sql::connection& db, row_id case_id, row_id user, time_point now, time_point until) {
  sql::statement update(db,
                           "UPDATE cases SET held_by = ?1, held_until = ?2 WHERE id = ?3"
                           " AND (held_by IS NULL OR held_by = ?1 OR held_until <= ?4)");
  update.bind(1, user);
  update.bind(2, to_ms(until));
  update.bind(3, case_id);
  update.bind(4, to_ms(now));
  if (update.exec() == 1) return true;
  require_row(db, "cases", "case", case_id);
  return false;
}

void release_case(sql::connection& db, row_id case_id, row_id user) {
  sql::statement update(db, "UPDATE cases SET held_by = NULL, held_until = NULL WHERE id = ? AND held_by = ?");
  update.bind(1, case_id);
  update.bind(2, user);
  update.exec();
}

void set_case_lock(sql::connection& db, row_id case_id, const std::string& holder, time_point until) {
  // Written with every answer (the lock's renewal): a prepared statement from the connection's cache.
  detail::statement prepared(db,
                            "UPDATE cases SET held_by = (SELECT id FROM users WHERE name = ?1 AND ?1 <> ''),"
                            " held_until = ?2 WHERE id = ?3");
  auto& update = *prepared;
  update.bind(1, holder);
  update.bind(2, holder.empty() ? std::int64_t{0} : to_ms(until));
  update.bind(3, case_id);
  if (update.exec() == 0) not_found("no case " + std::to_string(case_id));
}

}  // namespace cati::store

namespace cati::store {

using namespace detail;

std::vector<replicate_status> replicates(sql::connection& db) {
  std::vector<replicate_status> out;
  sql::statement q(db,
                      "SELECT c.replicate, count(*), r.released_at FROM cases c "
                      "LEFT JOIN replicate_releases r ON r.replicate = c.replicate GROUP BY c.replicate, r.released_at ORDER BY c.replicate");
  while (q.executeStep()) {
    replicate_status s;
    s.replicate = q.getColumn(0).getInt();
    s.cases = q.getColumn(1).getInt();
    s.released_at = opt_time(q.getColumn(2));
    out.push_back(s);
  }
  return out;
}

std::vector<core::case_record> unsplit_cases(sql::connection& db) {
  std::map<row_id, core::case_record> cases;
  sql::statement q(db,
                      "SELECT id, language FROM cases c WHERE replicate = 0 "
                      "AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.case_id = c.id) ORDER BY id");
  while (q.executeStep()) {
    auto& c = cases[q.getColumn(0).getInt64()];
    c.id = q.getColumn(0).getInt64();
    c.language = q.getColumn(1).getString();
  }
  sql::statement f(db, "SELECT case_id, name, value FROM case_frame");
  while (f.executeStep())
    if (auto it = cases.find(f.getColumn(0).getInt64()); it != cases.end())
      it->second.frame[f.getColumn(1).getString()] = f.getColumn(2).getString();
  std::vector<core::case_record> out;
  for (auto& [id, c] : cases) out.push_back(std::move(c));
  return out;
}

void set_replicates(sql::connection& db, const std::map<row_id, int>& replicate_of) {
  if (db.execAndGet("SELECT count(*) FROM cases WHERE replicate > 0").getInt() > 0)
    throw store_error(store_errc::conflict, "the sample is split into replicates already");
  sql::statement called(db, "SELECT 1 FROM call_attempts WHERE case_id = ? LIMIT 1");
  sql::statement set(db, "UPDATE cases SET replicate = ? WHERE id = ? AND replicate = 0");
  for (const auto& [id, replicate] : replicate_of) {
    if (replicate <= 0) throw store_error(store_errc::invalid, "case " + std::to_string(id) + ": replicate must be > 0");
    called.bind(1, id);
    const bool was_called = called.executeStep();
    called.reset();
    if (was_called)
      throw store_error(store_errc::conflict, "case " + std::to_string(id) + " was called already: it stays in the field");
    set.bind(1, replicate);
    set.bind(2, id);
    if (set.exec() != 1) throw store_error(store_errc::not_found, "no unsplit case " + std::to_string(id));
    set.reset();
  }
}

void release_replicate(sql::connection& db, int replicate, time_point at, std::optional<row_id> by) {
  if (replicate <= 0) throw store_error(store_errc::invalid, "replicate 0 is the frame as imported: always released");
  sql::statement n(db, "SELECT count(*) FROM cases WHERE replicate = ?");
  n.bind(1, replicate);
  n.executeStep();
  if (n.getColumn(0).getInt() == 0)
    throw store_error(store_errc::not_found, "replicate " + std::to_string(replicate) + " has no cases");
  sql::statement seen(db, "SELECT 1 FROM replicate_releases WHERE replicate = ?");
  seen.bind(1, replicate);
  if (seen.executeStep())
    throw store_error(store_errc::conflict, "replicate " + std::to_string(replicate) + " is released already");
  sql::statement ins(db, "INSERT INTO replicate_releases (replicate, released_at, released_by) VALUES (?, ?, ?)");
  ins.bind(1, replicate);
  ins.bind(2, to_ms(at));
  if (by) ins.bind(3, *by);
  else ins.bind(3);
  ins.exec();
  append_audit(db, audit_entry{at, by, "sample_release", "replicate " + std::to_string(replicate)});
}

}  // namespace cati::store
