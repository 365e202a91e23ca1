// The vocabulary the quota engine shares with its callers: how interviews and cells are named, the values
// that place an interview in cells, and the engine's error codes. See quota_book.hpp for the rules.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cati::core {

// Interviews are named by the store's interview id.
using interview_id = std::int64_t;

// An interview's (or, before the call, a case's) values for quota variables: variable name -> value in
// its stable text form (value::to_string(): frame codes "VLA", single-choice codes "1"). Values are
// compared as text, exactly. A variable absent from the map is not known (yet).
using quota_values = std::map<std::string, std::string, std::less<>>;

// A cell as it is persisted and as supervisors address it: its quota's name and its values, one per
// quota variable in the quota's order. Stable across restarts and across questionnaire versions that keep
// the cell.
struct cell_id {
  std::string quota;
  std::vector<std::string> values;

  auto operator<=>(const cell_id&) const = default;
  bool operator==(const cell_id&) const = default;
};

// "region[VLA]", "region_sector[VLA,1]": a compact, unambiguous-enough form for logs and keys. Messages
// for people use the book's "region=VLA" form (quota_cell_state::name) instead.
std::string to_string(const cell_id& cell);

enum class quota_errc {
  bad_definition,       // the questionnaire's quotas cannot be used (duplicate cell, wrong value count, ...)
  bad_state,            // a persisted state does not fit the questionnaire (unknown cell, ...)
  unknown_cell,         // a supervisor named a cell the study does not have
  no_target,            // a target was set on a count-only cell
  negative_target,
  target_below_completes,
  target_below_in_progress,  // normal cells only: completes + in-progress leases would exceed it
  target_above_study,   // one cell's target above the study's target_completes (core/quota/margins.hpp)
  no_lease,             // the interview holds no lease (never taken, released, completed or expired)
};

struct quota_error {
  quota_errc code = quota_errc::bad_definition;
  std::string message;  // says which cell or interview and why, for the supervisor or the log
};

}  // namespace cati::core
