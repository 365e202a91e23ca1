// The quota book: every cell of every quota of a study, with its target, policy, completes, in-progress
// leases and open/closed state, and the leases interviews hold. It decides, atomically, whether an
// interview that reached the quota point may go on, and keeps the counts that decision rests on.
//
// Rules (the tests check each one):
// - Placing: an interview falls in at most one cell per quota: the cell whose values equal the
//   interview's values for all of that quota's variables. A quota whose variables are not all known, or
//   whose cells none match (e.g. an answer outside every cell), places it in none of its cells and does
//   not limit it.
// - Leasing (try_lease) is all or none: the interview gets a lease on every cell it falls in, or on none.
//   A cell refuses a *new* lease when it is closed, or, for the normal and allow-over policies, when
//   completes + in-progress >= target (a lease reserves its place, so concurrent interviews never
//   overshoot). A count-only cell has no target: it refuses only when closed. The refusal names every
//   refusing cell and why: "region=BRU: full (24 of 24 completed, 0 in progress)".
// - A lease, once held, is never taken away by a supervisor: closing a cell or lowering a target stops
//   new leases only. complete() always converts a held lease into completes.
// - Policies differ only in what a supervisor may do to the target while interviews are in progress:
//     normal      completes + in-progress <= target always holds: a target below that is refused, so
//                 completes can never exceed it ("never over target, in-progress interviews included");
//     allow_over  the target may be lowered down to the completes; interviews already in progress then
//                 finish past it ("in-progress interviews may finish past the target");
//     count_only  counted, no target (set_target is refused); closing still stops new leases.
// - Asking again (a resumed interview, a retried request) is idempotent: same values, same answer, no
//   second lease; the deadline moves to at least now + ttl. With other values (a quota answer was
//   changed) the lease moves atomically: cells in common are kept without a new check, new cells must
//   have room, and on refusal the old lease is kept unchanged.
// - Time: a lease lives until its deadline and is then swept by expire(now), and also by try_lease(now)
//   before it decides, so a firm is never refused for the room of a lease that has run out. A lease
//   past its deadline that was not swept yet still counts as held: complete() and renew() honour it
//   (nobody can have taken its place, since every admission sweeps first). No lease outlives the next
//   sweep after its deadline.
//
// Every mutating call returns the events it caused (quota_state.hpp), expiries swept first; the caller
// persists them with the interview's own event, and writes supervisor actions into the audit log with who
// and when. Calls that fail change nothing and return no events.
//
// Thread-safety: none, on purpose. The book is fieldwork state owned by the one strand that serialises
// quota decisions (DESIGN.md, "Threading and durability"); call it only from there. It does no I/O and
// reads no clock: time comes in as arguments, so it is deterministic.
#pragma once

#include <climits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/quota/quota_state.hpp"
#include "core/quota/quota_types.hpp"
#include "core/util/result.hpp"

namespace cati::core {

// A quota as the book knows it.
struct quota_info {
  std::string name;
  std::vector<std::string> variables;
  std::vector<bool> frame;   // per variable: a frame variable (known before the call)
  std::size_t first_cell = 0;  // its cells are quota_book::cells()[first_cell, first_cell + cell_count)
  std::size_t cell_count = 0;
};

// A cell and its counts, as the book holds them now.
struct quota_cell_state {
  cell_id id;
  std::string name;           // "region=VLA", "region=VLA, s3_sector=1": how messages name the cell
  std::string label;          // the questionnaire's label ("Brussels"); may be empty
  std::size_t quota = 0;      // index in quota_book::quotas()
  cell_policy policy = cell_policy::normal;
  bool answer_based = false;  // some variable is a question: a case's cell is not known before the call
  int target = 0;             // meaningless for count_only
  int completes = 0;
  int in_progress = 0;        // leases held
  bool closed = false;

  bool has_target() const { return policy != cell_policy::count_only; }
  // Places left for new leases: target - completes - in_progress, at least 0; INT_MAX without a target.
  int room() const;
  // Whether a new lease may be taken here now.
  bool takes_new() const { return !closed && room() > 0; }
};

enum class refusal_reason { full, closed };

// One cell that refused a lease.
struct lease_refusal {
  cell_id cell;
  refusal_reason reason = refusal_reason::full;
  int target = 0;
  int completes = 0;
  int in_progress = 0;
  std::string message;  // "region=BRU: full (24 of 24 completed, 0 in progress)"
  bool operator==(const lease_refusal&) const = default;
};

// The answer to try_lease.
struct lease_answer {
  bool granted = false;
  std::vector<cell_id> cells;           // the cells the interview falls in, in quota order (held if granted)
  time_point deadline{};                // the lease's deadline, when granted
  std::vector<lease_refusal> refusals;  // when refused: every cell without room; nothing was leased
  quota_events events;                  // what changed, refused or not (expiries swept first)
  // For the interviewer: the refusals joined by "; "; "" when granted.
  std::string message() const;
};

class quota_book {
 public:
  // Builds the book from the study's quotas: every cell open, no completes, no leases, targets from the
  // questionnaire. Refuses quotas it cannot use (duplicate quota names or cells, a cell with the wrong
  // number of values, a negative target, a quota without variables), naming the quota and cell.
  static result<quota_book, quota_error> build(const questionnaire& study);
  // The same from the quotas and the names of the frame variables (the others are answers).
  static result<quota_book, quota_error> build(std::span<const quota> quotas,
                                               std::span<const std::string> frame_variables);

