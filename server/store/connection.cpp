#include "store/connection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <array>

#include "core/util/redact.hpp"
#include "store/error.hpp"
#include "store/sql/pg_connection.hpp"
#include "store/sql/sqlite_connection.hpp"

namespace cati::store {
namespace {

constexpr std::array<std::string_view, 4> sync_names = {"off", "normal", "full", "extra"};

// SQLite's memory statistics off, once per process, before its first connection: with them on (the
// library's default) every sqlite3_malloc and sqlite3_free takes a process-wide mutex, about 4k of an
// answer's instructions under callgrind. Nothing here reads them (sqlite3_memory_used, a soft heap
// limit). Too late once SQLite is initialized (SQLITE_MISUSE, ignored): the statistics then stay on.
void configure_sqlite_once() {
  static const bool done = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

std::unique_ptr<SQLite::Database> open(const open_options& options, int flags) {
  configure_sqlite_once();
  const auto& path = options.path;
  if (!(flags & SQLite::OPEN_CREATE) && !std::filesystem::exists(path))
    throw store_error(store_errc::not_found, path.string() + ": no such fieldwork file");
  try {
    auto db = std::make_unique<SQLite::Database>(path.string(), flags,
                                                 static_cast<int>(options.busy_timeout.count()), options.vfs);
    // Every connection: the file's integrity rules hold only if each one turns them on.
    db->exec("PRAGMA foreign_keys = ON");
    return db;
  } catch (const SQLite::Exception& e) {
    throw store_error(store_errc::sqlite, path.string() + ": " + e.what());
  }
}

}  // namespace

std::string_view to_string(synchronous_mode mode) { return sync_names[static_cast<std::size_t>(mode)]; }

std::optional<synchronous_mode> synchronous_from_string(std::string_view name) {
  for (std::size_t i = 0; i < sync_names.size(); ++i)
    if (sync_names[i] == name) return static_cast<synchronous_mode>(i);
  return std::nullopt;
}

bool is_postgresql(std::string_view db) {
  for (std::string_view prefix : {"postgresql://", "postgres://", "host=", "dbname="})
    if (db.starts_with(prefix)) return true;
  return false;
}

std::string redacted(std::string_view db) {
  return is_postgresql(db) ? core::redact_passwords(db) : std::string(db);
}

std::unique_ptr<sql::connection> open_write_connection(const open_options& options) {
  if (is_postgresql(options)) return sql::open_pg_connection(options.path.native(), false);
  // NOMUTEX (SQLite's multi-thread mode for this connection): a write connection is used by one thread at
  // a time (the writer's, once handed over; the ownership's and `cati db copy`'s inside one function), so
  // the serialized mode's lock around every call (step, bind, reset: about 2k of an answer's
  // instructions) guards nothing. The writer's syncer thread calls only the WAL file's xSync, never
  // the connection, with or without this flag.
  int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (options.create ? SQLite::OPEN_CREATE : 0);
  auto db = open(options, flags);
  try {
    // WAL: readers never block the writer nor see a half-done transaction; the mode is stored in the
    // file, so the readers (and the sqlite3 shell) get it too.
    std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal")
      throw store_error(store_errc::sqlite, options.path.string() + ": cannot use WAL mode (got " + mode + ")");
    db->exec("PRAGMA synchronous = " + std::string(to_string(options.synchronous)));
  } catch (const SQLite::Exception& e) {
    throw store_error(store_errc::sqlite, options.path.string() + ": " + e.what());
  }
  return std::make_unique<sql::sqlite_connection>(std::move(db));
}

std::unique_ptr<sql::connection> open_read_connection(const open_options& options) {
  if (is_postgresql(options)) return sql::open_pg_connection(options.path.native(), true);
  return std::make_unique<sql::sqlite_connection>(open(options, SQLite::OPEN_READONLY));
}

}  // namespace cati::store
