// The quota book read against the sample still callable: the quota table supervisors see (target,
// completes, in progress, left, open/closed, priority, can the target still be reached) and the
// scheduler's priority for a case before it is dialled (issue 3: "cases whose quota cells need them most
// come first; cells that are full or closed are not called").
//
// Estimates, per cell:
// - need: target - completes - in progress, at least 0. In-progress interviews are counted as completes
//   to come, since their leases already hold the places.
// - sample left: callable cases that could still fall in the cell: those whose frame values agree with
//   the cell's frame variables (a case silent on a variable could be in any of its cells). For a cell on
//   frame variables only, this is exact.
// - share: for a cell with answer variables (s3_sector), which cases fall in it is learnt only in the
//   call. Its share of the cases that agree with it on the frame variables is estimated from the
//   interviews that reached the quota point so far, smoothed as (seen here + 1) / (seen in its group +
//   cells in its group), so with no data the cells of a group share equally. "Seen" is the
//   `arrivals` given (every interview that answered, over quota and break-offs included: unbiased), or
//   else the book's completes + in progress, which over-states the cells still open once others fill.
//   Cells on frame variables only have share 1.
// - expected cases = sample left * share; expected completes = expected cases * completes per case.
//
// Reachability (see `reachability`) and priority follow from these; the formulas are at their fields.
//
// Thread-safety and lifetime: a quota_outlook is a picture of the book taken when it is built; it keeps a
// pointer to the book (for the quotas' structure, which never changes) and must not outlive it. Build a
// new one after the book changes. Not thread-safe, not even its const calls (priority() fills a cache):
// like the book, use it from one thread or strand.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quota/quota_book.hpp"

namespace cati::core {

enum class reachability {
  no_target,   // count-only cell
  reached,     // completes >= target
  on_track,    // the in-progress interviews fill it, or the expected completes cover the need
  at_risk,     // the expected completes fall short of the need
  impossible,  // the need exceeds the sample left, even if every case there completed in this cell
  unknown,     // not impossible, but no estimate: completes per case not given, or (answer-based cell)
               // fewer than min_share_basis interviews to estimate its share from
};
std::string_view to_string(reachability r);

// Callable cases with the same values for the quotas' frame variables.
struct sample_group {
  quota_values frame_values;
  int cases = 0;
};

struct outlook_input {
  // Cases still callable (not finalised), grouped by their values for quota_frame_variables(book); a
  // group may leave a variable out (then it counts towards every cell of that variable).
  std::vector<sample_group> sample_left;
  // Expected completes per callable case (e.g. completes / cases finalised so far); 0 when unknown.
  double completes_per_case = 0;
  // Interviews that reached the quota point per cell, whatever their end (see "share" above). Empty:
  // estimate from the book's completes + in progress.
  std::map<cell_id, int> arrivals;
  int min_share_basis = 10;
};

// One line of the quota table.
struct quota_row {
  quota_cell_state cell;      // target, completes, in progress, closed, policy, names
  int left = 0;               // completes still wanted: target - completes, at least 0; 0 without a target
  int sample_left = 0;        // callable cases that could fall in the cell
  double share = 1;           // estimated share of those that will fall in it
  int share_basis = 0;        // interviews the share rests on (for answer-based cells)
  double expected_cases = 0;  // sample_left * share
  std::optional<double> expected_completes;  // expected_cases * completes_per_case, when that is known
  // need / max(expected_cases, 1): the fraction of the cases that can still give this cell that it needs.
  // 0 when the cell is closed, full or count-only; above 1 means more than the sample is expected to give.
  double priority = 0;
  reachability reach = reachability::unknown;
};

// The scheduler's order key for a case before the call. a > b means call a first: dialable cases before
// the others, then the higher score. The score is, summed over quotas, the expected priority of the cell
// the case will fall in: the priority of its one cell when its frame values fix it, else the average over
// the cells still possible weighted by their estimated shares (full cells weigh in at 0: the call may end
// over quota). Quotas that cannot hold the case add nothing.
struct case_priority {
  bool dialable = true;
  double score = 0;
  std::partial_ordering operator<=>(const case_priority&) const = default;
};

class quota_outlook {
 public:
  quota_outlook(const quota_book& book, const outlook_input& input);

  // In the book's cell order (grouped by quota).
  const std::vector<quota_row>& rows() const { return rows_; }
  // See case_priority. Not dialable exactly when book.dialable(frame_values) was false at build time.
  // Computed once per distinct combination of quota variables' values (a handful: the regions) and
  // looked up afterwards, so the scheduler can ask for every due case.
  case_priority priority(const quota_values& frame_values) const;

 private:
  case_priority compute(const quota_values& frame_values) const;

  const quota_book* book_;
  std::vector<quota_row> rows_;
  std::vector<double> weight_;           // per cell: interviews seen + 1, the numerator of its share
  std::vector<std::string> variables_;   // every quota variable: what a priority depends on
  mutable std::map<quota_values, case_priority> cache_;
};

// The frame variables the quotas use, each once, in quota order: what sample_left is grouped by.
std::vector<std::string> quota_frame_variables(const quota_book& book);

}  // namespace cati::core
