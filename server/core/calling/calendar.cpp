#include "core/calling/calendar.hpp"

#include "core/ports/clock_spec.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace cati::core {
namespace {

namespace sc = std::chrono;

// Reads exactly `width` digits at text[pos].
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int v = 0;
  const char* first = text.data() + pos;
  for (std::size_t i = 0; i < width; ++i)
    if (first[i] < '0' || first[i] > '9') return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, first + width, v);
  if (ec != std::errc{} || ptr != first + width) return std::nullopt;
  return v;
}

// std::chrono and date agree on the epoch, so a day count carries a date across.
date::local_days to_local_days(sc::year_month_day d) {
  return date::local_days{date::days{static_cast<int>(sc::sys_days{d}.time_since_epoch().count())}};
}

sc::year_month_day from_day_count(long long days_since_epoch) {
  return sc::year_month_day{sc::sys_days{sc::days{days_since_epoch}}};
}

constexpr std::array<const char*, 8> weekday_names = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};

// The periods must be well formed and must not overlap on a weekday: otherwise a moment could be in two
// day-parts at once and "the other day-part" would mean nothing.
std::optional<error> check_periods(std::span<const calling_period> periods) {
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const auto& p = periods[i];
    auto where = "calling period " + std::to_string(i + 1) + (p.name.empty() ? "" : " (" + p.name + ")");
    if (p.from_minute < 0 || p.to_minute > 24 * 60 || p.to_minute <= p.from_minute)
      return error{where + ": it must start before it ends, within 00:00-24:00"};
    if (p.weekdays.empty()) return error{where + ": it has no weekdays"};
    for (int w : p.weekdays)
      if (w < 1 || w > 7) return error{where + ": weekday " + std::to_string(w) + " is not 1 (Monday) .. 7"};
  }
  for (int w = 1; w <= 7; ++w) {
    std::vector<const calling_period*> on_day;
    for (const auto& p : periods)
      if (std::find(p.weekdays.begin(), p.weekdays.end(), w) != p.weekdays.end()) on_day.push_back(&p);
    std::sort(on_day.begin(), on_day.end(),
              [](const calling_period* a, const calling_period* b) { return a->from_minute < b->from_minute; });
    for (std::size_t i = 1; i < on_day.size(); ++i)
      if (on_day[i]->from_minute < on_day[i - 1]->to_minute)
        return error{"calling periods '" + on_day[i - 1]->name + "' and '" + on_day[i]->name + "' overlap on " +
                     weekday_names[static_cast<std::size_t>(w)]};
  }
  return std::nullopt;
}

}  // namespace

result<int> parse_clock_time(std::string_view text) {
  auto h = digits(text, 0, 2), m = digits(text, 3, 2);
  if (text.size() != 5 || text[2] != ':' || !h || !m || *h > 24 || *m > 59 || (*h == 24 && *m != 0))
    return error{"'" + std::string(text) + "' is not a time HH:MM (00:00 to 24:00)"};
  return *h * 60 + *m;
}

result<sc::year_month_day> parse_date(std::string_view text) {
  auto y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && y && m && d) {
    sc::year_month_day ymd{sc::year{*y}, sc::month{static_cast<unsigned>(*m)}, sc::day{static_cast<unsigned>(*d)}};
    if (ymd.ok()) return ymd;
  }
  return error{"'" + std::string(text) + "' is not a date YYYY-MM-DD"};
}

