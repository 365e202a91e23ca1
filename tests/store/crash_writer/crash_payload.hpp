// Shared by the crash writer and the crash test: what the writer stores at (thread, seq), so that the
// test can tell a whole value from a torn one.
#pragma once

#include <cstdint>
#include <string>

namespace cati::test {

inline std::string crash_payload(int thread, std::int64_t seq) {
  std::string v = std::to_string(thread) + ":" + std::to_string(seq) + ":";
  // Long enough that rows often straddle database pages.
  while (v.size() < 300) v += static_cast<char>('a' + (thread * 7 + seq + static_cast<std::int64_t>(v.size())) % 26);
  return v;
}

}  // namespace cati::test
