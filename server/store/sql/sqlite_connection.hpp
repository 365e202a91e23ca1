// The SQL seam (sql.hpp) on SQLite, through SQLiteCpp. Opening the file and its settings stay in
// store/connection.hpp; this wraps an open SQLite::Database.
//
// Thread-safety: as sql.hpp (one thread at a time).
#pragma once

#include <memory>
#include <string>

#include "store/sql/sql.hpp"

struct sqlite3_file;

namespace SQLite {
class Database;
}

namespace cati::store::sql {

class sqlite_connection final : public connection {
 public:
  explicit sqlite_connection(std::unique_ptr<SQLite::Database> db);
  ~sqlite_connection() override;

  dialect kind() const override { return dialect::sqlite; }
  void exec(std::string_view sql) override;
  bool in_transaction() override;
  void begin_write() override;
  void begin_read() override;
  void rollback_quietly() noexcept override;
  std::unique_ptr<statement_impl> prepare(std::string_view sql, bool reused) override;
  bool defer_commit_sync() override;
  void sync_commits() override;

  // For what only SQLite has (VACUUM INTO, the fault-injecting VFS's tests).
  SQLite::Database& database() { return *db_; }

 private:
  std::unique_ptr<SQLite::Database> db_;
  // The WAL's file object as SQLite opened it (through the connection's VFS), taken on the connection's
  // thread by defer_commit_sync(); it lives as long as the connection stays in WAL mode.
  sqlite3_file* wal_ = nullptr;
};

// SQLiteCpp's exception in flight as a sql::error (busy is retryable). Call inside a catch block.
[[noreturn]] void rethrow_sqlite_error();

}  // namespace cati::store::sql
