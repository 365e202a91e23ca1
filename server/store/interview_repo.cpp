#include "store/interview_repo.hpp"

#include <set>

#include "store/sodium_detail.hpp"
#include "store/sql_detail.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {

using namespace detail;

namespace {

// "R" and 10 characters of Crockford's base32 (50 random bits): short enough to read out, and
// meaningless: it says nothing about the firm or its number.
std::string random_respondent_id() {
  static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  ensure_sodium();
  std::string id = "R";
  for (int i = 0; i < 10; ++i) id += alphabet[randombytes_uniform(32)];
  return id;
}

std::int64_t random_seed() {
  ensure_sodium();
  std::uint64_t seed = 0;
  randombytes_buf(&seed, sizeof seed);
  return static_cast<std::int64_t>(seed >> 1);  // SQLite integers are signed
}

std::string fresh_respondent_id(sql::connection& db) {
  sql::statement taken(db, "SELECT 1 FROM interviews WHERE respondent_id = ?");
  while (true) {
    std::string id = random_respondent_id();
    taken.bind(1, id);
    if (!taken.executeStep()) return id;
    taken.reset();
  }
}

constexpr const char* interview_select =
    "SELECT id, respondent_id, seed, case_id, interviewer_id, questionnaire_version, language, started_at,"
    " ended_at, final_state, snapshot FROM interviews";

std::vector<interview_record> read_interviews(sql::statement& q) {
  std::vector<interview_record> out;
  while (q.executeStep()) {
    interview_record r;
    r.id = q.getColumn(0).getInt64();
    r.respondent_id = q.getColumn(1).getString();
    r.seed = static_cast<std::uint64_t>(q.getColumn(2).getInt64());
    r.case_id = q.getColumn(3).getInt64();
    r.interviewer_id = q.getColumn(4).getInt64();
    r.questionnaire_version = q.getColumn(5).getString();
    r.language = q.getColumn(6).getString();
    r.started_at = from_ms(q.getColumn(7).getInt64());
    r.ended_at = opt_time(q.getColumn(8));
    r.final_state = opt_outcome(q.getColumn(9));
    r.snapshot = q.getColumn(10).getString();
    out.push_back(std::move(r));
  }
  return out;
}

std::string_view kind_name(answer_kind k) { return k == answer_kind::set ? "set" : "drop"; }

std::string interview_name(row_id id) { return "interview " + std::to_string(id); }

// The ack for (interview, seq) if it is stored; conflict if stored with other content.
std::optional<answer_ack> earlier_ack(sql::connection& db, const answer& a) {
  sql::statement q(db, "SELECT question, kind, value, at FROM answers WHERE interview_id = ? AND seq = ?");
  q.bind(1, a.interview_id);
  q.bind(2, a.seq);
  if (!q.executeStep()) return std::nullopt;
  std::optional<std::string> value;
  if (!q.getColumn(2).isNull()) value = q.getColumn(2).getString();
  if (q.getColumn(0).getString() != a.question || q.getColumn(1).getString() != kind_name(a.kind) || value != a.value)
    throw store_error(store_errc::conflict, interview_name(a.interview_id) + ": sequence number " +
                                                std::to_string(a.seq) + " was already used for another answer");
  return answer_ack{a.interview_id, a.seq, from_ms(q.getColumn(3).getInt64()), true};
}

}  // namespace

interview_record create_interview(sql::connection& db, const new_interview& n) {
  require_row(db, "cases", "case", n.case_id);
  require_row(db, "users", "user", n.interviewer_id);
  interview_record r;
  sql::statement earlier(db, "SELECT respondent_id, seed FROM interviews WHERE case_id = ? ORDER BY id LIMIT 1");
  earlier.bind(1, n.case_id);
  if (earlier.executeStep()) {
    r.respondent_id = earlier.getColumn(0).getString();
    r.seed = static_cast<std::uint64_t>(earlier.getColumn(1).getInt64());
  } else {
    r.respondent_id = fresh_respondent_id(db);
    r.seed = static_cast<std::uint64_t>(random_seed());
  }
  sql::statement insert(db,
                        "INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id,"
                        " questionnaire_version, language, start_language, started_at)"
                        " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM interviews), ?, ?, ?, ?, ?, ?, ?6, ?)"
                        " RETURNING id");
  insert.bind(1, r.respondent_id);
  insert.bind(2, static_cast<std::int64_t>(r.seed));
  insert.bind(3, n.case_id);
  insert.bind(4, n.interviewer_id);
  insert.bind(5, n.questionnaire_version);
  insert.bind(6, n.language);
  insert.bind(7, to_ms(n.started_at));
  r.id = inserted_id(insert);
  r.case_id = n.case_id;
  r.interviewer_id = n.interviewer_id;
  r.questionnaire_version = n.questionnaire_version;
  r.language = n.language;
  r.started_at = n.started_at;
  return r;
}

