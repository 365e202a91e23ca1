// The store's SQL seam: one connection and statement interface over the two databases a fieldwork can
// live in, SQLite (sqlite_connection.hpp, through SQLiteCpp) and PostgreSQL (pg_connection.hpp, libpq).
// The repositories, the writer, the readers, the migrations and the ownership talk only to this; the
// SQL they send is written to mean the same on both (ON CONFLICT DO NOTHING, RETURNING id, `?`
// placeholders, optionally numbered `?1`), and where a statement cannot be shared it branches on
// connection::kind().
//
// The statement's method names are SQLiteCpp's (bind, executeStep, exec, getColumn, getInt64, ...):
// the repositories were written against SQLiteCpp, and keeping its names kept their conversion to a
// change of types only.
//
// Errors: every failure is a sql::error, a store_error(sqlite) that also carries the backend's own code
// (SQLite's extended result code, PostgreSQL's SQLSTATE) and whether retrying the transaction may succeed
// (SQLite busy; PostgreSQL serialization failure or deadlock), and whether the connection itself is gone
// (PostgreSQL only: the server died, was shut down, or is no longer a read-write primary; store/reconnect.hpp
// opens a new one).
//
// Pipelining (PostgreSQL only; issue 16): inside a write transaction, connection::start_pipeline() lets
// statements go to the server without waiting for each one's result. A statement whose result nobody
// reads (an exec() whose count is not looked at) is only sent; one whose result is read (executeStep,
// or the count of an exec()) waits for it and for everything sent before it (one round trip for all of
// them). Every result is still checked: a failure surfaces at the next wait, at the latest at
// finish_pipeline() after COMMIT, and then the transaction cannot commit. Which statement failed is not
// what the caller that sees the failure ran: the writer (writer.hpp) therefore runs such a transaction
// again without pipelining, where every statement fails where it is run.
//
// Thread-safety: a connection and its statements are used by one thread at a time.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/error.hpp"

namespace cati::store::sql {

enum class dialect { sqlite, postgresql };

class error : public store_error {
 public:
  error(std::string message, int native_code, std::string sqlstate, bool retryable, bool connection_lost = false)
      : store_error(store_errc::sqlite, message), native_code_(native_code), sqlstate_(std::move(sqlstate)),
        retryable_(retryable), connection_lost_(connection_lost) {}
  int native_code() const { return native_code_; }           // SQLite's extended result code; 0 on PostgreSQL
  const std::string& sqlstate() const { return sqlstate_; }  // PostgreSQL's SQLSTATE; empty on SQLite
  bool retryable() const { return retryable_; }              // busy, serialization failure, deadlock
  // The connection cannot be used any more, or reaches a server that cannot write: only a new one helps.
  bool connection_lost() const { return connection_lost_; }

 private:
  int native_code_;
  std::string sqlstate_;
  bool retryable_;
  bool connection_lost_;
};

// The rows a statement changed (statement::exec). Known at once, except on a pipelining connection (see
// above), where the statement may only have been sent: reading the number (converting it to int) waits
// for its result, and throws the sql::error of the pipeline's first failure if it failed or was not run.
// A number never read costs no wait; its statement's result is checked all the same, later.
class changes {
 public:
  // A count still to come.
  class pending {
   public:
    virtual ~pending() = default;
    virtual int wait() = 0;
  };
  explicit changes(int known) : known_(known) {}
  explicit changes(std::shared_ptr<pending> later) : later_(std::move(later)) {}
  operator int() const { return later_ ? later_->wait() : known_; }

 private:
  int known_ = 0;
  std::shared_ptr<pending> later_;
};

// A prepared statement of one backend. Columns and parameters count from 0 and 1 respectively (as in
// SQLite). Values are read as the caller asks for them; a NULL reads as 0 or "".
class statement_impl {
 public:
  virtual ~statement_impl() = default;
  virtual void bind_null(int index) = 0;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_blob(int index, const void* data, std::size_t size) = 0;
  virtual bool step() = 0;  // true: a row is there to read
  virtual int exec() = 0;   // runs to the end; the rows it changed
  // exec(), except on a pipelining connection: there the statement is sent, and its count waited for
  // only when read (changes).
  virtual changes send() { return changes(exec()); }
  virtual void reset() = 0;         // ready to run again, bindings kept
  virtual void clear_bindings() = 0;
  virtual int column_count() = 0;
  virtual bool is_null(int column) = 0;
  virtual std::int64_t get_int64(int column) = 0;
  virtual double get_double(int column) = 0;
  virtual std::string get_text(int column) = 0;
  virtual std::string get_blob(int column) = 0;
};

// One column of the current row; valid while its statement stays on that row.
class column {
 public:
  column(statement_impl& st, int index) : st_(&st), index_(index) {}
  bool isNull() const { return st_->is_null(index_); }
  int getInt() const { return static_cast<int>(st_->get_int64(index_)); }
  std::int64_t getInt64() const { return st_->get_int64(index_); }
  double getDouble() const { return st_->get_double(index_); }
  std::string getString() const { return st_->get_text(index_); }
  std::string getBlob() const { return st_->get_blob(index_); }

 private:
  statement_impl* st_;
  int index_;
};

// The first column of the first row of a query (connection::execAndGet); owns its statement.
class single_value : public column {
 public:
  explicit single_value(std::unique_ptr<statement_impl> st) : column(*st, 0), st_(std::move(st)) {}

