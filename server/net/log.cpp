#include "net/log.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <utility>

#include <google/protobuf/stubs/logging.h>

#include "core/util/redact.hpp"

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

// One token bucket per log_flood kind.
struct bucket {
  std::mutex mutex;
  double tokens = log_flood_burst;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  std::uint64_t dropped_since = 0;  // since the last line written
  std::atomic<std::uint64_t> dropped{0};
};
std::array<bucket, 2> g_buckets;

}  // namespace

std::string_view to_string(log_flood kind) {
  switch (kind) {
    case log_flood::connection: return "connection";
    case log_flood::malformed: return "malformed";
  }
  return "?";
}

std::uint64_t log_suppressed(log_flood kind) { return g_buckets[static_cast<std::size_t>(kind)].dropped.load(); }

void write_limited_log(log_flood kind, log_level level, std::string_view message) {
  if (!log_enabled(level)) return;
  auto& b = g_buckets[static_cast<std::size_t>(kind)];
  std::uint64_t left_out = 0;
  {
    const std::lock_guard lock(b.mutex);
    const auto now = std::chrono::steady_clock::now();
    b.tokens = std::min(log_flood_burst,
                        b.tokens + std::chrono::duration<double>(now - b.last).count() * log_flood_per_second);
    b.last = now;
    if (b.tokens < 1) {
      ++b.dropped_since;
      b.dropped.fetch_add(1);
      return;
    }
    b.tokens -= 1;
    left_out = std::exchange(b.dropped_since, 0);
  }
  if (left_out == 0) return write_log(level, message);
  write_log(level, std::string(message) + " (" + std::to_string(left_out) + " more " + std::string(to_string(kind)) +
                       " lines left out before this one)");
}

void route_protobuf_logs() {
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel level, const char* file, int line,
                                     const std::string& message) {
    // FATAL is not input: Protobuf aborts after it; write it whatever the rate.
    if (level == google::protobuf::LOGLEVEL_FATAL) {
      return write_log(log_level::error, "protobuf " + std::string(file) + ":" + std::to_string(line) + ": " + message);
    }
    const auto ours = level == google::protobuf::LOGLEVEL_ERROR ? log_level::warn : log_level::info;
    log_limited(log_flood::malformed, ours, "protobuf: ", message);
  });
}

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
  // No password of a --db connection string ever reaches the log, whoever quoted it.
  line += core::redact_passwords(message);
  line += '\n';
  // One fwrite per line under a lock: concurrent sessions never interleave their lines.
  const std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace cati::net
