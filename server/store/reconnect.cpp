#include "store/reconnect.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace cati::store {

bool is_connection_lost(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const sql::error& x) {
    return x.connection_lost();
  } catch (...) {
    return false;
  }
}

std::unique_ptr<sql::connection> reconnect(const std::function<std::unique_ptr<sql::connection>()>& open,
                                           const reconnect_policy& policy,
                                           const std::function<void(const std::string&)>& say) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  auto pause = policy.first_pause;
  int attempts = 0;
  std::string last_reason;
  while (true) {
    ++attempts;
    try {
      auto db = open();
      if (say && attempts > 1) {
        const std::chrono::duration<double> took = clock::now() - started;
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", took.count());
        say(std::string("reconnected to the database after ") + seconds + " s (" + std::to_string(attempts) +
            " attempts)");
      }
      return db;
    } catch (const std::exception& e) {
      if (clock::now() - started >= policy.give_up_after) {
        if (say) say("giving up reconnecting to the database after " + std::to_string(attempts) + " attempts: " + e.what());
        throw;
      }
      // The same reason on every attempt (no primary yet) is said once.
      if (say && e.what() != last_reason) say(std::string("cannot reconnect to the database yet: ") + e.what());
      last_reason = e.what();
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(policy.longest_pause, pause * 2);
  }
}

}  // namespace cati::store