std::string format_date(sc::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

result<calendar> calendar::make(const questionnaire& q) {
  return make(q.time_zone, q.start_date, q.end_date, q.calling_hours);
}

result<calendar> calendar::make(std::string_view time_zone, std::string_view start_date,
                                std::string_view end_date, std::span<const calling_period> periods) {
  calendar c;
  try {
    c.zone_ = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return error{"unknown time zone '" + std::string(time_zone) + "' (expected e.g. Europe/Brussels)"};
  }
  c.zone_name_ = std::string(time_zone);
  auto start = parse_date(start_date);
  if (!start) return error{"start_date: " + start.err().message};
  auto end = parse_date(end_date);
  if (!end) return error{"end_date: " + end.err().message};
  if (sc::sys_days{*end} < sc::sys_days{*start})
    return error{"end_date " + std::string(end_date) + " is before start_date " + std::string(start_date)};
  if (auto bad = check_periods(periods)) return *bad;

  std::vector<int> part_of(periods.size());
  for (std::size_t i = 0; i < periods.size(); ++i) {
    auto name = periods[i].name.empty() ? "period " + std::to_string(i + 1) : periods[i].name;
    auto it = std::find(c.part_names_.begin(), c.part_names_.end(), name);
    part_of[i] = static_cast<int>(it - c.part_names_.begin());
    if (it == c.part_names_.end()) c.part_names_.push_back(std::move(name));
  }
  if (c.part_names_.size() > 32) return error{"more than 32 day-parts (distinct calling period names)"};

  c.first_day_ = sc::sys_days{*start};
  const auto last_day = sc::sys_days{*end};
  int day = 0;
  for (auto d = c.first_day_; d <= last_day; d += sc::days{1}, ++day) {
    sc::year_month_day ymd{d};
    c.midnights_.push_back(c.to_utc(ymd, 0));
    unsigned iso_weekday = sc::weekday{d}.iso_encoding();
    for (std::size_t i = 0; i < periods.size(); ++i) {
      const auto& p = periods[i];
      if (std::find(p.weekdays.begin(), p.weekdays.end(), static_cast<int>(iso_weekday)) == p.weekdays.end())
        continue;
      slot s{c.to_utc(ymd, p.from_minute), c.to_utc(ymd, p.to_minute), day, part_of[i]};
      if (s.begin < s.end) c.slots_.push_back(s);  // a period swallowed by a DST gap has no time
    }
  }
  c.midnights_.push_back(c.to_utc(sc::year_month_day{last_day + sc::days{1}}, 0));
  std::sort(c.slots_.begin(), c.slots_.end(), [](const slot& a, const slot& b) { return a.begin < b.begin; });
  return c;
}

time_point calendar::to_utc(sc::year_month_day d, int minute) const {
  auto local = date::local_time<milliseconds>{to_local_days(d)} + minutes{minute};
  return zone_->to_sys(local, date::choose::earliest);
}

result<time_point> calendar::parse_moment(std::string_view text) const {
  if (auto d = parse_date(text)) return to_utc(sc::year_month_day{sc::sys_days{*d} + sc::days{1}}, 0);
  if (auto t = parse_instant(text)) return *t;
  // Wall time: borrow the instant parser with a zero offset, then read the result as local time.
  if (auto as_utc = parse_instant(std::string(text) + "Z")) {
    auto local = date::local_time<milliseconds>{as_utc->time_since_epoch()};
    return zone_->to_sys(local, date::choose::earliest);
  }
  return error{"'" + std::string(text) + "' is not a date (YYYY-MM-DD), a local time (YYYY-MM-DDTHH:MM[:SS]) or a " +
               "moment with an offset (2025-10-20T17:30:00+02:00)"};
}

window_state calendar::window_at(time_point t) const {
  if (t < opens()) return window_state::not_yet_open;
  if (t >= closes()) return window_state::closed;
  return window_state::open;
}

std::size_t calendar::first_slot_ending_after(time_point t) const {
  // Slots do not overlap, so their ends are sorted like their begins.
  return static_cast<std::size_t>(
      std::partition_point(slots_.begin(), slots_.end(), [&](const slot& s) { return s.end <= t; }) -
      slots_.begin());
}

const calendar::slot* calendar::slot_at(time_point t) const {
  auto i = first_slot_ending_after(t);
  return i < slots_.size() && slots_[i].begin <= t ? &slots_[i] : nullptr;
}

std::optional<std::string_view> calendar::day_part_at(time_point t) const {
  const slot* s = slot_at(t);
  if (!s) return std::nullopt;
  return std::string_view(day_part_name(s->part));
}

int calendar::day_index(time_point t) const {
  if (t >= opens() && t < closes())
    return static_cast<int>(std::upper_bound(midnights_.begin(), midnights_.end(), t) - midnights_.begin()) - 1;
  auto local_day = date::floor<date::days>(zone_->to_local(t));
  return static_cast<int>(local_day.time_since_epoch().count() - first_day_.time_since_epoch().count());
}

sc::year_month_day calendar::local_date(time_point t) const {
  auto local_day = date::floor<date::days>(zone_->to_local(t));
  return from_day_count(local_day.time_since_epoch().count());
}

std::string calendar::show(time_point t) const {
  return date::format("%a %d %b %H:%M", date::floor<minutes>(zone_->to_local(t)));
}

namespace {

std::string hh_mm(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60 % 100, minute % 60);
  return buf;
}

}  // namespace

std::optional<std::string> calendar::appointment_problem(time_point at, time_point now) const {
  const std::string when = show(at);
  const auto next_text = [&](time_point from) -> std::string {
    auto next = next_calling_time(from);
    return next ? "; the next calling time is " + show(*next) : "; the fieldwork has no calling time left";
  };
  if (at <= now) return when + " has passed (it is " + show(now) + ")" + next_text(now);
  if (at < opens()) return when + " is before the fieldwork, which starts " + show(opens()) + next_text(at);
  if (at >= closes()) {
    const std::string last = slots_.empty() ? show(closes()) : show(slots_.back().end);
    return when + " is after the fieldwork, whose last calls end " + last;
  }
  if (slot_at(at)) return std::nullopt;
  // The calling periods of that local day, in the order of the day.
  const int day = day_index(at);
  std::vector<const slot*> today;
  for (const auto& s : slots_)
    if (s.day == day) today.push_back(&s);
  const auto local_minute = [&](time_point t) {
    auto local = zone_->to_local(t);  // in seconds (or finer): date adds seconds to the duration
    return static_cast<int>(date::floor<std::chrono::minutes>(local - date::floor<date::days>(local)).count());
  };
  const auto hours = [&] {
    std::string out;
    for (const slot* s : today)
      out += (out.empty() ? "" : ", ") + hh_mm(local_minute(s->begin)) + "-" + hh_mm(local_minute(s->end));
    return out;
  };
  const std::string at_time = hh_mm(local_minute(at));
  if (today.empty()) {
    const unsigned wd = sc::weekday{sc::sys_days{local_date(at)}}.iso_encoding();
    return when + ": no calls on " + weekday_names[wd] + "s" + next_text(at);
  }
  if (at < today.front()->begin) return when + " is before calling hours (" + hours() + ")" + next_text(at);
  if (at >= today.back()->end)
    return when + " is after calling hours (" + hours() + ": calls end at " + hh_mm(local_minute(today.back()->end)) +
           ")" + next_text(at);
  for (std::size_t i = 0; i + 1 < today.size(); ++i)
    if (at >= today[i]->end && at < today[i + 1]->begin)
      return at_time + " is in the break between " + day_part_name(today[i]->part) + " and " +
             day_part_name(today[i + 1]->part) + " (" + hh_mm(local_minute(today[i]->end)) + "-" +
             hh_mm(local_minute(today[i + 1]->begin)) + ")" + next_text(at);
  return when + " is outside calling hours (" + hours() + ")" + next_text(at);
}

}  // namespace cati::core
