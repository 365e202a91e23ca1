// Quota cells, counts and leases on disk: the store's side of the seam in core/quota/quota_state.hpp. The
// quota book decides; each of its mutating calls returns events, which are written here in the same job
// (one transaction) as the interview's own change, so the counts on disk never disagree with the
// interviews. On restart load_quota_state() gives quota_book::restore() its state back.
//
// Cells are keyed by quota name and values (core::cell_id); leases by interview id (the store's).
#pragma once

#include "core/quota/quota_state.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// Adds the cells of `fresh` (quota_book::build(study).state()) that the file does not have yet, with
// their targets; cells already stored keep their stored target, completes and closed state.
void ensure_quota_cells(sql::connection& db, const core::quota_state& fresh);

// Applies the events as core::apply() does. An event that does not fit the stored state (an unknown cell,
// a lease that is not there, a lease taken twice) throws store_error(invalid): the job is rolled back.
void apply_quota_events(sql::connection& db, const core::quota_events& events);

core::quota_state load_quota_state(sql::connection& db);

}  // namespace cati::store
