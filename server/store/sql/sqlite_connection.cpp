#include "store/sql/sqlite_connection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

namespace cati::store::sql {

void rethrow_sqlite_error() {
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    throw error(e.what(), code, "", (code & 0xff) == SQLITE_BUSY);
  }
}

namespace {

class sqlite_statement final : public statement_impl {
 public:
  sqlite_statement(SQLite::Database& db, std::string_view sql) try : st_(db, std::string(sql)) {
  } catch (...) {
    rethrow_sqlite_error();
  }

  void bind_null(int i) override { guard([&] { st_.bind(i); }); }
  void bind_int64(int i, std::int64_t v) override { guard([&] { st_.bind(i, static_cast<int64_t>(v)); }); }
  void bind_double(int i, double v) override { guard([&] { st_.bind(i, v); }); }
  void bind_text(int i, std::string_view v) override {
    guard([&] { st_.bind(i, std::string(v)); });
  }
  void bind_blob(int i, const void* data, std::size_t size) override {
    guard([&] { st_.bind(i, data, static_cast<int>(size)); });
  }
  bool step() override {
    return guard([&] { return st_.executeStep(); });
  }
  int exec() override {
    return guard([&] { return st_.exec(); });
  }
  void reset() override { st_.tryReset(); }
  void clear_bindings() override {
    guard([&] { st_.clearBindings(); });
  }
  int column_count() override { return st_.getColumnCount(); }
  bool is_null(int c) override {
    return guard([&] { return st_.isColumnNull(c); });
  }
  std::int64_t get_int64(int c) override {
    return guard([&] { return static_cast<std::int64_t>(st_.getColumn(c).getInt64()); });
  }
  double get_double(int c) override {
    return guard([&] { return st_.getColumn(c).getDouble(); });
  }
  std::string get_text(int c) override {
    return guard([&] { return st_.getColumn(c).getString(); });
  }
  std::string get_blob(int c) override {
    return guard([&] {
      auto col = st_.getColumn(c);
      return std::string(static_cast<const char*>(col.getBlob()), static_cast<std::size_t>(col.getBytes()));
    });
  }

 private:
  template <class F>
  static auto guard(F f) -> decltype(f()) {
    try {
      return f();
    } catch (...) {
      rethrow_sqlite_error();
    }
  }
  SQLite::Statement st_;
};

}  // namespace

sqlite_connection::sqlite_connection(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

sqlite_connection::~sqlite_connection() = default;

void sqlite_connection::exec(std::string_view sql) {
  try {
    db_->exec(std::string(sql));
  } catch (...) {
    rethrow_sqlite_error();
  }
}

bool sqlite_connection::in_transaction() { return sqlite3_get_autocommit(db_->getHandle()) == 0; }

void sqlite_connection::begin_write() { statement(*this, "BEGIN IMMEDIATE", true).exec(); }

void sqlite_connection::begin_read() { statement(*this, "BEGIN", true).exec(); }

void sqlite_connection::rollback_quietly() noexcept {
  if (in_transaction()) sqlite3_exec(db_->getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::unique_ptr<statement_impl> sqlite_connection::prepare(std::string_view sql, bool) {
  return std::make_unique<sqlite_statement>(*db_, sql);
}

bool sqlite_connection::defer_commit_sync() {
  const std::string mode = db_->execAndGet("PRAGMA journal_mode").getString();
  if (mode != "wal") return false;
  sqlite3_file* wal = nullptr;
  if (sqlite3_file_control(db_->getHandle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK ||
      wal == nullptr || wal->pMethods == nullptr)
    return false;
  exec("PRAGMA synchronous = NORMAL");  // in WAL mode still consistent: SQLite syncs before a checkpoint
  wal_ = wal;
  return true;
}

void sqlite_connection::sync_commits() {
  if (wal_ == nullptr) return;
  const int rc = wal_->pMethods->xSync(wal_, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK) throw error(sqlite3_errstr(rc), rc, "", false);
}

}  // namespace cati::store::sql
