// Time as text, for the command line and logs: instants in RFC 3339 ("2025-10-13T09:00:00+02:00",
// "2025-10-13T07:00:00Z") and the --clock option that lets the October 2025 fieldwork be replayed today.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/ports/clock.hpp"
#include "core/util/result.hpp"

namespace cati::core {

// "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM" (a space may stand for the "T").
// An instant needs its offset; for wall time in the study's zone see calendar::parse_moment().
result<time_point> parse_instant(std::string_view text);
// "2025-10-13T07:00:00.000Z": UTC, millisecond precision; parse_instant() reads it back.
std::string format_instant(time_point t);

// The clock the --clock option asks for:
//   "real"            the wall clock;
//   "from:<instant>"  the wall clock shifted to read <instant> now, running at real speed (replay);
//   "fixed:<instant>" a manual_clock stopped at <instant> (tests, the simulator's driver).
result<std::unique_ptr<clock>> make_clock(std::string_view spec);

}  // namespace cati::core
