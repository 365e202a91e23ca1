// Cases (the firms of the sample), their frame values and their contact data.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calling/case_record.hpp"
#include "core/sample/sample_row.hpp"
#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

struct import_context {
  std::string source;  // the file name, for messages and the audit log
  time_point at{};
  std::optional<row_id> by;
};

struct import_result {
  // The frame's own problems and those only the fieldwork can see (a firm id or phone number already
  // stored), in line order. When there is any, nothing was imported.
  std::vector<core::sample_problem> problems;
  int imported = 0;
  bool ok() const { return problems.empty(); }
};

// All or nothing: imports every case of `frame` when neither the frame nor the fieldwork has a problem
// with any row; otherwise changes nothing and returns every problem. Run as one writer job (one
// transaction), which is what makes importing into a live fieldwork safe.
import_result import_sample(sql::connection& db, const core::sample_frame& frame, const import_context& context);

std::optional<row_id> find_case(sql::connection& db, std::string_view firm_id);
int case_count(sql::connection& db);

// Every case with what scheduling needs (no contact data), by case id.
std::vector<case_summary> cases_for_scheduling(sql::connection& db);
std::optional<case_summary> case_for_scheduling(sql::connection& db, row_id case_id);
std::optional<case_contact> contact_of(sql::connection& db, row_id case_id);

// The scheduler's decision about a case (also settable with a call attempt). Throws not_found.
void set_case_schedule(sql::connection& db, row_id case_id, const case_schedule& schedule);

// Holds the case for `user` until `until` if nobody else holds it at `now` (a hold past its time is
// free). Holding again by the same user extends it. Returns whether the user now holds it.
bool hold_case(sql::connection& db, row_id case_id, row_id user, time_point now, time_point until);
// Frees the case if `user` holds it; no effect otherwise.
void release_case(sql::connection& db, row_id case_id, row_id user);

// The fieldwork's lock on the case as it is now (core::case_held), whatever it was: held by the user
// named `holder` until `until`, or (holder empty) released, written as held_by NULL, held_until 0 so
// that a released lock is told apart from one never recorded (NULL). Throws not_found for an unknown case.
void set_case_lock(sql::connection& db, row_id case_id, const std::string& holder, time_point until);

// --- sample replicates (core/sample/replicates.hpp; migration 4) -------------------------------------

struct replicate_status {
  int replicate = 0;
  int cases = 0;
  std::optional<time_point> released_at;  // replicate 0 is always released (nullopt)
  bool released() const { return replicate == 0 || released_at.has_value(); }
};

// Cases per replicate with their release, by replicate.
std::vector<replicate_status> replicates(sql::connection& db);
// Every case never called and still in replicate 0 (the frame as imported), with its frame values: those
// that can be split into replicates.
std::vector<core::case_record> unsplit_cases(sql::connection& db);
// Puts each case in its replicate (> 0). Refused (store_error conflict, nothing changed) when a case was
// called already, is in another replicate already, or when replicates exist already.
void set_replicates(sql::connection& db, const std::map<row_id, int>& replicate_of);
// Releases replicate `replicate` (> 0, with cases, not yet released) at `at`. Refused (store_error) otherwise.
void release_replicate(sql::connection& db, int replicate, time_point at, std::optional<row_id> by);

}  // namespace cati::store
