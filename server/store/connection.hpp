// Opening the fieldwork's database: the one place that turns the `--db` string into a connection.
// A path is a SQLite file (the settings every connection gets: WAL, foreign keys, busy timeout,
// `synchronous`); `postgresql://...`, `postgres://...` or a libpq key=value string starting with
// `host=` or `dbname=` is a PostgreSQL database (store/sql/pg_connection.hpp). Two kinds of connection:
// the one writer and the readers.
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

#include "store/sql/sql.hpp"

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
  std::function<void(sql::connection&)> write_guard{};
  // PostgreSQL: what the store's reconnections after a lost connection are doing (a primary failover:
  // store/reconnect.hpp), one line each, for the log. May be empty.
  std::function<void(const std::string&)> on_reconnect{};
  // Readers only: no writer, no migration, the file untouched (the `cati` commands that only read).
  bool read_only = false;
};

// `db` (the --db string) fit for a log line or an error message: the password of a postgresql:// URL
// (user:PASSWORD@host), and any password=... of a URL's query or a key=value string, as "***"
// (core/util/redact.hpp). A file path comes back as it is.
std::string redacted(std::string_view db);

// Whether `db` (the --db string) names a PostgreSQL database rather than a SQLite file.
bool is_postgresql(std::string_view db);
inline bool is_postgresql(const open_options& options) { return is_postgresql(options.path.native()); }

// The write connection: created when missing (if allowed), WAL, foreign keys on. Not migrated here.
// On PostgreSQL the database must exist (it is created by its administrator); `create` allows an empty
// one to be given the schema. Throws store_error.
std::unique_ptr<sql::connection> open_write_connection(const open_options& options);
// A read-only connection to an existing file: it never writes the file, even to recover or checkpoint
// its WAL (on PostgreSQL: a session with default_transaction_read_only). Throws store_error.
std::unique_ptr<sql::connection> open_read_connection(const open_options& options);

}  // namespace cati::store
