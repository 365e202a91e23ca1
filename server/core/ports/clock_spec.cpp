#include "core/ports/clock_spec.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>

namespace cati::core {
namespace {

namespace sc = std::chrono;

// A cursor over the text that reads fixed-width numbers and literal characters.
struct reader {
  std::string_view text;
  std::size_t pos = 0;

  std::optional<int> number(std::size_t width) {
    if (pos + width > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text[pos + i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    pos += width;
    return v;
  }
  bool literal(char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  }
  bool literal_any(std::string_view cs) {
    if (pos >= text.size() || cs.find(text[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
  }
  bool done() const { return pos == text.size(); }
};

}  // namespace

result<time_point> parse_instant(std::string_view text) {
  const error bad{"'" + std::string(text) +
                  "' is not a moment YYYY-MM-DDTHH:MM[:SS] with an offset (Z, +02:00) e.g. 2025-10-13T09:00:00+02:00"};
  reader r{text};
  auto y = r.number(4);
  if (!y || !r.literal('-')) return bad;
  auto mo = r.number(2);
  if (!mo || !r.literal('-')) return bad;
  auto d = r.number(2);
  if (!d || !r.literal_any("Tt ")) return bad;
  auto h = r.number(2);
  if (!h || !r.literal(':')) return bad;
  auto mi = r.number(2);
  if (!mi) return bad;
  int s = 0, ms = 0;
  if (r.literal(':')) {
    auto sec = r.number(2);
    if (!sec) return bad;
    s = *sec;
    if (r.literal('.')) {
      // Up to millisecond precision is kept; more digits are read and dropped.
      int digits = 0;
      while (!r.done() && text[r.pos] >= '0' && text[r.pos] <= '9') {
        if (digits < 3) ms = ms * 10 + (text[r.pos] - '0');
        ++digits;
        ++r.pos;
      }
      if (digits == 0) return bad;
      for (; digits < 3; ++digits) ms *= 10;
    }
  }
  int offset = 0;
  if (r.literal_any("Zz")) {
    offset = 0;
  } else if (!r.done() && (text[r.pos] == '+' || text[r.pos] == '-')) {
    const int sign = text[r.pos++] == '-' ? -1 : 1;
    auto oh = r.number(2);
    if (!oh || !r.literal(':')) return bad;
    auto om = r.number(2);
    if (!om || *oh > 23 || *om > 59) return bad;
    offset = sign * (*oh * 60 + *om);
  } else {
    return bad;
  }
  if (!r.done()) return bad;

  const sc::year_month_day ymd{sc::year{*y}, sc::month{static_cast<unsigned>(*mo)}, sc::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || s > 60) return bad;  // 60: a leap second, read as the next one
  return time_point{sc::sys_days{ymd}} + sc::hours{*h} + sc::minutes{*mi - offset} + sc::seconds{s} +
         sc::milliseconds{ms};
}

std::string format_instant(time_point t) {
  const auto day = sc::floor<sc::days>(t);
  const sc::year_month_day ymd{day};
  const sc::hh_mm_ss<milliseconds> tod{sc::duration_cast<milliseconds>(t - day)};
  char buf[40];
  auto count = [](auto d) { return static_cast<int>(d.count()); };
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), count(tod.hours()),
                count(tod.minutes()), count(tod.seconds()), count(tod.subseconds()));
  return buf;
}

result<std::unique_ptr<clock>> make_clock(std::string_view spec) {
  if (spec == "real") return std::unique_ptr<clock>(std::make_unique<real_clock>());
  for (std::string_view kind : {"from:", "fixed:"}) {
    if (!spec.starts_with(kind)) continue;
    auto t = parse_instant(spec.substr(kind.size()));
    if (!t) return error{"--clock " + std::string(spec) + ": " + t.err().message};
    if (kind == "from:") return std::unique_ptr<clock>(std::make_unique<shifted_clock>(*t));
    return std::unique_ptr<clock>(std::make_unique<manual_clock>(*t));
  }
  return error{"--clock '" + std::string(spec) + "': expected real, from:<moment> or fixed:<moment>"};
}

}  // namespace cati::core
