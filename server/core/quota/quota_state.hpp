// What the quota engine persists: the changes each mutating call makes (quota_event), and the whole state
// they add up to (quota_state).
//
// The seam with the store: every mutating call of quota_book returns its events; the store writes them in
// the same transaction that records the interview's own event (quota point reached, complete, break-off,
// supervisor action), so the quota counts on disk never disagree with the interviews. On restart the store
// reads a quota_state back and quota_book::restore() rebuilds the identical book. apply() below is the
// reference meaning of each event: folding a book's events onto the state it started from gives the
// state it ends in (the tests check exactly that), so a store that mirrors apply() cannot drift.
#pragma once

#include <map>
#include <set>
#include <variant>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/quota/quota_types.hpp"

namespace cati::core {

// An interview took a lease on `cells` (possibly none: it falls in no cell, but still holds a lease so
// that complete() can tell "nothing to count" from "lease lost"), valid until `deadline`.
struct lease_taken {
  interview_id interview = 0;
  std::vector<cell_id> cells;
  time_point deadline{};
  bool operator==(const lease_taken&) const = default;
};

// An interview that held a lease asked again with other values (an answer to a quota question was
// changed): it left `dropped`, joined `added`, kept the cells in common, and its deadline is now
// `deadline`. One event, because the move is atomic.
struct lease_moved {
  interview_id interview = 0;
  std::vector<cell_id> dropped;
  std::vector<cell_id> added;
  time_point deadline{};
  bool operator==(const lease_moved&) const = default;
};

// The lease's deadline moved later (activity, or a resumed interview asking again).
struct lease_renewed {
  interview_id interview = 0;
  time_point deadline{};
  bool operator==(const lease_renewed&) const = default;
};

// The caller gave the lease back (break-off, refusal, disconnect not resumed, over quota elsewhere).
struct lease_released {
  interview_id interview = 0;
  std::vector<cell_id> cells;
  bool operator==(const lease_released&) const = default;
};

// The lease passed its deadline and was swept; `deadline` is the one it had.
struct lease_expired {
  interview_id interview = 0;
  std::vector<cell_id> cells;
  time_point deadline{};
  bool operator==(const lease_expired&) const = default;
};

// The interview completed: each of `cells` gained a complete, and the lease is gone.
struct lease_completed {
  interview_id interview = 0;
  std::vector<cell_id> cells;
  bool operator==(const lease_completed&) const = default;
};

// Supervisor actions; who and when are the caller's to record.
struct target_changed {
  cell_id cell;
  int from = 0;
  int to = 0;
  bool operator==(const target_changed&) const = default;
};
struct cell_closed {
  cell_id cell;
  bool operator==(const cell_closed&) const = default;
};
struct cell_reopened {
  cell_id cell;
  bool operator==(const cell_reopened&) const = default;
};

using quota_event = std::variant<lease_taken, lease_moved, lease_renewed, lease_released, lease_expired,
                                 lease_completed, target_changed, cell_closed, cell_reopened>;
using quota_events = std::vector<quota_event>;

// What a cell needs persisted. Policy and label come from the questionnaire; the target is persisted
// because supervisors change it during fieldwork.
struct cell_record {
  int target = 0;
  int completes = 0;
  bool closed = false;
  bool operator==(const cell_record&) const = default;
};

struct lease_record {
  std::set<cell_id> cells;
  time_point deadline{};
  bool operator==(const lease_record&) const = default;
};

// The whole persistent state of a quota book. In-progress counts are not stored: they are the leases.
struct quota_state {
  std::map<cell_id, cell_record> cells;
  std::map<interview_id, lease_record> leases;
  bool operator==(const quota_state&) const = default;
};

// Applies one event to `state`, as the store must. Precondition: `state` is the state the event was made
// from (every cell the event names is present; lease events name a lease that exists, except
// lease_taken). Violations are programming errors (asserted).
void apply(quota_state& state, const quota_event& event);

}  // namespace cati::core
