// Ownership of a fieldwork in PostgreSQL (core/ports/ownership.hpp), the sibling of sqlite_ownership.
//
// - The record is the same one row of the `ownership` table, with its epoch; every write transaction of
//   the holder's writer checks the epoch (write_guard), exactly as on SQLite.
// - The OS-level lock of SQLite's sidecar file is a session-level advisory lock here
//   (pg_try_advisory_lock on sql::ownership_lock_key), held by a connection this object keeps open for
//   its lifetime: PostgreSQL drops it when the session ends, however the holder ends (a killed process,
//   a lost machine once its connection times out).
// - The heartbeat runs a query on that session every beat, so the session's last activity
//   (pg_stat_activity.state_change) is the holder's last beat. A standby (take_over) waits for the lock;
//   when the holder has been silent for `silent_for` (paused or hung) it ends that session
//   (pg_terminate_backend), takes the lock and the record; the old holder's next write is refused by
//   the epoch.
// - The heartbeat also reads the epoch, so a holder that wakes up idle learns it lost within one beat.
// - A lock session lost with the database's primary (a failover to its replica, issue 16) is opened again
//   through the same multi-host URL, and the lock taken again with the same epoch check: a holder that
//   finds the lock or the record taken by another server meanwhile has lost (on_lost). A standby's
//   session reconnects likewise and gives the holder a few beats to take its lock back before it tries.
//   The log hears of it through options.file.on_reconnect. Any other failure of the session is a loss.
//
// Thread-safety: as sqlite_ownership.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "store/ownership.hpp"
#include "store/sql/pg_connection.hpp"

namespace cati::store {

// The live server holding the fieldwork in the PostgreSQL database `url`, if one holds its lock now.
std::optional<core::ownership_refused> pg_live_holder(const std::string& url);

class pg_ownership final : public store_ownership {
 public:
  explicit pg_ownership(options o);
  ~pg_ownership() override;
  pg_ownership(const pg_ownership&) = delete;
  pg_ownership& operator=(const pg_ownership&) = delete;

  core::result<core::ownership_record, core::ownership_refused> claim(const core::owner_identity& me) override;
  core::ownership_record take_over(const core::owner_identity& me, std::chrono::milliseconds silent_for,
                                   const std::function<void(const core::ownership_refused&)>& waiting) override;
  std::optional<core::ownership_record> current() override;

 private:
  bool try_lock();
  // The lock session (under session_mutex_): one attempt to open it again; dropping a broken one.
  bool reopen_session();
  void session_broke(const std::string& why);
  void look_for_a_silent_holder(std::chrono::milliseconds silent_for);
  void end_a_paused_writer(std::chrono::milliseconds silent_for);
  void say(const std::string& what) const;
  core::ownership_record write_claim(const core::owner_identity& me);
  void beat() override;

  std::mutex session_mutex_;                    // the lock session: the heartbeat and take_over share it
  std::unique_ptr<sql::pg_connection> session_;  // holds the advisory lock
  std::atomic<bool> locked_{false};
};

}  // namespace cati::store
