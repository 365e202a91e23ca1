#include "core/calling/calendar.hpp"
#include "core/ports/clock_spec.hpp"

#include <gtest/gtest.h>

namespace cati::core {
namespace {

using namespace std::chrono;

time_point utc(int y, unsigned mo, unsigned d, int h, int mi) {
  return time_point{sys_days{year_month_day{year{y}, month{mo}, day{d}}} + hours{h} + std::chrono::minutes{mi}};
}

std::vector<calling_period> seed_hours() {
  return {{{1, 2, 3, 4, 5}, 9 * 60, 12 * 60, "morning"}, {{1, 2, 3, 4, 5}, 13 * 60 + 30, 17 * 60 + 30, "afternoon"}};
}

calendar make(std::string_view from, std::string_view to, std::vector<calling_period> periods = seed_hours()) {
  auto c = calendar::make("Europe/Brussels", from, to, periods);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.err().message);
  return std::move(c).value();
}

TEST(CalendarTest, ParsesClockTimes) {
  EXPECT_EQ(*parse_clock_time("09:00"), 540);
  EXPECT_EQ(*parse_clock_time("13:30"), 810);
  EXPECT_EQ(*parse_clock_time("00:00"), 0);
  EXPECT_EQ(*parse_clock_time("24:00"), 1440);
  for (auto bad : {"24:01", "9:00", "09:0", "12:60", "ab:cd", "09-00", "+9:00", "", "09:00 "})
    EXPECT_FALSE(parse_clock_time(bad).has_value()) << bad;
  EXPECT_NE(parse_clock_time("25:00").err().message.find("HH:MM"), std::string::npos);
}

TEST(CalendarTest, ParsesAndFormatsDates) {
  auto d = parse_date("2025-10-13");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, year_month_day(year{2025}, month{10}, day{13}));
  EXPECT_EQ(format_date(*d), "2025-10-13");
  EXPECT_TRUE(parse_date("2024-02-29").has_value());
  for (auto bad : {"2025-02-29", "2025-13-01", "2025-10-32", "2025/10/13", "20251013", "2025-1-13", "", "x025-10-13"})
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
}

