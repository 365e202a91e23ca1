#include "term/view/study_time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <sstream>
#include <vector>

namespace cati::term {

namespace {

using std::chrono::minutes;

bool digits(std::string_view s, std::size_t from, std::size_t n, int& out) {
  if (from + n > s.size()) return false;
  const char* b = s.data() + from;
  auto [p, ec] = std::from_chars(b, b + n, out);
  return ec == std::errc{} && p == b + n;
}

client::error bad(std::string message) { return client::error{client::errc::bad_input, std::move(message), 0}; }

// The offset at the end of an RFC 3339 time ("Z", "+02:00").
std::optional<minutes> parse_offset(std::string_view text) {
  if (text.ends_with('Z') || text.ends_with('z')) return minutes(0);
  if (text.size() < 6) return std::nullopt;
  const std::string_view o = text.substr(text.size() - 6);
  int h = 0, m = 0;
  if ((o[0] != '+' && o[0] != '-') || o[3] != ':' || !digits(o, 1, 2, h) || !digits(o, 4, 2, m)) return std::nullopt;
  return minutes((o[0] == '-' ? -1 : 1) * (h * 60 + m));
}

}  // namespace

std::optional<sys_ms> parse_rfc3339(std::string_view text) {
  auto offset = parse_offset(text);
  if (!offset || text.size() < 19 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' || !digits(text, 8, 2, d) ||
      !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s))
    return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!day.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  int ms = 0;
  if (text.size() > 19 && text[19] == '.') {
    std::size_t i = 20;
    int scale = 100;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10) ms += (text[i] - '0') * scale;
  }
  const auto local = std::chrono::sys_days(day) + std::chrono::hours(h) + minutes(mi) + std::chrono::seconds(s) +
                     std::chrono::milliseconds(ms);
  return sys_ms(local - *offset);
}

void study_clock::sync(std::string_view server_now, std::chrono::steady_clock::time_point here) {
  auto t = parse_rfc3339(server_now);
  if (!t) return;
  base_ = *t;
  base_here_ = here;
  if (auto o = parse_offset(server_now)) offset_ = *o;
}

void study_clock::set_zone(std::string_view name) {
  try {
    zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    zone_ = nullptr;  // unknown here: the offset of the server's times is used
  }
}

sys_ms study_clock::now(std::chrono::steady_clock::time_point here) const {
  if (!base_) return sys_ms{};
  return *base_ + std::chrono::duration_cast<std::chrono::milliseconds>(here - base_here_);
}

std::string study_clock::format_local(sys_ms t, const char* pattern) const {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  if (zone_ != nullptr) return date::format(pattern, date::make_zoned(zone_, secs));
  return date::format(pattern, date::local_seconds((secs + offset_).time_since_epoch()));
}

std::string study_clock::show(std::chrono::steady_clock::time_point here) const {
  if (!base_) return "--";
  return format_local(now(here), "%a %d %b %H:%M");
}

std::string study_clock::show_time(std::string_view rfc3339) const {
  auto t = parse_rfc3339(rfc3339);
  if (!t) return std::string(rfc3339);
  return format_local(*t, "%Y-%m-%d %H:%M");
}

client::result<std::string> study_clock::appointment(std::string_view entry,
                                                     std::chrono::steady_clock::time_point here) const {
  const std::string expected = "expected HH:MM, DD/MM HH:MM or YYYY-MM-DD HH:MM";
  std::vector<std::string> words;
  std::istringstream in{std::string(entry)};
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty() || words.size() > 2) return bad("'" + std::string(entry) + "': " + expected);
  if (!base_) return bad("the study's time is not known yet (not logged in)");

  const auto secs = std::chrono::floor<std::chrono::seconds>(now(here));
  const date::local_seconds local_now =
      zone_ != nullptr ? date::make_zoned(zone_, secs).get_local_time() : date::local_seconds((secs + offset_).time_since_epoch());
  const auto today = date::year_month_day(date::floor<date::days>(local_now));
  date::year_month_day day = today;

  if (words.size() == 2) {
    const std::string& d = words[0];
    int y = static_cast<int>(today.year()), m = 0, dd = 0;
    if (d.size() == 10 && d[4] == '-' && d[7] == '-' && digits(d, 0, 4, y) && digits(d, 5, 2, m) && digits(d, 8, 2, dd)) {
    } else if (d.size() == 5 && d[2] == '/' && digits(d, 0, 2, dd) && digits(d, 3, 2, m)) {
    } else {
      return bad("'" + d + "' is not a date: " + expected);
    }
    day = date::year(y) / date::month(static_cast<unsigned>(m)) / date::day(static_cast<unsigned>(dd));
    if (!day.ok()) return bad("'" + d + "' is not a real date");
  }
  const std::string& t = words.back();
  int h = 0, mi = 0;
  const bool form = (t.size() == 5 && t[2] == ':' && digits(t, 0, 2, h) && digits(t, 3, 2, mi)) ||
                    (t.size() == 4 && t[1] == ':' && digits(t, 0, 1, h) && digits(t, 2, 2, mi));
  if (!form) return bad("'" + t + "' is not a time: " + expected);
  if (h > 23 || mi > 59) return bad("'" + t + "' is not a real time of day");

  const date::local_seconds local = date::local_days(day) + std::chrono::hours(h) + minutes(mi);
  date::sys_seconds at;
  std::string text;
  if (zone_ != nullptr) {
    auto z = date::make_zoned(zone_, local, date::choose::earliest);
    at = z.get_sys_time();
    text = date::format("%FT%T%Ez", z);
  } else {
    at = date::sys_seconds(local.time_since_epoch() - offset_);
    std::ostringstream o;
    const auto off = offset_.count();
    o << date::format("%FT%T", local) << (off < 0 ? '-' : '+') << (std::abs(off) / 60 < 10 ? "0" : "")
      << std::abs(off) / 60 << ':' << (std::abs(off) % 60 < 10 ? "0" : "") << std::abs(off) % 60;
    text = o.str();
  }
  if (at <= secs) return bad(format_local(sys_ms(at), "%Y-%m-%d %H:%M") + " is not in the future");
  return text;
}

}  // namespace cati::term
