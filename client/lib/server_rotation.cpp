#include "lib/server_rotation.hpp"

#include <stdexcept>
#include <utility>

namespace cati::client {

server_rotation::server_rotation(std::vector<url> servers, backoff_policy policy, std::uint64_t seed)
    : servers_(std::move(servers)), backoff_(policy, seed) {
  if (servers_.empty()) throw std::invalid_argument("server_rotation: no server");
  current_ = servers_.front();
}

bool server_rotation::standby_named(std::string_view active_server) {
  auto active = parse_url(active_server);
  if (!active || active->same_server(current_) || (last_lost_ && active->same_server(*last_lost_))) return false;
  redirect_ = *active;
  return true;
}

std::chrono::milliseconds server_rotation::next() {
  ++failures_in_round_;
  if (redirect_) {
    current_ = *redirect_;
    redirect_.reset();
    // Redirects that keep failing (two standbys each naming a dead server) fall back to the backoff.
    if (failures_in_round_ <= 2 * servers_.size()) return std::chrono::milliseconds(0);
  } else {
    next_server_ = (next_server_ + 1) % servers_.size();
    current_ = servers_[next_server_];
    if (failures_in_round_ % servers_.size() != 0) return std::chrono::milliseconds(0);
  }
  return backoff_.next();
}

void server_rotation::logged_in(bool reset_backoff) {
  failures_in_round_ = 0;
  last_lost_.reset();
  if (reset_backoff) backoff_.reset();
}

}  // namespace cati::client