TEST(CalendarTest, RejectsBadSetupsWithAReason) {
  auto hours = seed_hours();
  auto message = [](const result<calendar>& r) { return r ? std::string() : r.err().message; };
  EXPECT_NE(message(calendar::make("Europe/Bruxelles", "2025-10-13", "2025-10-23", hours)).find("time zone"),
            std::string::npos);
  EXPECT_NE(message(calendar::make("Europe/Brussels", "2025-10-23", "2025-10-13", hours)).find("before"),
            std::string::npos);
  EXPECT_NE(message(calendar::make("Europe/Brussels", "2025-10-13", "2025-10-32", hours)).find("end_date"),
            std::string::npos);

  auto backwards = hours;
  backwards[0].to_minute = backwards[0].from_minute;
  EXPECT_FALSE(calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", backwards).has_value());
  auto overlapping = hours;
  overlapping[1].from_minute = 11 * 60;
  EXPECT_NE(message(calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", overlapping)).find("overlap"),
            std::string::npos);
  auto bad_day = hours;
  bad_day[0].weekdays.push_back(8);
  EXPECT_FALSE(calendar::make("Europe/Brussels", "2025-10-13", "2025-10-23", bad_day).has_value());
}

TEST(CalendarTest, FieldworkWindowIsLocalMidnightToMidnight) {
  auto cal = make("2025-10-13", "2025-10-23");
  EXPECT_EQ(cal.opens(), utc(2025, 10, 12, 22, 0));   // 13 Oct 00:00 CEST
  EXPECT_EQ(cal.closes(), utc(2025, 10, 23, 22, 0));  // 24 Oct 00:00 CEST
  EXPECT_EQ(cal.window_at(utc(2025, 10, 12, 21, 59)), window_state::not_yet_open);
  EXPECT_EQ(cal.window_at(utc(2025, 10, 12, 22, 0)), window_state::open);
  EXPECT_EQ(cal.window_at(utc(2025, 10, 23, 21, 59)), window_state::open);
  EXPECT_EQ(cal.window_at(utc(2025, 10, 23, 22, 0)), window_state::closed);
  EXPECT_EQ(cal.days(), 11);
  // Weekdays only: 9 working days, two periods each.
  EXPECT_EQ(cal.slots().size(), 18u);
}

// Brussels leaves summer time on Sunday 26 October 2025 at 03:00 CEST (01:00 UTC): clocks go back to 02:00.
TEST(CalendarTest, CallingHoursFollowTheDstChange) {
  auto cal = make("2025-10-20", "2025-10-31");
  // Friday before: CEST, UTC+2.
  EXPECT_FALSE(cal.is_calling_time(utc(2025, 10, 24, 6, 59)));
  EXPECT_TRUE(cal.is_calling_time(utc(2025, 10, 24, 7, 0)));
  EXPECT_EQ(cal.to_utc(year_month_day{year{2025}, month{10}, day{24}}, 9 * 60), utc(2025, 10, 24, 7, 0));
  // Monday after: CET, UTC+1. 07:00 UTC is now 08:00 local, before calling hours.
  EXPECT_FALSE(cal.is_calling_time(utc(2025, 10, 27, 7, 0)));
  EXPECT_FALSE(cal.is_calling_time(utc(2025, 10, 27, 7, 59)));
  EXPECT_TRUE(cal.is_calling_time(utc(2025, 10, 27, 8, 0)));
  EXPECT_EQ(cal.to_utc(year_month_day{year{2025}, month{10}, day{27}}, 9 * 60), utc(2025, 10, 27, 8, 0));
  // The afternoon ends at 17:30 local: 15:30 UTC before, 16:30 UTC after.
  EXPECT_FALSE(cal.is_calling_time(utc(2025, 10, 24, 15, 30)));
  EXPECT_TRUE(cal.is_calling_time(utc(2025, 10, 27, 16, 29)));
  EXPECT_FALSE(cal.is_calling_time(utc(2025, 10, 27, 16, 30)));
  // From Friday evening the next calling time is Monday 09:00 local, i.e. 08:00 UTC.
  EXPECT_EQ(cal.next_calling_time(utc(2025, 10, 24, 16, 0)), utc(2025, 10, 27, 8, 0));
  // The Sunday of the change lasts 25 hours.
  EXPECT_EQ(cal.to_utc(year_month_day{year{2025}, month{10}, day{27}}, 0) -
                cal.to_utc(year_month_day{year{2025}, month{10}, day{26}}, 0),
            hours{25});
}

TEST(CalendarTest, CallingOnTheDayOfTheChange) {
  // A Sunday period on the change day itself: 09:00 CET is 08:00 UTC.
  auto cal = make("2025-10-25", "2025-10-26", {{{6, 7}, 9 * 60, 12 * 60, "morning"}});
  ASSERT_EQ(cal.slots().size(), 2u);
  EXPECT_EQ(cal.slots()[0].begin, utc(2025, 10, 25, 7, 0));
  EXPECT_EQ(cal.slots()[1].begin, utc(2025, 10, 26, 8, 0));
  EXPECT_EQ(cal.slots()[1].end, utc(2025, 10, 26, 11, 0));
}

TEST(CalendarTest, AmbiguousAndSkippedLocalTimes) {
  auto cal = make("2025-03-29", "2025-10-31");
  // 02:30 happens twice on 26 October: the first one (CEST) is meant.
  EXPECT_EQ(cal.to_utc(year_month_day{year{2025}, month{10}, day{26}}, 2 * 60 + 30), utc(2025, 10, 26, 0, 30));
  // 02:30 never happens on 30 March: the moment of the jump (02:00 CET = 01:00 UTC).
  EXPECT_EQ(cal.to_utc(year_month_day{year{2025}, month{3}, day{30}}, 2 * 60 + 30), utc(2025, 3, 30, 1, 0));
}

TEST(CalendarTest, DayPartsAndNextCallingTime) {
  auto cal = make("2025-10-13", "2025-10-23");
  ASSERT_EQ(cal.day_part_count(), 2);
  EXPECT_EQ(cal.day_part_name(0), "morning");
  EXPECT_EQ(cal.day_part_name(1), "afternoon");
  EXPECT_EQ(cal.all_day_parts(), 0b11u);

  EXPECT_EQ(cal.day_part_at(utc(2025, 10, 14, 7, 0)), "morning");     // 09:00
  EXPECT_EQ(cal.day_part_at(utc(2025, 10, 14, 9, 59)), "morning");    // 11:59
  EXPECT_EQ(cal.day_part_at(utc(2025, 10, 14, 10, 0)), std::nullopt); // 12:00, lunch
  EXPECT_EQ(cal.day_part_at(utc(2025, 10, 14, 11, 30)), "afternoon"); // 13:30
  EXPECT_EQ(cal.day_part_at(utc(2025, 10, 18, 9, 0)), std::nullopt);  // Saturday

  auto inside = utc(2025, 10, 14, 8, 0);
  EXPECT_EQ(cal.next_calling_time(inside), inside);
  EXPECT_EQ(cal.next_calling_time(utc(2025, 10, 14, 10, 30)), utc(2025, 10, 14, 11, 30));  // lunch -> 13:30
  EXPECT_EQ(cal.next_calling_time(utc(2025, 10, 17, 16, 0)), utc(2025, 10, 20, 7, 0));     // Fri 18:00 -> Mon
  EXPECT_EQ(cal.next_calling_time(utc(2025, 10, 1, 0, 0)), utc(2025, 10, 13, 7, 0));       // before the window
  EXPECT_EQ(cal.next_calling_time(utc(2025, 10, 23, 15, 30)), std::nullopt);               // last day over
  // Restricted to afternoons.
  auto afternoon = [](const calendar::slot& s) { return s.part == 1; };
  EXPECT_EQ(cal.next_calling_time_if(utc(2025, 10, 14, 7, 0), afternoon), utc(2025, 10, 14, 11, 30));
}

TEST(CalendarTest, AppointmentRefusalsNameTheRuleAndTheNextCallingTime) {
  auto cal = make("2025-10-13", "2025-10-23");
  const auto now = utc(2025, 10, 13, 7, 5);  // Mon 09:05
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 14, 8, 0), now), std::nullopt);  // Tue 10:00
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 14, 10, 30), now),
            "12:30 is in the break between morning and afternoon (12:00-13:30); the next calling time is Tue 14 Oct 13:30");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 14, 15, 30), now),
            "Tue 14 Oct 17:30 is after calling hours (09:00-12:00, 13:30-17:30: calls end at 17:30); the next calling "
            "time is Wed 15 Oct 09:00");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 14, 20, 0), now),
            "Tue 14 Oct 22:00 is after calling hours (09:00-12:00, 13:30-17:30: calls end at 17:30); the next calling "
            "time is Wed 15 Oct 09:00");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 14, 5, 0), now),
            "Tue 14 Oct 07:00 is before calling hours (09:00-12:00, 13:30-17:30); the next calling time is Tue 14 Oct 09:00");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 18, 8, 0), now),
            "Sat 18 Oct 10:00: no calls on Saturdays; the next calling time is Mon 20 Oct 09:00");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 24, 8, 0), now),
            "Fri 24 Oct 10:00 is after the fieldwork, whose last calls end Thu 23 Oct 17:30");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 13, 7, 0), now),
            "Mon 13 Oct 09:00 has passed (it is Mon 13 Oct 09:05); the next calling time is Mon 13 Oct 09:05");
  EXPECT_EQ(cal.appointment_problem(utc(2025, 10, 10, 8, 0), utc(2025, 10, 9, 8, 0)),
            "Fri 10 Oct 10:00 is before the fieldwork, which starts Mon 13 Oct 00:00; the next calling time is Mon 13 Oct "
            "09:00");
}

