// Interviews and their answers. Answers are a history: every change is a new row with the next
// sequence number of the interview; none is overwritten. (interview, seq) is unique, which makes a
// retried answer (a terminal resending after a lost ack) harmless: it gets the original ack back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// Opens an interview on a case. Its respondent id and seed are those of the case's earlier interviews,
// or fresh random ones for the first. Throws not_found for an unknown case or interviewer.
interview_record create_interview(sql::connection& db, const new_interview& interview);

// Records one answer (or drop), exactly once:
// - (interview, seq) stored before with the same content: nothing changes; the original ack comes back
//   with repeated = true (even after the interview ended);
// - stored before with other content: store_error(conflict);
// - seq beyond the next one: sequence_gap; the interview ended: closed; unknown interview: not_found.
// `snapshot`, when given, replaces the interview's saved engine state in the same transaction.
answer_ack append_answer(sql::connection& db, const answer& a,
                         const std::optional<std::string>& snapshot = std::nullopt);
// The same for the fieldwork service's answer, with its request's sequence number and fingerprint on
// the row (what a restart replays after the snapshot).
answer_ack append_sequenced_answer(sql::connection& db, const answer& a, const answer_sequence& sequence);

// Ends the interview with its final state. Ending it again with the same state changes nothing and
// returns false; with another state: conflict. Quota leases are not touched here: persist the quota
// book's events for the same step (apply_quota_events) in the same job.
bool finish_interview(sql::connection& db, row_id interview_id, core::outcome final_state, time_point at);

// Replaces the interview's saved engine state (core::to_text(saved_interview)). Throws not_found.
void save_snapshot(sql::connection& db, row_id interview_id, const std::string& snapshot);

// Who owns the open interview, the language it runs in and whether it is suspended (core::interview_owned:
// a takeover, a language switch, a suspension or a resumption). Throws not_found.
void set_interview_owner(sql::connection& db, row_id interview_id, row_id interviewer, const std::string& language,
                         bool suspended);

std::optional<interview_record> find_interview(sql::connection& db, row_id interview_id);
std::vector<interview_record> interviews_of_case(sql::connection& db, row_id case_id);
// Not ended yet: what a restarted server offers back to reconnecting terminals.
std::vector<interview_record> open_interviews(sql::connection& db);

// Every row, by sequence number, each marked current or not.
std::vector<answer_record> answer_history(sql::connection& db, row_id interview_id);
// The current answers only (drops left out), by sequence number.
std::vector<answer_record> current_answers(sql::connection& db, row_id interview_id);

}  // namespace cati::store