namespace {

// Runs `insert_sql`, an INSERT of an answer's row with its nine values as parameters 1 to 9 (interview, seq,
// question, kind, value, at, answered_by, client_seq, print; `sequence` null: the last two NULL), and
// returns the row's ack. The count is not read (on a pipelining connection it is only sent).
answer_ack insert_row(sql::connection& db, const char* insert_sql, const answer& a, const answer_sequence* sequence) {
  detail::statement prepared(db, insert_sql);
  auto& insert = *prepared;
  insert.bind(1, a.interview_id);
  insert.bind(2, a.seq);
  insert.bind(3, a.question);
  insert.bind(4, std::string(kind_name(a.kind)));
  if (a.value)
    insert.bind(5, *a.value);
  else
    insert.bind(5);
  insert.bind(6, to_ms(a.at));
  insert.bind(7, a.by);
  if (sequence) {
    insert.bind(8, sequence->client_seq);
    insert.bind(9, sequence->print);
  } else {
    insert.bind(8);
    insert.bind(9);
  }
  insert.exec();
  return {a.interview_id, a.seq, a.at, false};
}

// The row of an answer that must be the interview's next one, inserted without reading anything back:
// on a pipelining connection (PostgreSQL's writer) the lookup insert_answer() makes would wait for a
// round trip per answer, where this statement is only sent. Its checks are in its seq: the answer's
// number when the interview is open and the number is its next one, else NULL, which the column's NOT
// NULL refuses. Whatever the reason (a resend, a used number, a gap, an ended or unknown interview), the
// transaction then fails and the writer runs it again without pipelining (writer.hpp), where
// insert_answer() tells a resend from a refusal and says which check failed: what a caller sees is the
// same on both paths.
answer_ack insert_next_answer_unread(sql::connection& db, const answer& a, const answer_sequence* sequence) {
  return insert_row(db,
                    "INSERT INTO answers (interview_id, seq, question, kind, value, at, answered_by,"
                    " client_seq, print) VALUES (?1, CASE WHEN"
                    " (SELECT final_state IS NULL FROM interviews WHERE id = ?1)"
                    " AND ?2 = 1 + (SELECT coalesce(max(seq), 0) FROM answers WHERE interview_id = ?1)"
                    " THEN ?2 END, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    a, sequence);
}

// append_answer and append_sequenced_answer: the checks, then the row (`sequence` null: NULL columns).
answer_ack insert_answer(sql::connection& db, const answer& a, const answer_sequence* sequence) {
  if (db.pipelining()) return insert_next_answer_unread(db, a, sequence);
  // One lookup for what the checks need (every answer pays for it: no snapshot read, no second query).
  detail::statement lookup(db,
                           "SELECT final_state, (SELECT coalesce(max(seq), 0) FROM answers WHERE interview_id = i.id)"
                           " FROM interviews i WHERE id = ?");
  auto& state = *lookup;
  state.bind(1, a.interview_id);
  if (!state.executeStep()) not_found("no " + interview_name(a.interview_id));
  const std::int64_t last = state.getColumn(1).getInt64();
  // A number used already: the same answer again is acknowledged as before, another one is refused.
  if (a.seq <= last)
    if (auto ack = earlier_ack(db, a)) return *ack;
  if (!state.getColumn(0).isNull())
    throw store_error(store_errc::closed, interview_name(a.interview_id) + " has ended (" +
                                              state.getColumn(0).getString() + ")");
  if (a.seq != last + 1)
    throw store_error(store_errc::sequence_gap, interview_name(a.interview_id) + ": sequence number " +
                                                    std::to_string(a.seq) + " skips ahead; expected " +
                                                    std::to_string(last + 1));
  return insert_row(db,
                    "INSERT INTO answers (interview_id, seq, question, kind, value, at, answered_by,"
                    " client_seq, print) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    a, sequence);
}

}  // namespace

answer_ack append_answer(sql::connection& db, const answer& a, const std::optional<std::string>& snapshot) {
  auto ack = insert_answer(db, a, nullptr);
  if (snapshot && !ack.repeated) save_snapshot(db, a.interview_id, *snapshot);
  return ack;
}

answer_ack append_sequenced_answer(sql::connection& db, const answer& a, const answer_sequence& sequence) {
  return insert_answer(db, a, &sequence);
}

bool finish_interview(sql::connection& db, row_id interview_id, core::outcome final_state, time_point at) {
  auto interview = find_interview(db, interview_id);
  if (!interview) not_found("no " + interview_name(interview_id));
  if (interview->final_state) {
    if (*interview->final_state == final_state) return false;
    throw store_error(store_errc::conflict, interview_name(interview_id) + " already ended as " +
                                                std::string(core::to_string(*interview->final_state)));
  }
  sql::statement update(db, "UPDATE interviews SET final_state = ?, ended_at = ? WHERE id = ?");
  update.bind(1, outcome_name(final_state));
  update.bind(2, to_ms(at));
  update.bind(3, interview_id);
  update.exec();
  return true;
}

void save_snapshot(sql::connection& db, row_id interview_id, const std::string& snapshot) {
  if (db.pipelining()) {
    // PostgreSQL's pipelined writer: the row count is not waited for; a missing interview fails the
    // statement instead (1 / 0 rows), and with it the attempt, whose unpipelined rerun below throws
    // not_found (as insert_next_answer_unread(), above). A data-modifying WITH: PostgreSQL only, as
    // pipelining is.
    detail::statement prepared(db,
                               "WITH updated AS (UPDATE interviews SET snapshot = ?1 WHERE id = ?2 RETURNING id)"
                               " SELECT 1 / count(*) FROM updated");
    prepared->bind(1, snapshot);
    prepared->bind(2, interview_id);
    prepared->exec();  // not read
    return;
  }
  detail::statement prepared(db, "UPDATE interviews SET snapshot = ? WHERE id = ?");
  auto& update = *prepared;
  update.bind(1, snapshot);
  update.bind(2, interview_id);
  if (update.exec() == 0) not_found("no " + interview_name(interview_id));
}

void set_interview_owner(sql::connection& db, row_id interview_id, row_id interviewer, const std::string& language,
                         bool suspended) {
  sql::statement update(db, "UPDATE interviews SET interviewer_id = ?, language = ?, suspended = ? WHERE id = ?");
  update.bind(1, interviewer);
  update.bind(2, language);
  update.bind(3, suspended ? 1 : 0);
  update.bind(4, interview_id);
  if (update.exec() == 0) not_found("no " + interview_name(interview_id));
}

std::optional<interview_record> find_interview(sql::connection& db, row_id interview_id) {
  sql::statement q(db, std::string(interview_select) + " WHERE id = ?");
  q.bind(1, interview_id);
  auto found = read_interviews(q);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<interview_record> interviews_of_case(sql::connection& db, row_id case_id) {
  sql::statement q(db, std::string(interview_select) + " WHERE case_id = ? ORDER BY id");
  q.bind(1, case_id);
  return read_interviews(q);
}

std::vector<interview_record> open_interviews(sql::connection& db) {
  sql::statement q(db, std::string(interview_select) + " WHERE final_state IS NULL ORDER BY id");
  return read_interviews(q);
}

std::vector<answer_record> answer_history(sql::connection& db, row_id interview_id) {
  sql::statement q(db,
                      "SELECT seq, question, kind, value, at, answered_by FROM answers WHERE interview_id = ?"
                      " ORDER BY seq");
  q.bind(1, interview_id);
  std::vector<answer_record> out;
  while (q.executeStep()) {
    answer_record r;
    r.interview_id = interview_id;
    r.seq = q.getColumn(0).getInt64();
    r.question = q.getColumn(1).getString();
    r.kind = q.getColumn(2).getString() == "set" ? answer_kind::set : answer_kind::drop;
    if (!q.getColumn(3).isNull()) r.value = q.getColumn(3).getString();
    r.at = from_ms(q.getColumn(4).getInt64());
    r.by = q.getColumn(5).getInt64();
    out.push_back(std::move(r));
  }
  // Walking back from the newest row, the first row seen for a question is its latest.
  std::set<std::string, std::less<>> seen;
  for (auto it = out.rbegin(); it != out.rend(); ++it)
    it->current = seen.insert(it->question).second && it->kind == answer_kind::set;
  return out;
}

std::vector<answer_record> current_answers(sql::connection& db, row_id interview_id) {
  auto all = answer_history(db, interview_id);
  std::erase_if(all, [](const answer_record& r) { return !r.current; });
  return all;
}

}  // namespace cati::store
