#include "net/connection_gate.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <utility>

namespace cati::net {
namespace {

// File descriptors kept for everything but connections: the database, its WAL and index, the reader
// connections, the log, the listening socket, the study files read at start.
constexpr std::size_t fd_reserve = 64;

std::size_t fd_bound(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto fds = static_cast<std::size_t>(limit.rlim_cur);
  return std::min(wanted, fds > fd_reserve * 2 ? fds - fd_reserve : fds / 2);
}

}  // namespace

connection_gate::connection_gate(std::shared_ptr<server_state> state)
    : state_(std::move(state)), max_connections_(fd_bound(state_->limits.max_connections)) {
  state_->metrics.show_limits(state_->limits, max_connections_);
}

std::variant<connection_gate::ticket, connection_gate::refusal> connection_gate::admit(const std::string& address,
                                                                                         bool exempt) {
  // The total first: a refused connection must not hold a per-address place either.
  if (open_.fetch_add(1) >= max_connections_) {
    open_.fetch_sub(1);
    state_->metrics.refused(refusal_reason::max_connections);
    return refusal::max_connections;
  }
  if (!exempt) {
    std::lock_guard lock(mutex_);
    auto& n = per_address_[address];
    if (n >= state_->limits.max_connections_per_address) {
      if (n == 0) per_address_.erase(address);
      open_.fetch_sub(1);
      state_->metrics.refused(refusal_reason::max_per_address);
      return refusal::max_per_address;
    }
    ++n;
  }
  state_->metrics.tcp_connections.inc();
  return ticket(shared_from_this(), address, !exempt);
}

bool connection_gate::start_login() {
  if (logins_.fetch_add(1) >= state_->limits.max_logins_in_progress) {
    logins_.fetch_sub(1);
    state_->metrics.refused(refusal_reason::max_logins);
    return false;
  }
  state_->metrics.logins_in_progress.inc();
  return true;
}

void connection_gate::end_login() {
  logins_.fetch_sub(1);
  state_->metrics.logins_in_progress.dec();
}

void connection_gate::release(const std::string& address, bool per_address) noexcept {
  if (per_address) {
    std::lock_guard lock(mutex_);
    if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }
  open_.fetch_sub(1);
  state_->metrics.tcp_connections.dec();
}

// ---- ticket ----

connection_gate::ticket::ticket(std::shared_ptr<connection_gate> gate, std::string address, bool counted_per_address)
    : gate_(std::move(gate)), address_(std::move(address)), per_address_(counted_per_address) {}

connection_gate::ticket::ticket(ticket&& other) noexcept
    : gate_(std::move(other.gate_)),
      address_(std::move(other.address_)),
      per_address_(other.per_address_),
      login_(other.login_.exchange(false)) {}

connection_gate::ticket& connection_gate::ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = std::move(other.gate_);
    address_ = std::move(other.address_);
    per_address_ = other.per_address_;
    login_ = other.login_.exchange(false);
  }
  return *this;
}

connection_gate::ticket::~ticket() { release(); }

void connection_gate::ticket::release() noexcept {
  if (!gate_) return;
  end_login();
  gate_->release(address_, per_address_);
  gate_.reset();
}

bool connection_gate::ticket::start_login() {
  if (!gate_) return false;
  // A further login on a connection whose login is unanswered holds no second place: it goes on to the
  // service, whose access layer throttles it in request order (a refusal here would overtake earlier replies).
  if (login_.load()) return true;
  if (!gate_->start_login()) return false;
  login_ = true;
  return true;
}

void connection_gate::ticket::end_login() {
  if (gate_ && login_.exchange(false)) gate_->end_login();
}

}  // namespace cati::net
