// connection_gate: bounds what peers can hold before they have proved who they are: open TCP
// connections (in all, and from one address) and login requests handed to the service and not yet
// answered. The listener asks it for a ticket per accepted connection; the ticket travels with the
// connection (http_session, then websocket_session) and gives its place back when destroyed. Every
// count is in /metrics (net_metrics).
//
// Thread-safety: every member may be called from any thread (a mutex for the per-address counts,
// atomics otherwise). Ownership: shared by the listener and every ticket; it keeps the server_state
// (whose metrics it updates) alive.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "net/server_state.hpp"

namespace cati::net {

class connection_gate : public std::enable_shared_from_this<connection_gate> {
 public:
  enum class refusal { max_connections, max_per_address };

  // A connection's place. Move-only; the place is given back when it is destroyed (or moved from).
  class ticket {
   public:
    ticket() = default;
    ticket(ticket&& other) noexcept;
    ticket& operator=(ticket&& other) noexcept;
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    ~ticket();

    // Counts a login request as in progress (a connection's further logins while one is unanswered are not
    // counted again, and pass); false (and nothing counted) when max_logins_in_progress
    // are already.
    bool start_login();
    // The login in progress on this connection got its reply (or the connection ended). Idempotent.
    void end_login();

   private:
    friend class connection_gate;
    ticket(std::shared_ptr<connection_gate> gate, std::string address, bool counted_per_address);
    void release() noexcept;

    std::shared_ptr<connection_gate> gate_;
    std::string address_;
    bool per_address_ = false;
    std::atomic<bool> login_ = false;  // a login of this connection is in progress
  };

  // `max_connections` is lowered to what the process's open-file limit allows (less a reserve for the
  // database and the log). Addresses for which `exempt` is true (see the listener) count in the total
  // only.
  explicit connection_gate(std::shared_ptr<server_state> state);

  // A place for a connection from `address`, or why not.
  std::variant<ticket, refusal> admit(const std::string& address, bool exempt);

  std::size_t max_connections() const { return max_connections_; }
  std::size_t open() const { return open_.load(); }
  std::size_t logins_in_progress() const { return logins_.load(); }

 private:
  bool start_login();
  void end_login();
  void release(const std::string& address, bool per_address) noexcept;

  const std::shared_ptr<server_state> state_;
  const std::size_t max_connections_;
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> logins_{0};
  std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> per_address_;
};

using connection_ticket = connection_gate::ticket;

}  // namespace cati::net
