// Opening the fieldwork's SQLite file: the settings every connection gets (WAL, foreign keys, busy
// timeout, `synchronous`), and the two kinds of connection, the one writer and the readers.
//
// Thread-safety: a connection is used by one thread at a time (SQLite's multi-thread mode); these
// functions may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}

namespace cati::store {

// SQLite's `synchronous`. In WAL mode a commit survives a crash of the program whatever the setting;
// NORMAL may lose the last commits on a power cut or OS crash, FULL (the default) may not. With FULL the
// store's write connection runs at NORMAL and its writer syncs every commit itself before acknowledging
// it (store/writer.hpp: the sync overlaps the next batch); the guarantee is FULL's.
enum class synchronous_mode { off, normal, full, extra };

std::string_view to_string(synchronous_mode mode);
std::optional<synchronous_mode> synchronous_from_string(std::string_view name);

struct open_options {
  std::filesystem::path path;
  synchronous_mode synchronous = synchronous_mode::full;
  std::chrono::milliseconds busy_timeout{10000};  // another process (a sample import) holding the lock
  bool create = true;                             // create a missing file; else refuse it
  int readers = 2;                                // read connections in the pool
  // The SQLite VFS every connection opens the file through, by its registered name; empty: SQLite's
  // default. Tests name a fault-injecting VFS (tests/store/fault_vfs.hpp) here; the server never sets it.
  std::string vfs{};
  std::size_t max_batch = 512;                    // writer jobs per transaction at most
  // Called after each transaction (committed or not) with its number of jobs and how long it took from
  // BEGIN to the end of COMMIT (with FULL: to the end of the sync that made it durable, on the writer's
  // syncer thread; see writer.hpp): what group commit achieves, for /metrics. Must be quick and must not
  // call into the store.
  std::function<void(std::size_t jobs, std::chrono::duration<double> took)> on_batch{};
  // See writer_hooks (writer.hpp): another process holding the write lock, and the check every write
  // transaction runs first (the ownership's epoch, store/ownership.hpp).
  std::function<void(std::chrono::duration<double> waited, bool over)> on_busy{};
  std::function<void(SQLite::Database&)> write_guard{};
  // Readers only: no writer, no migration, the file untouched (the `cati` commands that only read).
  bool read_only = false;
};

// The write connection: created when missing (if allowed), WAL, foreign keys on. Not migrated here.
// Throws store_error.
std::unique_ptr<SQLite::Database> open_write_connection(const open_options& options);
// A read-only connection to an existing file: it never writes the file, even to recover or checkpoint
// its WAL. Throws store_error.
std::unique_ptr<SQLite::Database> open_read_connection(const open_options& options);

}  // namespace cati::store