  // Rebuilds a book after a restart: `built` fresh from build() for the study, `state` as persisted.
  // Persisted targets, completes, closed flags and leases win over the questionnaire's; cells the state
  // does not mention (added by a newer questionnaire version) stay fresh. Refused (bad_state) when the
  // state names a cell the study lacks, has negative counts, or a lease with two cells of one quota. The
  // counts are trusted as persisted. Afterwards call expire(now): leases whose deadline passed while the
  // server was down are released by the usual rule, the others are kept for interviews that resume.
  static result<quota_book, quota_error> restore(quota_book built, const quota_state& state);

  // --- placing (no change) ---

  // The cells an interview with these values falls in, one per quota at most, in quota order.
  std::vector<cell_id> cells_for(const quota_values& values) const;
  // Per quota (index as in quotas()), the cells still possible for these values: those agreeing with
  // every variable the values know. With all of a quota's variables known that is its one cell, or none.
  std::vector<std::vector<std::size_t>> candidates(const quota_values& values) const;
  // Whether a case with these frame values may be dialled: false when, for some quota, every cell it
  // could still fall in refuses new leases (full or closed). A case no cell can hold is not limited.
  bool dialable(const quota_values& frame_values) const;

  // --- interviews (each returns the events to persist) ---

  // See the rules above. `lease_ttl` must be positive.
  lease_answer try_lease(interview_id interview, const quota_values& values, time_point now,
                         milliseconds lease_ttl);
  // Turns the interview's lease into completes (even past a lowered allow-over target). no_lease when it
  // holds none: the caller decides (try_lease again, or end over quota). Not idempotent by itself: the
  // server answers a retried request from its request-id record.
  result<quota_events, quota_error> complete(interview_id interview);
  // Gives the lease back. Holding none is fine: nothing happens.
  quota_events release(interview_id interview);
  // Moves the deadline to at least now + ttl. no_lease when the interview holds none.
  result<quota_events, quota_error> renew(interview_id interview, time_point now, milliseconds lease_ttl);
  // Releases every lease whose deadline is <= now, earliest first; one lease_expired event each.
  quota_events expire(time_point now);

  // --- supervisor actions ---

  // Refused: unknown cell, count-only cell, negative, below the completes, or (normal cells) below
  // completes + in progress: close the cell to stop new interviews and lower the target once they end;
  // or above the study's target_completes (a book built from a questionnaire knows it). Refusals name the
  // cell as the supervisor sees it: "sector=1 (Services)".
  result<quota_events, quota_error> set_target(const cell_id& cell, int target);
  // The margin rule (margins.hpp) for the quota `cell` belongs to, with its targets as they are now:
  // what is wrong, or nullopt when they add up (or the study has no target, or a cell is count-only).
  std::optional<std::string> margin_warning(const cell_id& cell) const;
  // A cell as the supervisor's page names it: quota=value[/value] (label).
  static std::string display_name(const quota_cell_state& cell);
  // Stops / resumes new leases; held leases are untouched. Closing a closed cell changes nothing.
  result<quota_events, quota_error> close(const cell_id& cell);
  result<quota_events, quota_error> reopen(const cell_id& cell);

  // --- reading ---

  const std::vector<quota_info>& quotas() const { return quotas_; }
  // Every cell, grouped by quota in questionnaire order; indices are stable for the book's life.
  const std::vector<quota_cell_state>& cells() const { return cells_; }
  const quota_cell_state* find(const cell_id& cell) const;
  // The cells the interview holds a lease on, and its deadline; nullopt without a lease.
  std::optional<std::pair<std::vector<cell_id>, time_point>> lease_of(interview_id interview) const;
  std::size_t lease_count() const { return leases_.size(); }
  // The persistent state (quota_state.hpp): what restore() takes back.
  quota_state state() const;

 private:
  struct lease {
    std::vector<std::size_t> cells;  // indices in cells_, ascending (= quota order)
    time_point deadline{};
  };

  quota_book() = default;
  int study_target_ = 0;  // the questionnaire's target_completes; 0 when built without one
  std::optional<std::size_t> index_of(const cell_id& cell) const;
  result<std::size_t, quota_error> supervised_cell(const cell_id& cell) const;
  std::vector<std::size_t> place(const quota_values& values) const;
  std::vector<cell_id> ids(std::span<const std::size_t> cells) const;
  lease_refusal refusal(std::size_t cell) const;
  void hold(interview_id interview, std::vector<std::size_t> cells, time_point deadline);
  void drop(std::map<interview_id, lease>::iterator it);
  void set_deadline(interview_id interview, lease& held, time_point deadline);
  quota_events extend(interview_id interview, lease& held, time_point deadline);

  std::vector<quota_info> quotas_;
  std::vector<quota_cell_state> cells_;
  std::map<interview_id, lease> leases_;
  std::set<std::pair<time_point, interview_id>> deadlines_;  // the sweep order
};

}  // namespace cati::core
