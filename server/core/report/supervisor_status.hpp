// What a supervisor watches besides the quota table, computed from the fieldwork's history: completes per
// day against the plan, dispositions and AAPOR rates overall and per group (region), and each
// interviewer's state and productivity. The supervisor page and `cati-term --supervisor` show it.
//
// Pure: no I/O, no clock. Everything is derived from the call histories (the truth, as for `cati report`),
// the interviews that ended (for their length) and who is online and doing what (the service knows that).
// Cost: one pass over the cases per breakdown; a few thousand cases take well under a millisecond each.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/report/aapor.hpp"
#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"

namespace cati::core {

// --- progress ----------------------------------------------------------------------------------------

struct day_progress {
  std::string date;            // "2025-10-13", the study's local date
  int completes = 0;           // completes whose call ended that day
  int cumulative = 0;          // completes up to the end of that day (up to `now` for today and later)
  int planned_cumulative = 0;  // where the plan wants the total to be at the end of that day
};

// One row per day of the fieldwork window. The plan spreads `target` over the window in proportion to
// its calling time (a day without calling hours plans nothing; a short day plans less), so that the last
// day of the window ends at the target. Completes are the calls with outcome complete at or before `now`;
// one made outside the window counts on its first or last day.
std::vector<day_progress> progress_by_day(std::span<const case_record> cases, const calendar& cal, int target,
                                          time_point now);

// --- dispositions and rates --------------------------------------------------------------------------

struct rate_group {
  std::string group;  // "all", or the group's value ("VLA")
  disposition_counts counts;
  aapor_rates rates;  // e estimated per group, as `cati report` does
};

// "all" first, then one group per value of the frame variable `by` ("region"), as of `now`. A study
// without that frame variable (or one that is contact data) gets "all" only. Cases without a value for
// `by` count in "all" only.
std::vector<rate_group> rates_by(std::span<const case_record> cases, const questionnaire& study,
                                 const calendar& cal, std::string_view by, time_point now);

// --- interviewers ------------------------------------------------------------------------------------

enum class interviewer_activity { idle, calling, interviewing };
std::string_view to_string(interviewer_activity a);  // "idle", "calling", "interviewing"

// Who is logged in and what they do now, as the service knows it.
struct interviewer_presence {
  std::string name;
  bool online = false;
  interviewer_activity activity = interviewer_activity::idle;
};

// An interview that ended, for the mean interview length.
struct interview_span {
  std::string interviewer;
  time_point started{};
  time_point ended{};
  bool complete = false;
};

struct interviewer_row {
  std::string name;
  bool online = false;
  interviewer_activity activity = interviewer_activity::idle;
  int calls = 0;      // today (the local day of `now`): every call, interview endings included
  int completes = 0;  // today
  // Per hour of work today: from their first call of the day to `now` while online, to their last call
  // once offline; at least a quarter of an hour, so that the first call does not read as hundreds per hour.
  double calls_per_hour = 0;
  double completes_per_hour = 0;
  // Mean length of their complete interviews (start to end); nullopt while they have none.
  std::optional<double> mean_interview_minutes;
};

// Everyone present or with a call today, by name. An interviewer neither online nor active today is not
// listed (the supervisor watches today's shift).
std::vector<interviewer_row> interviewer_rows(std::span<const case_record> cases,
                                              std::span<const interview_span> interviews,
                                              std::span<const interviewer_presence> presence, const calendar& cal,
                                              time_point now);

}  // namespace cati::core
