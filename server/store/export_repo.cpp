#include "store/export_repo.hpp"

#include <algorithm>
#include <map>

#include "store/migrations.hpp"
#include "store/partial_sql.hpp"
#include "store/sql_detail.hpp"
#include "store/study_repo.hpp"

namespace cati::store {

using namespace detail;

namespace {

using values = std::map<std::string, std::string, std::less<>>;
using answer_map = std::map<std::string, std::optional<std::string>, std::less<>>;

std::map<row_id, values> values_by_case(sql::connection& db, const char* sql) {
  std::map<row_id, values> out;
  sql::statement q(db, sql);
  while (q.executeStep()) out[q.getColumn(0).getInt64()][q.getColumn(1).getString()] = q.getColumn(2).getString();
  return out;
}

// Every interview's current answers: the latest row per question, unless it is a drop. Walking the
// rows in sequence order, a later row replaces an earlier one.
std::map<row_id, answer_map> current_answers_by_interview(sql::connection& db) {
  std::map<row_id, answer_map> out;
  sql::statement q(db, "SELECT interview_id, question, kind, value FROM answers ORDER BY interview_id, seq");
  while (q.executeStep()) {
    auto& answers = out[q.getColumn(0).getInt64()];
    const std::string question = q.getColumn(1).getString();
    if (q.getColumn(2).getString() == "drop") {
      answers.erase(question);
    } else {
      answers[question] = q.getColumn(3).isNull() ? std::nullopt : std::optional<std::string>(q.getColumn(3).getString());
    }
  }
  return out;
}

// What an interview's own calls (call_attempts.interview_id) say: who ended it, its suspensions.
struct interview_calls {
  std::optional<row_id> last_interviewer;
  std::optional<core::outcome> last_outcome;
  bool last_partial = false;  // the last call is a break-off recorded as partial (call_attempts.partial)
  std::vector<core::time_point> suspensions;  // break-off, appointment, callback: the interview stays open
};

bool suspends(core::outcome o) {
  return o == core::outcome::break_off || o == core::outcome::appointment || o == core::outcome::callback;
}

// The minutes spent in an interview, suspensions left out: the time between its start, each answer, each
// suspension and its end, except the gaps that begin at a suspension (until the first answer after it is
// taken up again: the reintroduction after a resume is not counted either).
double active_minutes(core::time_point start, std::optional<core::time_point> end,
                      const std::vector<core::time_point>& answers, const std::vector<core::time_point>& suspensions) {
  std::vector<std::pair<core::time_point, bool>> events;  // (when, is a suspension)
  events.emplace_back(start, false);
  for (auto t : answers) events.emplace_back(t, false);
  for (auto t : suspensions) events.emplace_back(t, true);
  if (end) events.emplace_back(*end, false);
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double ms = 0;
  for (std::size_t i = 0; i + 1 < events.size(); ++i)
    if (!events[i].second) ms += static_cast<double>((events[i + 1].first - events[i].first).count());
  return ms / 60000.0;
}

// Every call attempt with what the calls export shows of it. The interview minutes a call carried: from
// the start of its session (the interview's start, or the first answer after its previous call) to the call.
std::vector<core::logged_call> read_calls(sql::connection& db, const std::map<row_id, std::string>& firm_ids,
                                          const std::vector<core::export_respondent>& interviews,
                                          const std::map<row_id, std::vector<core::time_point>>& answer_times) {
  std::map<row_id, const core::export_respondent*> by_id;
  for (const auto& r : interviews) by_id[r.interview_id] = &r;
  std::map<row_id, std::string> respondents;  // case -> respondent id (the same for all its interviews)
  {
    sql::statement q(db, "SELECT case_id, respondent_id FROM interviews ORDER BY id");
    while (q.executeStep()) respondents.emplace(q.getColumn(0).getInt64(), q.getColumn(1).getString());
  }
  std::map<row_id, core::time_point> previous_call;  // interview -> its previous call
  std::vector<core::logged_call> out;
  sql::statement q(db, std::string("SELECT a.case_id, a.at, ") + dialled_number_index_sql +
                              ", a.outcome, a.interviewer_id, a.interview_id, " + call_partial_sql(db) +
                              " FROM call_attempts a"
                              " ORDER BY a.case_id, a.at, a.id");
  while (q.executeStep()) {
    core::logged_call c;
    c.case_id = q.getColumn(0).getInt64();
    c.at = from_ms(q.getColumn(1).getInt64());
    c.number = q.getColumn(2).getInt();
    c.result = opt_outcome(q.getColumn(3)).value_or(core::outcome::unspecified);
    c.interviewer_id = q.getColumn(4).getInt64();
    c.partial = q.getColumn(6).getInt() != 0;
    if (auto it = firm_ids.find(c.case_id); it != firm_ids.end()) c.firm_id = it->second;
    if (auto it = respondents.find(c.case_id); it != respondents.end()) c.respondent_id = it->second;
    if (!q.getColumn(5).isNull()) {
      const row_id interview = q.getColumn(5).getInt64();
      if (auto iv = by_id.find(interview); iv != by_id.end()) {
        core::time_point session = iv->second->started_at;
        if (auto prev = previous_call.find(interview); prev != previous_call.end()) {
          session = c.at;  // no answer since the previous call: the session carried nothing
          if (auto times = answer_times.find(interview); times != answer_times.end())
            for (auto t : times->second)
              if (t > prev->second) {
                session = std::min(t, c.at);
                break;
              }
        }
        c.duration_minutes = static_cast<double>((c.at - session).count()) / 60000.0;
      }
      previous_call[interview] = c.at;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::string call_partial_sql(sql::connection& db) {
  if (schema_version(db) >= 10) return "a.partial";
  return db.kind() == sql::dialect::postgresql ? "CASE WHEN " CATI_DERIVED_PARTIAL_PG " THEN 1 ELSE 0 END"
                                               : "CASE WHEN " CATI_DERIVED_PARTIAL_SQLITE " THEN 1 ELSE 0 END";
}

export_snapshot read_export(sql::connection& db, const export_request& request) {
  export_snapshot snap;
  snap.study = current_study(db);

  std::map<row_id, std::string> firm_ids;
  std::map<row_id, std::string> languages;
  {
    sql::statement q(db, "SELECT id, firm_id, language FROM cases ORDER BY id");
    while (q.executeStep()) {
      firm_ids[q.getColumn(0).getInt64()] = q.getColumn(1).getString();
      languages[q.getColumn(0).getInt64()] = q.getColumn(2).getString();
    }
  }
  auto frames = values_by_case(db, "SELECT case_id, name, value FROM case_frame");
  std::map<row_id, values> contacts;
  if (request.contact) {
    contacts = values_by_case(db, "SELECT case_id, name, value FROM contacts");
    sql::statement q(db, "SELECT case_id, number FROM phones ORDER BY case_id, position");
    while (q.executeStep()) {
      auto& phones = contacts[q.getColumn(0).getInt64()][request.phone_variable];
      phones += (phones.empty() ? "" : ";") + q.getColumn(1).getString();
    }
  }
  auto answers = current_answers_by_interview(db);
  std::map<row_id, std::vector<core::time_point>> answer_times;
  {
    sql::statement q(db, "SELECT interview_id, at FROM answers ORDER BY interview_id, seq");
    while (q.executeStep()) answer_times[q.getColumn(0).getInt64()].push_back(from_ms(q.getColumn(1).getInt64()));
  }
  std::map<row_id, std::uint64_t> seeds;  // the order randomised choices were read in
  {
    sql::statement q(db, "SELECT id, seed FROM interviews");
    while (q.executeStep()) seeds[q.getColumn(0).getInt64()] = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
  }
  std::map<row_id, interview_calls> own_calls;
  std::map<row_id, std::vector<core::time_point>> case_calls;
  {
    sql::statement q(db, "SELECT a.interview_id, a.interviewer_id, a.outcome, a.at, a.case_id, " + call_partial_sql(db) +
                             " FROM call_attempts a ORDER BY a.at, a.id");
    while (q.executeStep()) {
      const auto at = from_ms(q.getColumn(3).getInt64());
      case_calls[q.getColumn(4).getInt64()].push_back(at);
      if (q.getColumn(0).isNull()) continue;
      auto& c = own_calls[q.getColumn(0).getInt64()];
      c.last_interviewer = q.getColumn(1).getInt64();
      c.last_outcome = opt_outcome(q.getColumn(2));
      c.last_partial = q.getColumn(5).getInt() != 0;
      if (c.last_outcome && suspends(*c.last_outcome)) c.suspensions.push_back(at);
    }
  }

  sql::statement q(db,
                      "SELECT id, respondent_id, case_id, interviewer_id, questionnaire_version, language, started_at,"
                      " ended_at, final_state, coalesce(start_language, '') FROM interviews ORDER BY id");
  while (q.executeStep()) {
    core::export_respondent r;
    r.interview_id = q.getColumn(0).getInt64();
    r.respondent_id = q.getColumn(1).getString();
    const row_id case_id = q.getColumn(2).getInt64();
    r.interviewer_id = q.getColumn(3).getInt64();
    r.questionnaire_version = q.getColumn(4).getString();
    r.language = q.getColumn(5).getString();
    r.started_at = from_ms(q.getColumn(6).getInt64());
    r.ended_at = opt_time(q.getColumn(7));
    r.final_state = opt_outcome(q.getColumn(8));
    r.start_language = q.getColumn(9).getString();
    r.firm_id = firm_ids[case_id];
    r.frame = frames[case_id];
    if (request.contact) r.contact = contacts[case_id];
    if (auto it = answers.find(r.interview_id); it != answers.end()) r.answers = std::move(it->second);
    // Paradata, derived from the logs: who ended it, active time, attempts, resumed, partial, choice order.
    r.seed = seeds[r.interview_id];
    const auto& own = own_calls[r.interview_id];
    if (own.last_interviewer && own.last_outcome == core::outcome::complete) r.interviewer_id = *own.last_interviewer;
    const auto& times = answer_times[r.interview_id];
    r.active_minutes = active_minutes(r.started_at, r.ended_at, times, own.suspensions);
    const auto last_event = r.ended_at ? *r.ended_at : (times.empty() ? r.started_at : times.back());
    r.resumed = std::any_of(own.suspensions.begin(), own.suspensions.end(), [&](auto t) { return t < last_event; });
    for (auto t : case_calls[case_id]) r.attempts += t <= (r.ended_at ? *r.ended_at : core::time_point::max()) ? 1 : 0;
    // Partial: broken off (left open, or closed as a break-off), its last call a break-off that the
    // fieldwork recorded as past the partial point.
    r.partial = (!r.final_state || r.final_state == core::outcome::break_off) &&
                own.last_outcome == core::outcome::break_off && own.last_partial;
    snap.interviews.push_back(std::move(r));
  }
  if (request.calls) snap.calls = read_calls(db, firm_ids, snap.interviews, answer_times);
  if (!request.cases) return snap;

  std::map<row_id, core::disposition_case> cases;
  // Released sample only (rates are computed on it), with each case's replicate.
  std::map<row_id, int> released;
  {
    sql::statement r(db,
                        "SELECT id, replicate FROM cases WHERE replicate = 0 OR replicate IN "
                        "(SELECT replicate FROM replicate_releases)");
    while (r.executeStep()) released[r.getColumn(0).getInt64()] = r.getColumn(1).getInt();
  }
  std::map<row_id, int> numbers;
  {
    sql::statement p(db, "SELECT case_id, count(*) FROM phones GROUP BY case_id");
    while (p.executeStep()) numbers[p.getColumn(0).getInt64()] = p.getColumn(1).getInt();
  }
  for (const auto& [id, firm] : firm_ids) {
    auto in_field = released.find(id);
    if (in_field == released.end()) continue;
    auto& c = cases[id];
    c.record.id = id;
    c.record.replicate = in_field->second;
    if (auto it = numbers.find(id); it != numbers.end()) c.record.numbers = std::max(1, it->second);
    c.record.language = languages[id];
    c.record.frame = frames[id];
    c.firm_id = firm;
    if (request.contact) c.contact = contacts[id];
  }
  sql::statement calls(db, "SELECT a.case_id, a.at, u.name, a.outcome, " + call_partial_sql(db) + ", " + dialled_number_index_sql +
                                  " FROM call_attempts a JOIN users u ON u.id = a.interviewer_id"
                                  " ORDER BY a.case_id, a.at, a.id");
  while (calls.executeStep()) {
    auto it = cases.find(calls.getColumn(0).getInt64());
    if (it == cases.end()) continue;
    core::call_attempt call;
    call.at = from_ms(calls.getColumn(1).getInt64());
    call.interviewer = calls.getColumn(2).getString();
    call.result = opt_outcome(calls.getColumn(3)).value_or(core::outcome::unspecified);
    call.partial = calls.getColumn(4).getInt() != 0;
    call.number = calls.getColumn(5).getInt();
    it->second.record.calls.push_back(std::move(call));
  }
  // The latest interview of a case gives its respondent id (the same for all) and its quota answers.
  sql::statement owners(db, "SELECT id, case_id FROM interviews ORDER BY id");
  std::map<row_id, row_id> latest;
  while (owners.executeStep()) latest[owners.getColumn(1).getInt64()] = owners.getColumn(0).getInt64();
  for (const auto& r : snap.interviews) {
    auto owner = std::find_if(latest.begin(), latest.end(), [&](const auto& e) { return e.second == r.interview_id; });
    if (owner == latest.end()) continue;
    auto c = cases.find(owner->first);
    if (c == cases.end()) continue;
    c->second.respondent_id = r.respondent_id;
    c->second.answers = r.answers;
  }
  for (auto& [id, c] : cases) snap.cases.push_back(std::move(c));
  return snap;
}

}  // namespace cati::store
