// A tiny logger for the server: levels, one line per event on stderr with a UTC timestamp.
// Thread-safety: every function may be called from any thread; lines never interleave.
#pragma once

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

// Writes "2025-10-13T07:00:00.123Z info  <message>\n" to stderr if the level is enabled.
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

}  // namespace cati::net
