// The study's calendar: the fieldwork window and the calling hours, in the study's time zone (a real tz
// database, so DST changes are honoured: 09:00 in Brussels is 07:00 UTC in summer time, 08:00 in winter).
//
// At construction every calling period of every day of the window is turned into a UTC interval (a
// `slot`). A window is days to months long, so this is a few dozen to a few hundred slots; every question
// afterwards is a binary search over them and never touches the tz database again, which keeps the
// scheduler cheap when it asks about thousands of cases.
//
// Thread-safety: immutable after make(); safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace date {
class time_zone;
}

namespace cati::core {

// "HH:MM", 00:00 .. 24:00, as minutes after local midnight.
result<int> parse_clock_time(std::string_view hh_mm);
// "YYYY-MM-DD", a real calendar date.
result<std::chrono::year_month_day> parse_date(std::string_view ymd);
// "YYYY-MM-DD".
std::string format_date(std::chrono::year_month_day d);

enum class window_state { not_yet_open, open, closed };

class calendar {
 public:
  // One calling period on one local day, as the UTC interval [begin, end).
  struct slot {
    time_point begin;
    time_point end;
    int day = 0;   // day_index() of the local day
    int part = 0;  // day-part id (see day_part_name())
  };

  // From the questionnaire's time_zone, start_date, end_date and calling_hours. Fails, saying what, on an
  // unknown zone, a bad date, an end before the start, a period with bad minutes or weekdays, or two
  // periods that overlap on the same weekday.
  static result<calendar> make(const questionnaire& q);
  static result<calendar> make(std::string_view time_zone, std::string_view start_date,
                               std::string_view end_date, std::span<const calling_period> periods);

  const std::string& time_zone_name() const { return zone_name_; }

  // The window runs from local midnight of start_date to local midnight after end_date.
  time_point opens() const { return midnights_.front(); }
  time_point closes() const { return midnights_.back(); }
  window_state window_at(time_point t) const;

  // The slot containing t, or nullptr when t is outside calling hours (or outside the window).
  const slot* slot_at(time_point t) const;
  bool is_calling_time(time_point t) const { return slot_at(t) != nullptr; }
  // The name of the day-part t is in ("morning"), or nullopt outside calling hours.
  std::optional<std::string_view> day_part_at(time_point t) const;

  // The first moment at or after t at which calling is allowed; nullopt when the window has no calling
  // time left.
  std::optional<time_point> next_calling_time(time_point t) const {
    return next_calling_time_if(t, [](const slot&) { return true; });
  }
  // The same, restricted to slots `accept` says yes to.
  template <class Accept>
  std::optional<time_point> next_calling_time_if(time_point t, Accept&& accept) const {
    for (auto i = first_slot_ending_after(t); i < slots_.size(); ++i)
      if (accept(slots_[i])) return slots_[i].begin < t ? t : slots_[i].begin;
    return std::nullopt;
  }

  // Why an appointment at `at` cannot be taken at `now`, naming the rule and offering the next calling
  // time, in the study's local time ("Sat 18 Oct 10:00: no calls on Saturdays; the next calling time is
  // Mon 20 Oct 09:00"); nullopt when it can be taken (in the future and inside calling hours).
  std::optional<std::string> appointment_problem(time_point at, time_point now) const;
  // "Mon 13 Oct 09:00" in the study's time zone.
  std::string show(time_point t) const;

  // Day-parts are the distinct calling-period names, in the order they first appear (an unnamed period
  // is its own day-part, "period N"). At most 32.
  int day_part_count() const { return static_cast<int>(part_names_.size()); }
  const std::string& day_part_name(int part) const { return part_names_.at(static_cast<std::size_t>(part)); }
  std::uint32_t all_day_parts() const { return (std::uint32_t{1} << day_part_count()) - 1; }

  // Local days, counted from start_date (day 0); negative before it, >= days() after the window.
  int day_index(time_point t) const;
  int days() const { return static_cast<int>(midnights_.size()) - 1; }
  std::chrono::year_month_day local_date(time_point t) const;
  // The UTC moment of `minute` after local midnight of `d`. An ambiguous local time (the hour repeated
  // when DST ends) is its first occurrence; a skipped one (when DST starts) is the moment of the jump.
  time_point to_utc(std::chrono::year_month_day d, int minute) const;

  // A moment as people type it for --at: an instant with an offset (see parse_instant), a wall time in
  // the study's zone ("2025-10-20T17:30", "2025-10-20 17:30:00"), or a bare date meaning the end of that
  // local day ("2025-10-20": as of the evening of the 20th, every call of that day included).
  result<time_point> parse_moment(std::string_view text) const;

  std::span<const slot> slots() const { return slots_; }

 private:
  calendar() = default;
  std::size_t first_slot_ending_after(time_point t) const;

  const date::time_zone* zone_ = nullptr;  // owned by the tz database, lives for the program
  std::string zone_name_;
  std::chrono::sys_days first_day_{};
  std::vector<time_point> midnights_;  // local midnights: one per window day, plus the one after the last
  std::vector<slot> slots_;            // sorted by begin, never overlapping
  std::vector<std::string> part_names_;
};

}  // namespace cati::core
