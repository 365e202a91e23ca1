// Ownership of a fieldwork file (core/ports/ownership.hpp) on SQLite.
//
// - The record is the one row of the `ownership` table (holder host, pid, address, since, epoch).
// - The OS-level lock is flock(2) on a sidecar file "<db>.owner", held for the holder's lifetime: the
//   kernel drops it when the process ends, however it ends. It is a separate file because SQLite's own
//   locks on the database are POSIX record locks, which a process loses on *any* close() of the file:
//   this code never opens the database file itself.
// - The holder touches the lock file's mtime every heartbeat. A paused or hung holder keeps its flock
//   but stops beating: a standby takes over when the lock is free, or when the holder has been silent
//   for take_over()'s `silent_for` (then it takes the flock as soon as the old process is gone).
// - Every write transaction of the holder's writer runs write_guard() first: when the stored epoch is
//   not the holder's, the batch is refused (store_error ownership_lost) and `on_lost` is called. The
//   heartbeat also reads the epoch, so a holder that wakes up idle learns it lost within one beat.
//
// Thread-safety: claim(), take_over() and the destructor belong to one thread; announce(), current()
// and the guard may be called from any thread. `on_lost` is called at most once, from the heartbeat
// thread or the writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/ports/ownership.hpp"
#include "store/connection.hpp"

namespace cati::store {

// The lock file of a fieldwork file: "<db>.owner".
std::filesystem::path owner_lock_path(const std::filesystem::path& db);

// The live server holding `db` (a file or a PostgreSQL URL), if one holds its lock now (for the `cati` commands, which may write to a
// served file but must not upgrade its schema). Never creates the lock file.
std::optional<core::ownership_refused> live_holder(const std::filesystem::path& db);

// The record stored in `db` (nullopt before the first claim, or in a file too old to have the table).
std::optional<core::ownership_record> read_ownership(sql::connection& db);

// What cati-server holds: the port, plus the check its writer runs in every transaction.
class store_ownership : public core::fieldwork_ownership {
 public:
  struct options {
    open_options file;                             // path (or PostgreSQL URL), create, synchronous, busy timeout
    std::chrono::milliseconds heartbeat{1000};
    std::function<void(const std::optional<core::ownership_record>& now)> on_lost;
  };
  // For open_options::write_guard, once claimed: checks the stored epoch inside the writer's
  // transaction. The function refers to this object, which must outlive the writer using it.
  std::function<void(sql::connection&)> write_guard();
  std::uint64_t epoch() const { return epoch_.load(); }
  // Writes the serving address into the record, checking the epoch in the same transaction.
  void announce(const std::string& address) override;

 protected:
  explicit store_ownership(options o) : options_(std::move(o)) {}
  // What both backends share: the epoch fence and the heartbeat's thread. A derived destructor calls
  // stop_heartbeat() first (beat() is the derived class's).
  //
  // Under the derived class's lock: brings the schema up to date (the one server allowed to is the one
  // that holds the fieldwork; `label` names the database in errors), then writes `me` as the holder with
  // the next epoch, which becomes this object's.
  core::ownership_record write_record(const core::owner_identity& me, const std::string& label);
  // Throws ownership_lost (after lost()) unless the record in `db` still has this holder's epoch. On a
  // pipelining connection it throws nothing: it sends a statement that fails when the epoch is not this
  // holder's, which dooms the transaction (nothing of it commits); the writer's unpipelined rerun then
  // calls it again, where it reads the epoch and throws.
  void check_epoch(sql::connection& db);
  // This holder has lost the fieldwork: on_lost is called once, whoever notices first.
  void lost(const std::optional<core::ownership_record>& now);
  // Calls beat() every options_.heartbeat on a thread of its own until stop_heartbeat(); once only.
  void start_heartbeat();
  void stop_heartbeat();
  virtual void beat() = 0;

  options options_;
  std::atomic<std::uint64_t> epoch_{0};  // 0 until claimed
  std::atomic<bool> lost_{false};

 private:
  std::once_flag lost_once_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

// The ownership of the fieldwork `o.file.path` names: sqlite_ownership for a file, pg_ownership
// (store/pg_ownership.hpp) for a PostgreSQL database.
std::unique_ptr<store_ownership> make_ownership(store_ownership::options o);

class sqlite_ownership final : public store_ownership {
 public:

  explicit sqlite_ownership(options o);
  // Stops the heartbeat and releases the lock; the record stays (the next claim replaces it).
  ~sqlite_ownership() override;
  sqlite_ownership(const sqlite_ownership&) = delete;
  sqlite_ownership& operator=(const sqlite_ownership&) = delete;

  core::result<core::ownership_record, core::ownership_refused> claim(const core::owner_identity& me) override;
  core::ownership_record take_over(const core::owner_identity& me, std::chrono::milliseconds silent_for,
                                   const std::function<void(const core::ownership_refused&)>& waiting) override;
  std::optional<core::ownership_record> current() override;
  bool holds_lock() const { return locked_.load(); }

 private:
  bool try_lock();
  core::ownership_record write_claim(const core::owner_identity& me);
  void beat() override;
  bool still_ours();

  int fd_ = -1;  // the lock file, open for the object's lifetime
  std::atomic<bool> locked_{false};
  // The heartbeat thread's read connection, kept from beat to beat (opening one parses the whole schema:
  // more than the rest of a beat); dropped after an error, opened again at the next beat.
  std::unique_ptr<sql::connection> beat_db_;
};

}  // namespace cati::store
