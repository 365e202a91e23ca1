#include "store/export_repo.hpp"

#include <map>

#include "store/sql_detail.hpp"
#include "store/study_repo.hpp"

namespace cati::store {

using namespace detail;

namespace {

using values = std::map<std::string, std::string, std::less<>>;
using answer_map = std::map<std::string, std::optional<std::string>, std::less<>>;

std::map<row_id, values> values_by_case(SQLite::Database& db, const char* sql) {
  std::map<row_id, values> out;
  SQLite::Statement q(db, sql);
  while (q.executeStep()) out[q.getColumn(0).getInt64()][q.getColumn(1).getString()] = q.getColumn(2).getString();
  return out;
}

// Every interview's current answers: the latest row per question, unless it is a drop. Walking the
// rows in sequence order, a later row replaces an earlier one.
std::map<row_id, answer_map> current_answers_by_interview(SQLite::Database& db) {
  std::map<row_id, answer_map> out;
  SQLite::Statement q(db, "SELECT interview_id, question, kind, value FROM answers ORDER BY interview_id, seq");
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

}  // namespace

export_snapshot read_export(SQLite::Database& db, const export_request& request) {
  export_snapshot snap;
  snap.study = current_study(db);

  std::map<row_id, std::string> firm_ids;
  std::map<row_id, std::string> languages;
  {
    SQLite::Statement q(db, "SELECT id, firm_id, language FROM cases ORDER BY id");
    while (q.executeStep()) {
      firm_ids[q.getColumn(0).getInt64()] = q.getColumn(1).getString();
      languages[q.getColumn(0).getInt64()] = q.getColumn(2).getString();
    }
  }
  auto frames = values_by_case(db, "SELECT case_id, name, value FROM case_frame");
  std::map<row_id, values> contacts;
  if (request.contact) {
    contacts = values_by_case(db, "SELECT case_id, name, value FROM contacts");
    SQLite::Statement q(db, "SELECT case_id, number FROM phones ORDER BY case_id, position");
    while (q.executeStep()) {
      auto& phones = contacts[q.getColumn(0).getInt64()][request.phone_variable];
      phones += (phones.empty() ? "" : ";") + q.getColumn(1).getString();
    }
  }
  auto answers = current_answers_by_interview(db);

  SQLite::Statement q(db,
                      "SELECT id, respondent_id, case_id, interviewer_id, questionnaire_version, language, started_at,"
                      " ended_at, final_state FROM interviews ORDER BY id");
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
    r.firm_id = firm_ids[case_id];
    r.frame = frames[case_id];
    if (request.contact) r.contact = contacts[case_id];
    if (auto it = answers.find(r.interview_id); it != answers.end()) r.answers = std::move(it->second);
    snap.interviews.push_back(std::move(r));
  }
  if (!request.cases) return snap;

  std::map<row_id, core::disposition_case> cases;
  for (const auto& [id, firm] : firm_ids) {
    auto& c = cases[id];
    c.record.id = id;
    c.record.language = languages[id];
    c.record.frame = frames[id];
    c.firm_id = firm;
    if (request.contact) c.contact = contacts[id];
  }
  SQLite::Statement calls(db,
                          "SELECT a.case_id, a.at, u.name, a.outcome FROM call_attempts a"
                          " JOIN users u ON u.id = a.interviewer_id ORDER BY a.case_id, a.at, a.id");
  while (calls.executeStep()) {
    auto it = cases.find(calls.getColumn(0).getInt64());
    if (it == cases.end()) continue;
    core::call_attempt call;
    call.at = from_ms(calls.getColumn(1).getInt64());
    call.interviewer = calls.getColumn(2).getString();
    call.result = opt_outcome(calls.getColumn(3)).value_or(core::outcome::unspecified);
    it->second.record.calls.push_back(std::move(call));
  }
  // The latest interview of a case gives its respondent id (the same for all) and its quota answers.
  SQLite::Statement owners(db, "SELECT id, case_id FROM interviews ORDER BY id");
  std::map<row_id, row_id> latest;
  while (owners.executeStep()) latest[owners.getColumn(1).getInt64()] = owners.getColumn(0).getInt64();
  for (const auto& r : snap.interviews) {
    auto owner = std::find_if(latest.begin(), latest.end(), [&](const auto& e) { return e.second == r.interview_id; });
    if (owner == latest.end()) continue;
    auto& c = cases[owner->first];
    c.respondent_id = r.respondent_id;
    c.answers = r.answers;
  }
  for (auto& [id, c] : cases) snap.cases.push_back(std::move(c));
  return snap;
}

}  // namespace cati::store