// An appointment is for later: one at this very moment has passed too (a mutant that took "now" survived
// tools/mutate), while one a minute later is taken.
TEST(CalendarTest, AnAppointmentAtThisVeryMomentHasPassed) {
  auto cal = make("2025-10-13", "2025-10-23");
  const auto now = utc(2025, 10, 13, 7, 5);  // Mon 09:05, in calling hours
  auto problem = cal.appointment_problem(now, now);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("has passed"), std::string::npos) << *problem;
  EXPECT_EQ(cal.appointment_problem(now + std::chrono::minutes(1), now), std::nullopt);
}

TEST(CalendarTest, LocalDatesAndDayIndexes) {
  auto cal = make("2025-10-13", "2025-10-23");
  // 23:30 UTC on the 13th is 01:30 on the 14th in Brussels.
  EXPECT_EQ(cal.local_date(utc(2025, 10, 13, 23, 30)), year_month_day(year{2025}, month{10}, day{14}));
  EXPECT_EQ(cal.day_index(utc(2025, 10, 13, 23, 30)), 1);
  EXPECT_EQ(cal.day_index(utc(2025, 10, 13, 21, 59)), 0);
  EXPECT_EQ(cal.day_index(utc(2025, 10, 12, 21, 0)), -1);  // outside the window too
  EXPECT_EQ(cal.day_index(utc(2025, 10, 24, 9, 0)), 11);
  EXPECT_EQ(cal.slots()[2].day, 1);  // Tuesday morning
}

