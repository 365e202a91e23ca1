// The SQL seam (sql.hpp) on PostgreSQL, through libpq (chosen over libpqxx for its pipeline mode:
// docs/benchmarks.md).
//
// - Statements are written with SQLite's `?` / `?N` placeholders; they are rewritten to `$n` here.
// - A statement prepared for reuse (a cached one, statement_cache.hpp) becomes a named prepared statement
//   of this session, prepared on its first run with the types of its first parameters; any other runs
//   as one PQexecParams (parse, bind, execute in one round trip).
// - Pipelining (sql.hpp; the writer's transactions): start_pipeline() enters libpq's pipeline mode
//   (pg_pipeline.hpp). Then exec() sends its statement (PQsendQueryPrepared, PQsendQueryParams; the
//   preparation too, PQsendPrepare) and returns a count still to come; executeStep() sends, syncs and
//   reads every result up to its own; finish_pipeline() syncs once more (after COMMIT: one round trip
//   for the COMMIT and everything still unread). connection::exec() runs outside the pipeline, after it.
// - Parameters and results travel as text: an integer is bound as int8, a double as float8, a text as
//   text, a NULL untyped; results are parsed as the caller reads them (a boolean reads as 1 or 0).
// - A failure throws sql::error with PostgreSQL's message and SQLSTATE; a serialization failure (40001)
//   or a deadlock (40P01) is retryable; a broken connection, a server shutting down or a server that
//   cannot write any more (is_connection_loss) is connection_lost: the store opens a new connection
//   through the same (multi-host) connection string, store/reconnect.hpp. So is a failure to connect.
// - Write transactions (begin_write) take the transaction-scoped advisory lock writer_lock_key: like
//   SQLite's BEGIN IMMEDIATE, one writer at a time per database, so the repositories' read-then-write
//   steps behave as they do on SQLite. Begun inside a pipeline, the BEGIN and the lock are sent with the
//   rest, not waited for. Read transactions are REPEATABLE READ READ ONLY snapshots.
//
// Thread-safety: as sql.hpp (one thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/sql/sql.hpp"

typedef struct pg_conn PGconn;

namespace cati::store::sql {

class pg_pipeline;

// The advisory locks of a fieldwork (SQL expressions for pg_advisory_*lock(bigint)): the writers' one,
// taken per write transaction, and the ownership's, held by the serving cati-server's session. Keyed by
// the schema the fieldwork lives in, so that several fieldworks can share a database.
inline constexpr const char* writer_lock_key = "hashtext(current_schema() || '/cati-writer')::bigint";
inline constexpr const char* ownership_lock_key = "hashtext(current_schema() || '/cati-owner')::bigint";

class pg_connection final : public connection {
 public:
  // Connects with a libpq connection string or URI (multi-host allowed). `read_only`: every transaction
  // of the session is read-only. Throws sql::error (connection_lost) with libpq's message when it cannot
  // connect (libpq's messages never quote the password).
  pg_connection(const std::string& conninfo, bool read_only);
  ~pg_connection() override;

  dialect kind() const override { return dialect::postgresql; }
  void exec(std::string_view sql) override;
  bool in_transaction() override;
  bool lost() override;
  void begin_write() override;
  void begin_read() override;
  void rollback_quietly() noexcept override;
  bool start_pipeline() override;
  void finish_pipeline() override;
  bool pipelining() const override;
  std::unique_ptr<statement_impl> prepare(std::string_view sql, bool reused) override;

  PGconn* handle() { return conn_; }
  pg_pipeline& pipeline() { return *pipeline_; }
  // The waits for the server so far, each one round trip: the pipeline's syncs (pg_pipeline::round_trips)
  // and every statement run outside a pipeline. For tests.
  std::uint64_t round_trips() const;
  void note_wait() { ++waits_; }
  // The name for the next named prepared statement of this session.
  std::string next_statement_name();

 private:
  // In a pipeline: sends `sql` (no parameters) and expects its result, read at the next sync.
  void send_unread(const char* sql);
  PGconn* conn_ = nullptr;
  std::uint64_t prepared_ = 0;
  std::uint64_t waits_ = 0;  // statements run outside a pipeline (round_trips)
  // Shared with the counts it still owes (pg_pending), which may outlive the connection.
  std::shared_ptr<pg_pipeline> pipeline_;
};

std::unique_ptr<connection> open_pg_connection(const std::string& conninfo, bool read_only);

// Whether a failure with `sqlstate` on `conn` means the connection is of no more use (see above).
bool is_connection_loss(PGconn* conn, std::string_view sqlstate);

// SQLite's `?` and `?N` placeholders as PostgreSQL's `$n` (outside quoted strings and identifiers);
// `params` gets the number of parameters.
std::string to_pg_placeholders(std::string_view sql, int& params);

}  // namespace cati::store::sql
