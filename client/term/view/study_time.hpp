// The study's time on the terminal: the server's clock (LoginOk.now, Pong.now) moved on by the time
// elapsed here since, shown in the study's time zone; and the interviewer's appointment entry turned
// into the RFC 3339 time the server expects. Calling hours are the server's to check (it refuses an
// appointment outside them with a message the terminal shows); the terminal only checks the form and
// that the time is not in the past.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "lib/error.hpp"

namespace date {
class time_zone;
}

namespace cati::term {

using sys_ms = std::chrono::sys_time<std::chrono::milliseconds>;

// "2025-10-13T09:00:00+02:00", "2025-10-13T07:00:00.012Z": nullopt when it is not an RFC 3339 time.
std::optional<sys_ms> parse_rfc3339(std::string_view text);

class study_clock {
 public:
  // The server said it is `server_now` (RFC 3339) at `here` (this process's steady clock).
  void sync(std::string_view server_now, std::chrono::steady_clock::time_point here);
  // The study's time zone (IANA name); unknown names fall back to the offset of the last sync.
  void set_zone(std::string_view name);

  bool known() const { return base_.has_value(); }
  sys_ms now(std::chrono::steady_clock::time_point here) const;
  // "Mon 13 Oct 09:14" in the study's time zone ("--" before the first sync).
  std::string show(std::chrono::steady_clock::time_point here) const;
  // "2025-10-13 09:14" for a server time (history, appointments), in the study's time zone.
  std::string show_time(std::string_view rfc3339) const;

  // The interviewer's entry, "HH:MM" (today), "DD/MM HH:MM" or "YYYY-MM-DD HH:MM", as local time in the
  // study's zone, as RFC 3339 with its offset. Refused (bad_input, with what was expected) when it is
  // malformed, not a real date or time, or not after `now`.
  client::result<std::string> appointment(std::string_view entry, std::chrono::steady_clock::time_point here) const;

 private:
  std::string format_local(sys_ms t, const char* pattern) const;

  std::optional<sys_ms> base_;
  std::chrono::steady_clock::time_point base_here_{};
  std::chrono::minutes offset_{0};  // of the last sync, when the zone is unknown
  const date::time_zone* zone_ = nullptr;
};

}  // namespace cati::term
