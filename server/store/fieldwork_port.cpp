#include "store/fieldwork_port.hpp"

#include "store/sql/sql.hpp"

#include <algorithm>
#include <map>

#include "core/quota/quota_book.hpp"
#include "store/audit_repo.hpp"
#include "store/call_repo.hpp"
#include "store/export_repo.hpp"  // dialled_number_index_sql
#include "store/partial_sql.hpp"
#include "store/interview_repo.hpp"
#include "store/case_repo.hpp"
#include "store/quota_repo.hpp"
#include "store/request_repo.hpp"
#include "store/sodium_randomness.hpp"
#include "store/session_repo.hpp"
#include "store/user_repo.hpp"

namespace cati::store {

namespace {

std::int64_t ms(core::time_point t) { return t.time_since_epoch().count(); }
core::time_point at_ms(std::int64_t v) { return core::time_point(core::milliseconds(v)); }

core::user_role role_of(user_role r) {
  switch (r) {
    case user_role::supervisor: return core::user_role::supervisor;
    case user_role::admin: return core::user_role::admin;
    default: return core::user_role::interviewer;
  }
}

// The fields of `v` ordered as they come, for the change visitors below.
struct change_writer {
  sql::connection& db;

  void operator()(const core::call_logged& c) const {
    call_attempt a;
    a.case_id = c.case_;
    a.interviewer_id = c.interviewer;
    a.at = c.at;
    a.number = c.number;
    a.result = c.result;
    a.notes = c.note;
    a.interview_id = c.interview;
    a.partial = c.partial;
    if (!c.same_call) record_call_attempt(db, a);
    if (c.finishes_case) {  // for readers of the file alone (the service derives it from the calls)
      sql::statement finished(db, "UPDATE cases SET finished = 1 WHERE id = ?");
      finished.bind(1, static_cast<std::int64_t>(c.case_));
      finished.exec();
    }
    if (c.callback) {
      appointment appt;
      appt.case_id = c.case_;
      appt.due = c.callback->at;
      appt.made_by = c.interviewer;
      appt.made_at = c.at;
      appt.personal = c.callback->personal;
      appt.notes = c.note;
      create_appointment(db, appt);
    }
  }
  void operator()(const core::interview_opened& o) const {
    // The service chose the id, respondent id and seed (see core/fieldwork/fieldwork_changes.hpp).
    sql::statement st(db,
                         "INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id, "
                         "questionnaire_version, language, start_language, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?7, ?)");
    st.bind(1, static_cast<std::int64_t>(o.id));
    st.bind(2, o.respondent_id);
    st.bind(3, static_cast<std::int64_t>(o.seed));
    st.bind(4, static_cast<std::int64_t>(o.case_));
    st.bind(5, static_cast<std::int64_t>(o.interviewer));
    st.bind(6, o.questionnaire_version);
    st.bind(7, o.language);
    st.bind(8, ms(o.at));
    st.exec();
  }
  void operator()(const core::answer_logged& a) const {
    answer row;
    row.interview_id = a.interview;
    row.seq = a.row;
    row.question = a.question;
    row.kind = a.drop ? answer_kind::drop : answer_kind::set;
    row.value = a.value;
    row.at = a.at;
    row.by = a.by;
    if (a.client_seq == 0)
      append_answer(db, row);
    else
      append_sequenced_answer(db, row, {a.client_seq, a.print});
  }
  void operator()(const core::snapshot_saved& s) const { save_snapshot(db, s.interview, s.text); }
  void operator()(const core::session_opened& s) const { open_session(db, s); }
  void operator()(const core::session_closed& s) const { close_session(db, s.digest); }
  void operator()(const core::interview_closed& c) const { finish_interview(db, c.interview, c.result, c.at); }
  void operator()(const core::quota_changed& q) const { apply_quota_events(db, q.events); }
  void operator()(const core::case_held& h) const { set_case_lock(db, h.case_, h.holder, h.until); }
  void operator()(const core::screen_out_pending& p) const {
    sql::statement st(db, "UPDATE cases SET screen_out_at = ? WHERE id = ?");
    if (p.at)
      st.bind(1, ms(*p.at));
    else
      st.bind(1);
    st.bind(2, static_cast<std::int64_t>(p.case_));
    st.exec();
  }
  void operator()(const core::interview_owned& o) const {
    set_interview_owner(db, o.interview, o.interviewer, o.language, o.suspended);
  }
  void operator()(const core::request_logged& r) const { log_request(db, r, core::fieldwork::kept_requests); }
  void operator()(const core::audit_logged& a) const {
    append_audit(db, audit_entry{a.at, a.user == 0 ? std::nullopt : std::optional<row_id>(a.user), a.action, a.details});
  }
};

}  // namespace

void apply_change(sql::connection& db, const core::change& c) { std::visit(change_writer{db}, c); }

fieldwork_port::fieldwork_port(fieldwork_store& store, const core::questionnaire& study)
    : store_(store) {
  auto book = core::quota_book::build(study);
  if (!book) throw std::runtime_error("quotas: " + book.err().message);
  if (!store_.read_only()) store_.ensure_quota_cells(book->state()).get();  // a reader adds them in memory
  for (const auto& q : book->quotas())
    for (std::size_t v = 0; v < q.variables.size(); ++v)
      if (!q.frame[v] && std::find(quota_questions_.begin(), quota_questions_.end(), q.variables[v]) ==
                             quota_questions_.end())
        quota_questions_.push_back(q.variables[v]);
}

void fieldwork_port::commit(core::change_list changes, std::function<void(std::optional<std::string>)> done) {
  store_.post(
      [changes = std::move(changes)](sql::connection& db) {
        for (const auto& c : changes) apply_change(db, c);
      },
      [done = std::move(done)](job_result<void> r) {
        if (r) {
          done(std::nullopt);
          return;
        }
        try {
          std::rethrow_exception(r.err());
        } catch (const std::exception& e) {
          done(std::string(e.what()));
        } catch (...) {
          done(std::string("unknown error"));
        }
      });
}

// Released sample only: a case of a replicate not yet released is not in the field. (A macro: it is
// pasted into string literals.)
#define CATI_CASE_IN_FIELD "(c.replicate = 0 OR c.replicate IN (SELECT replicate FROM replicate_releases))"

std::vector<core::loaded_case> fieldwork_port::cases_after(core::case_id after) {
  return store_.read([after, this](sql::connection& db) { return load_cases(db, after, nullptr); });
}

std::vector<core::loaded_case> fieldwork_port::cases_not_in(const std::vector<core::case_id>& known) {
  return store_.read([&known, this](sql::connection& db) {
    // Cases are only ever added and releases only appended: while the largest case id and the number of
    // releases stay as they were when `known` was complete, nothing new is in the field (two index reads
    // instead of a scan of every id, on each poll).
    const sample_mark mark{db.execAndGet("SELECT coalesce(max(id), 0) FROM cases").getInt64(),
                           db.execAndGet("SELECT count(*) FROM replicate_releases").getInt64(), known.size()};
    {
      const std::lock_guard lock(mark_mutex_);
      if (mark == last_mark_) return std::vector<core::loaded_case>{};
    }
    std::vector<core::case_id> missing;
    sql::statement ids(db, "SELECT c.id FROM cases c WHERE " CATI_CASE_IN_FIELD " ORDER BY c.id");
    while (ids.executeStep()) {
      const core::case_id id = ids.getColumn(0).getInt64();
      if (!std::binary_search(known.begin(), known.end(), id)) missing.push_back(id);
    }
    if (missing.empty()) {
      const std::lock_guard lock(mark_mutex_);
      last_mark_ = mark;
      return std::vector<core::loaded_case>{};
    }
    return load_cases(db, missing.front() - 1, &missing);
  });
}

std::vector<core::loaded_case> fieldwork_port::load_cases(sql::connection& db, core::case_id after,
                                                          const std::vector<core::case_id>* only) const {
  {
    std::map<core::case_id, core::loaded_case> cases;
    sql::statement c(db,
                        "SELECT c.id, c.firm_id, c.language, coalesce(u.name, ''), c.held_until, c.replicate, c.screen_out_at FROM cases c"
                        " LEFT JOIN users u ON u.id = c.held_by WHERE c.id > ? AND " CATI_CASE_IN_FIELD " ORDER BY c.id");
    c.bind(1, static_cast<std::int64_t>(after));
    while (c.executeStep()) {
      // The rows below are read from `after` on and kept only for the cases taken here.
      if (only && !std::binary_search(only->begin(), only->end(), c.getColumn(0).getInt64())) continue;
      auto& lc = cases[c.getColumn(0).getInt64()];
      lc.record.id = c.getColumn(0).getInt64();
      lc.contact.firm_id = c.getColumn(1).getString();
      lc.record.language = c.getColumn(2).getString();
      lc.holder = c.getColumn(3).getString();
      if (!c.getColumn(4).isNull()) lc.held_until = at_ms(c.getColumn(4).getInt64());
      lc.record.replicate = c.getColumn(5).getInt();
      if (!c.getColumn(6).isNull()) lc.screen_out_at = at_ms(c.getColumn(6).getInt64());
    }
    auto each = [&](const char* sql, auto&& row) {
      sql::statement st(db, sql);
      st.bind(1, static_cast<std::int64_t>(after));
      while (st.executeStep())
        if (auto it = cases.find(st.getColumn(0).getInt64()); it != cases.end()) row(it->second, st);
    };
    each("SELECT case_id, name, value FROM case_frame WHERE case_id > ?",
         [](core::loaded_case& lc, sql::statement& st) {
           lc.record.frame[st.getColumn(1).getString()] = st.getColumn(2).getString();
         });
    each("SELECT case_id, name, value FROM contacts WHERE case_id > ?", [](core::loaded_case& lc, sql::statement& st) {
      const std::string name = st.getColumn(1).getString();
      if (name == "company") lc.contact.company = st.getColumn(2).getString();
      if (name == "contact_name") lc.contact.contact_name = st.getColumn(2).getString();
    });
    each("SELECT case_id, number FROM phones WHERE case_id > ? ORDER BY case_id, position",
         [](core::loaded_case& lc, sql::statement& st) { lc.contact.phones.push_back(st.getColumn(1).getString()); });
    // The call history, with the appointment each call agreed (made by the caller at the call's time).
    // (research: the number each call dialled, for the firm-level dispositions)
    const std::string calls_sql =
        "SELECT a.case_id, a.at, u.name, a.outcome, p.due_at, p.personal, " + call_partial_sql(db) + ", " +
        dialled_number_index_sql +
        " FROM call_attempts a JOIN users u ON u.id = a.interviewer_id "
        "LEFT JOIN appointments p ON p.case_id = a.case_id AND p.made_at = a.at AND p.made_by = a.interviewer_id "
        "WHERE a.case_id > ? ORDER BY a.case_id, a.at, a.id";
    each(calls_sql.c_str(),
         [](core::loaded_case& lc, sql::statement& st) {
           core::call_attempt call;
           call.at = at_ms(st.getColumn(1).getInt64());
           call.interviewer = st.getColumn(2).getString();
           call.result = core::outcome_from_string(st.getColumn(3).getString()).value_or(core::outcome::unspecified);
           if (!st.getColumn(4).isNull())
             call.callback = core::appointment{at_ms(st.getColumn(4).getInt64()), st.getColumn(5).getInt() != 0};
           call.partial = st.getColumn(6).getInt() != 0;  // as the fieldwork recorded it at the break-off
           call.number = st.getColumn(7).getInt();
           lc.record.calls.push_back(call);
         });
    // The firm is the unit: how many numbers it has.
    for (auto& [id, lc] : cases) lc.record.numbers = std::max<int>(1, static_cast<int>(lc.contact.phones.size()));
    each("SELECT case_id, respondent_id, seed FROM interviews WHERE case_id > ? ORDER BY id",
         [](core::loaded_case& lc, sql::statement& st) {
           if (!lc.respondent_id.empty()) return;
           lc.respondent_id = st.getColumn(1).getString();
           lc.seed = static_cast<std::uint64_t>(st.getColumn(2).getInt64());
         });
    // Interviews that reached the quota point: those whose current answer (latest row, a value set) to
    // every quota question is there. Break-offs and over-quota endings count: they arrived too.
    if (!quota_questions_.empty()) {
      std::map<core::interview_id, std::pair<core::case_id, core::quota_values>> answered;
      sql::statement st(db,
                           "SELECT i.case_id, i.id, a.question, a.value FROM answers a "
                           "JOIN interviews i ON i.id = a.interview_id "
                           "WHERE i.case_id > ? AND a.kind = 'set' AND a.value IS NOT NULL "
                           "AND a.seq = (SELECT max(b.seq) FROM answers b "
                           "             WHERE b.interview_id = a.interview_id AND b.question = a.question)");
      st.bind(1, static_cast<std::int64_t>(after));
      while (st.executeStep()) {
        const std::string question = st.getColumn(2).getString();
        if (std::find(quota_questions_.begin(), quota_questions_.end(), question) == quota_questions_.end()) continue;
        auto& [case_id, values] = answered[st.getColumn(1).getInt64()];
        case_id = st.getColumn(0).getInt64();
        values[question] = st.getColumn(3).getString();
      }
      for (auto& [interview, entry] : answered)
        if (entry.second.size() == quota_questions_.size())
          if (auto it = cases.find(entry.first); it != cases.end())
            it->second.quota_answers.emplace(interview, std::move(entry.second));
    }
    std::vector<core::loaded_case> out;
    out.reserve(cases.size());
    for (auto& [id, lc] : cases) out.push_back(std::move(lc));
    return out;
  }
}

namespace {

// Interviews as the service loads them, from a query whose columns are those of interview_columns.
constexpr const char* interview_columns =
    "i.id, i.case_id, u.name, i.language, i.snapshot, i.started_at,"
    " (SELECT coalesce(max(seq), 0) FROM answers a WHERE a.interview_id = i.id), i.suspended, i.final_state";

std::vector<core::loaded_interview> read_loaded(sql::statement& st) {
  std::vector<core::loaded_interview> out;
  while (st.executeStep()) {
    core::loaded_interview li;
    li.id = st.getColumn(0).getInt64();
    li.case_ = st.getColumn(1).getInt64();
    li.interviewer = st.getColumn(2).getString();
    li.language = st.getColumn(3).getString();
    li.snapshot = st.getColumn(4).getString();
    li.started_at = at_ms(st.getColumn(5).getInt64());
    li.rows = st.getColumn(6).getInt64();
    li.suspended = st.getColumn(7).getInt() != 0;
    if (!st.getColumn(8).isNull()) li.final_state = core::outcome_from_string(st.getColumn(8).getString());
    out.push_back(std::move(li));
  }
  return out;
}

// The answer rows with a sequence number of every open interview, into loaded_interview::sequenced (the
// core replays those after each snapshot). All of them, not only those after the snapshot: where the
// snapshot stands is in its text, which only the core reads; an open interview has a few dozen.
void read_sequenced(sql::connection& db, std::vector<core::loaded_interview>& interviews) {
  std::map<core::interview_id, core::loaded_interview*> by_id;
  for (auto& li : interviews) by_id[li.id] = &li;
  sql::statement st(db,
                    "SELECT a.interview_id, a.client_seq, a.print, a.question, a.value FROM answers a"
                    " JOIN interviews i ON i.id = a.interview_id"
                    " WHERE i.final_state IS NULL AND a.client_seq IS NOT NULL ORDER BY a.interview_id, a.seq");
  while (st.executeStep()) {
    auto it = by_id.find(st.getColumn(0).getInt64());
    if (it == by_id.end()) continue;
    core::sequenced_answer row;
    row.seq = static_cast<std::uint32_t>(st.getColumn(1).getInt64());
    row.print = st.getColumn(2).getString();
    row.question = st.getColumn(3).getString();
    if (!st.getColumn(4).isNull()) row.value = st.getColumn(4).getString();
    it->second->sequenced.push_back(std::move(row));
  }
}

}  // namespace

std::vector<core::loaded_interview> fieldwork_port::open_interviews() {
  return store_.read([](sql::connection& db) {
    sql::statement st(db, std::string("SELECT ") + interview_columns +
                                 " FROM interviews i JOIN users u ON u.id = i.interviewer_id"
                                 " WHERE i.final_state IS NULL ORDER BY i.id");
    auto out = read_loaded(st);
    read_sequenced(db, out);
    return out;
  });
}

std::vector<core::loaded_interview> fieldwork_port::latest_ended_interviews() {
  return store_.read([](sql::connection& db) {
    // The id of the row with the latest end, per interviewer: SQLite's bare column beside max(),
    // PostgreSQL's DISTINCT ON.
    const char* latest = db.kind() == sql::dialect::postgresql
                             ? " FROM (SELECT DISTINCT ON (interviewer_id) id FROM interviews"
                               "       WHERE final_state IS NOT NULL ORDER BY interviewer_id, ended_at DESC NULLS LAST) last"
                             : " FROM (SELECT id, max(ended_at) FROM interviews WHERE final_state IS NOT NULL"
                               "       GROUP BY interviewer_id) last";
    sql::statement st(db, std::string("SELECT ") + interview_columns + latest +
                                 " JOIN interviews i ON i.id = last.id JOIN users u ON u.id = i.interviewer_id"
                                 " ORDER BY i.id");
    return read_loaded(st);
  });
}

std::vector<core::request_logged> fieldwork_port::requests() {
  return store_.read([](sql::connection& db) { return list_requests(db); });
}

std::unique_ptr<core::randomness> fieldwork_port::make_randomness() { return std::make_unique<sodium_randomness>(); }

core::quota_state fieldwork_port::quotas() { return store_.load_quota_state(); }

core::interview_id fieldwork_port::next_interview_id() {
  return store_.read([](sql::connection& db) {
    return db.execAndGet("SELECT coalesce(max(id), 0) + 1 FROM interviews").getInt64();
  });
}

std::vector<core::fieldwork_source::saved_session> fieldwork_port::sessions() {
  return store_.read([](sql::connection& db) { return list_sessions(db); });
}

std::vector<core::fieldwork_source::sample_replicate> fieldwork_port::replicates() {
  return store_.read([](sql::connection& db) {
    std::vector<sample_replicate> out;
    for (const auto& r : store::replicates(db)) out.push_back({r.replicate, r.cases, r.released(), r.released_at});
    return out;
  });
}

std::optional<core::fieldwork_source::account> fieldwork_port::find_account(const std::string& name) {
  auto u = store_.find_user(name);
  if (!u || u->disabled) return std::nullopt;
  const bool converter = std::find(u->skills.begin(), u->skills.end(), "converter") != u->skills.end();
  return account{core::user{u->id, u->name, role_of(u->role), u->languages, converter}, u->password_hash};
}

}  // namespace cati::store
