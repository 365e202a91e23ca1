// The open WebSocket sessions, for broadcast and shutdown.
// Thread-safety: all members may be called from any thread. The lock is held only to copy weak
// pointers; sends happen outside it (Beast's chat-multi pattern), so a slow session never blocks
// another.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "net/session.hpp"

namespace cati::net {

class session_registry {
 public:
  // Adds a session that has just opened. False once close() was called: the server is shutting down
  // and the session must not start.
  bool join(const std::shared_ptr<session>& s);
  void leave(session::id_type id);

  // The sessions alive now.
  std::vector<std::shared_ptr<session>> snapshot() const;
  std::size_t size() const;

  // Refuses further joins and returns the sessions alive now.
  std::vector<std::shared_ptr<session>> close();

  // Called once, outside the lock, when the registry is closed and empty (right away if it is
  // already). Used by the server's graceful stop.
  void when_closed_and_empty(std::function<void()> callback);

 private:
  std::function<void()> take_empty_callback_locked();

  mutable std::mutex mutex_;
  std::unordered_map<session::id_type, std::weak_ptr<session>> sessions_;
  bool closed_ = false;
  std::function<void()> on_empty_;
};

}  // namespace cati::net
