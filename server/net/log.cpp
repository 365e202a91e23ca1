#include "net/log.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cati::net {
namespace {

std::atomic<int> g_level{static_cast<int>(log_level::info)};
std::mutex g_write_mutex;

// Log timestamps are wall-clock UTC on purpose: they line up with other logs on the machine, not with
// the study's (possibly shifted or manual) domain clock.
std::string timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf.data(), n);
  std::array<char, 8> frac{};
  std::snprintf(frac.data(), frac.size(), ".%03dZ", static_cast<int>(ms));
  out += frac.data();
  return out;
}

}  // namespace

void set_log_level(log_level level) { g_level.store(static_cast<int>(level)); }

log_level current_log_level() { return static_cast<log_level>(g_level.load()); }

bool log_enabled(log_level level) { return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed); }

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "error") return log_level::error;
  if (text == "warn" || text == "warning") return log_level::warn;
  if (text == "info") return log_level::info;
  if (text == "debug") return log_level::debug;
  return std::nullopt;
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::error: return "error";
    case log_level::warn: return "warn";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
  }
  return "?";
}

void write_log(log_level level, std::string_view message) {
  if (!log_enabled(level)) return;
  std::string line = timestamp();
  line += ' ';
  const auto name = to_string(level);
  line += name;
  line.append(6 - name.size(), ' ');
  line += message;
  line += '\n';
  // One fwrite per line under a lock: concurrent sessions never interleave their lines.
  const std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace cati::net