 private:
  std::unique_ptr<statement_impl> st_;
};

class statement;

class connection {
 public:
  virtual ~connection();
  virtual dialect kind() const = 0;
  // Runs SQL without parameters, possibly several statements.
  virtual void exec(std::string_view sql) = 0;
  // Whether a transaction is open on this connection.
  virtual bool in_transaction() = 0;
  // Whether the connection is known to be broken (PostgreSQL: libpq's CONNECTION_BAD, once a call found
  // the server gone). A connection that was fine at its last use says false even if its server has died
  // since: the next statement finds out (sql::error::connection_lost). Always false on SQLite.
  virtual bool lost() { return false; }
  // Begins a write transaction that no other writer of the fieldwork can interleave with: SQLite's
  // BEGIN IMMEDIATE (throws a retryable error while another process holds the lock past the busy
  // timeout); on PostgreSQL BEGIN and a transaction-scoped advisory lock that serializes the writers
  // (sent, not waited for, when the pipeline was started before it).
  virtual void begin_write() = 0;
  // Begins a read transaction: one consistent snapshot of the last commits.
  virtual void begin_read() = 0;
  void commit() { exec("COMMIT"); }
  // Ends an open transaction (and pipelining, results unread), ignoring a failure (after one that doomed
  // it already).
  virtual void rollback_quietly() noexcept = 0;
  // Commits that return before the disk has them, made durable later by sync_commits(), so that a
  // writer can run its next transaction while the last one is synced (writer.hpp). True when this
  // backend can (SQLite in WAL mode: synchronous=NORMAL, then the WAL's own sync); PostgreSQL's COMMIT
  // is durable by itself, so it says false and nothing changes. Call once, on the connection's thread,
  // with no transaction open.
  virtual bool defer_commit_sync() { return false; }
  // Syncs everything committed so far (after defer_commit_sync() said true); throws sql::error when the
  // disk refuses. The one member that may run on another thread while the connection's own thread goes
  // on: it touches only the file the commits were written to.
  virtual void sync_commits() {}
  // Pipelining (see above). Starts it in the open write transaction, or before begin_write() so that the
  // transaction's start goes with its statements; false when this backend does not
  // pipeline (SQLite: its statements run in this process, there is no round trip to save), and then
  // nothing changes. Ended by finish_pipeline() or rollback_quietly().
  virtual bool start_pipeline() { return false; }
  // Waits for every statement sent in the pipeline and checks each one's result, then ends pipelining.
  // Throws the first failure (sql::error; connection_lost when the connection broke): then the
  // transaction cannot commit, and rollback_quietly() ends it. Called after COMMIT was sent, its return
  // means the transaction committed. Nothing to do without a pipeline.
  virtual void finish_pipeline() {}
  // Whether statements are being pipelined now (start_pipeline() said true and the pipeline has not
  // ended): a repository may then prefer a statement that fails over one whose result it must wait for
  // (interview_repo's answers), since a failure sends the transaction round again without pipelining.
  virtual bool pipelining() const { return false; }
  // The first column of the first row of `sql` (which must return a row).
  single_value execAndGet(std::string_view sql);

  // While at least one caching scope is open, statement(conn, sql, cached) keeps its prepared statement
  // for reuse (statement_cache.hpp). Closing the last one drops them.
  void open_cache_scope() { ++cache_scopes_; }
  void close_cache_scope();

  // Prepares `sql` (`?` placeholders). `reused`: it will run many times (PostgreSQL prepares it on the
  // server under a name; otherwise it is parsed with each run).
  virtual std::unique_ptr<statement_impl> prepare(std::string_view sql, bool reused) = 0;

 private:
  friend class statement;
  struct entry {
    std::unique_ptr<statement_impl> prepared;
    bool in_use = false;
  };
  int cache_scopes_ = 0;
  std::unordered_map<std::string, entry> cache_;
};

// A statement to run once (or a few times, with reset()). `cached`: taken from the connection's cache
// when a caching scope is open and the same SQL is not in use already (a nested use gets its own copy);
// a cached one is reset and its bindings cleared when this handle ends.
class statement {
 public:
  statement(connection& db, std::string_view sql, bool cached = false);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  void bind(int index) { st_->bind_null(index); }
  template <std::integral T>
  void bind(int index, T value) {
    st_->bind_int64(index, static_cast<std::int64_t>(value));
  }
  void bind(int index, double value) { st_->bind_double(index, value); }
  void bind(int index, const std::string& value) { st_->bind_text(index, value); }
  void bind(int index, std::string_view value) { st_->bind_text(index, value); }
  void bind(int index, const char* value) { st_->bind_text(index, value); }
  void bind(int index, const void* data, int size) { st_->bind_blob(index, data, static_cast<std::size_t>(size)); }

  bool executeStep() { return st_->step(); }
  changes exec() { return st_->send(); }
  void reset() { st_->reset(); }
  void clearBindings() { st_->clear_bindings(); }
  column getColumn(int index) const { return column(*st_, index); }
  bool isColumnNull(int index) const { return st_->is_null(index); }
  int getColumnCount() const { return st_->column_count(); }

 private:
  std::unique_ptr<statement_impl> owned_;
  connection::entry* cached_ = nullptr;
  statement_impl* st_ = nullptr;
};

}  // namespace cati::store::sql
