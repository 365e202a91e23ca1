#include "net/session_registry.hpp"

#include <utility>

namespace cati::net {

bool session_registry::join(const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  if (closed_) return false;
  sessions_.emplace(s->id(), s);
  return true;
}

void session_registry::leave(session::id_type id) {
  std::function<void()> callback;
  {
    const std::lock_guard lock(mutex_);
    sessions_.erase(id);
    callback = take_empty_callback_locked();
  }
  if (callback) callback();
}

std::vector<std::shared_ptr<session>> session_registry::snapshot() const {
  std::vector<std::weak_ptr<session>> weak;
  {
    const std::lock_guard lock(mutex_);
    weak.reserve(sessions_.size());
    for (const auto& [id, s] : sessions_) weak.push_back(s);
  }
  // lock() outside the mutex: a session being destroyed on another thread may be calling leave().
  std::vector<std::shared_ptr<session>> out;
  out.reserve(weak.size());
  for (const auto& w : weak) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

std::size_t session_registry::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::shared_ptr<session>> session_registry::close() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  return snapshot();
}

void session_registry::when_closed_and_empty(std::function<void()> callback) {
  {
    const std::lock_guard lock(mutex_);
    on_empty_ = std::move(callback);
    callback = take_empty_callback_locked();
  }
  if (callback) callback();
}

std::function<void()> session_registry::take_empty_callback_locked() {
  if (!closed_ || !sessions_.empty() || !on_empty_) return {};
  return std::exchange(on_empty_, {});
}

}  // namespace cati::net
