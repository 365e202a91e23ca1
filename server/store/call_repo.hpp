// The call log (every dial, never changed afterwards) and appointments.
#pragma once

#include <vector>

#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

std::string_view to_string(appointment_state state);
std::optional<appointment_state> appointment_state_from_string(std::string_view name);

// Appends the attempt and keeps the case's dial count, last call and (when given) schedule in step, in
// the same transaction. Throws store_error(not_found) for an unknown case or interviewer.
row_id record_call_attempt(sql::connection& db, const call_attempt& attempt);
// Oldest first.
std::vector<call_record> call_history(sql::connection& db, row_id case_id);
// The whole log up to and including `until` (every attempt when nullopt), oldest first: for
// dispositions and AAPOR rates at any past moment.
std::vector<call_record> call_log(sql::connection& db, std::optional<time_point> until = std::nullopt);

// Throws store_error(not_found) for an unknown case or user.
row_id create_appointment(sql::connection& db, const appointment& appt);
// pending -> kept / missed / cancelled. Setting the state it already has changes nothing; any other
// change of a resolved appointment is a conflict. Throws not_found.
void resolve_appointment(sql::connection& db, row_id id, appointment_state state, time_point at);
// Every appointment of the case, by due time.
std::vector<appointment_record> appointments_of(sql::connection& db, row_id case_id);
// Every pending appointment, by due time.
std::vector<appointment_record> pending_appointments(sql::connection& db);

}  // namespace cati::store