TEST(CalendarTest, ParsesInstants) {
  EXPECT_EQ(*parse_instant("2025-10-13T09:00:00+02:00"), utc(2025, 10, 13, 7, 0));
  EXPECT_EQ(*parse_instant("2025-10-13T07:00Z"), utc(2025, 10, 13, 7, 0));
  EXPECT_EQ(*parse_instant("2025-10-13 07:00:05.25Z"), utc(2025, 10, 13, 7, 0) + milliseconds{5250});
  EXPECT_EQ(*parse_instant("2025-10-27T09:00:00+01:00"), utc(2025, 10, 27, 8, 0));
  EXPECT_EQ(*parse_instant("2025-10-13T00:30:00-03:30"), utc(2025, 10, 13, 4, 0));
  for (auto bad : {"2025-10-13T09:00:00", "2025-10-13", "2025-10-13T25:00Z", "2025-02-30T09:00Z",
                   "2025-10-13T09:00:00+0200", "2025-10-13T09:00:00.Z", "2025-10-13T09:00Zjunk", ""})
    EXPECT_FALSE(parse_instant(bad).has_value()) << bad;
  auto t = utc(2025, 10, 13, 7, 0) + milliseconds{42};
  EXPECT_EQ(format_instant(t), "2025-10-13T07:00:00.042Z");
  EXPECT_EQ(*parse_instant(format_instant(t)), t);
}

TEST(CalendarTest, ParsesMomentsInTheStudyZone) {
  auto cal = make("2025-10-13", "2025-10-31");
  EXPECT_EQ(*cal.parse_moment("2025-10-20T17:30"), utc(2025, 10, 20, 15, 30));    // CEST
  EXPECT_EQ(*cal.parse_moment("2025-10-27 17:30:00"), utc(2025, 10, 27, 16, 30));  // CET
  EXPECT_EQ(*cal.parse_moment("2025-10-20T17:30:00Z"), utc(2025, 10, 20, 17, 30));
  EXPECT_EQ(*cal.parse_moment("2025-10-20"), utc(2025, 10, 20, 22, 0));  // the end of that local day
  EXPECT_FALSE(cal.parse_moment("yesterday").has_value());
}

TEST(CalendarTest, ClockSpecsReplayTheFieldwork) {
  auto fixed = make_clock("fixed:2025-10-13T09:00:00+02:00");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ((*fixed)->now(), utc(2025, 10, 13, 7, 0));
  auto replay = make_clock("from:2025-10-13T09:00:00+02:00");
  ASSERT_TRUE(replay.has_value());
  EXPECT_LT((*replay)->now() - utc(2025, 10, 13, 7, 0), std::chrono::minutes{1});
  EXPECT_TRUE(make_clock("real").has_value());
  EXPECT_FALSE(make_clock("from:monday").has_value());
  EXPECT_FALSE(make_clock("tomorrow").has_value());
}

}  // namespace
}  // namespace cati::core
