// A tiny logger for the server: levels, one line per event on stderr with a UTC timestamp.
// Lines that peers can cause at will (connections before login, malformed input) are rate-limited per
// kind, so that a flood of garbage cannot fill the disk with log: see log_limited().
// Thread-safety: every function may be called from any thread; lines never interleave.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace cati::net {

enum class log_level { error = 0, warn = 1, info = 2, debug = 3 };

// Events more verbose than `level` are dropped. The default is info.
void set_log_level(log_level level);
log_level current_log_level();
bool log_enabled(log_level level);

// "error", "warn", "info", "debug" (as given to --log-level); nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);

// Writes "2025-10-13T07:00:00.123Z info  <message>\n" to stderr if the level is enabled, any password of a
// PostgreSQL connection string in it as *** (core/util/redact.hpp).
void write_log(log_level level, std::string_view message);

// log_info("listening on ", endpoint): the arguments are streamed together only when the level is on.
template <class... Args>
void log_at(log_level level, const Args&... args) {
  if (!log_enabled(level)) return;
  std::ostringstream line;
  (line << ... << args);
  write_log(level, line.str());
}
template <class... Args>
void log_error(const Args&... args) { log_at(log_level::error, args...); }
template <class... Args>
void log_warn(const Args&... args) { log_at(log_level::warn, args...); }
template <class... Args>
void log_info(const Args&... args) { log_at(log_level::info, args...); }
template <class... Args>
void log_debug(const Args&... args) { log_at(log_level::debug, args...); }

// Kinds of line an unauthenticated peer can cause as often as it likes.
enum class log_flood {
  connection,  // a connection opened, closed, refused, timed out before login
  malformed,   // a frame, an HTTP request or a Protobuf string that could not be decoded
};
std::string_view to_string(log_flood kind);

// Whether a line of `kind` may be written now: at most log_flood_burst lines at once, refilled at
// log_flood_per_second (one token bucket per kind, on the steady clock). A line refused is counted
// (log_suppressed); the next line written of that kind says how many were left out before it.
inline constexpr double log_flood_burst = 20;
inline constexpr double log_flood_per_second = 2;
// Lines of `kind` not written since the start.
std::uint64_t log_suppressed(log_flood kind);
// Writes the line when the level is on and the kind's rate allows it.
void write_limited_log(log_flood kind, log_level level, std::string_view message);
template <class... Args>
void log_limited(log_flood kind, log_level level, const Args&... args) {
  if (!log_enabled(level)) return;
  std::ostringstream line;
  (line << ... << args);
  write_limited_log(kind, level, line.str());
}

// Sends the Protobuf library's own log lines (e.g. "String field ... contains invalid UTF-8 data", one per
// bad frame) through this logger as `malformed`, rate-limited, instead of straight to stderr.
void route_protobuf_logs();

}  // namespace cati::net
