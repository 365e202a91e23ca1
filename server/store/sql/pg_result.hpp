// libpq's results as the PostgreSQL adapter needs them (pg_connection.cpp, pg_pipeline.cpp): an owned
// result, and a failed one turned into the seam's sql::error (sql.hpp: message, SQLSTATE, retryable,
// connection_lost). Internal to server/store/sql.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "store/sql/sql.hpp"

namespace cati::store::sql {

struct pg_result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using pg_result_ptr = std::unique_ptr<PGresult, pg_result_deleter>;

// libpq's message on one line (it spreads a failure to connect over several, tab-indented): a log line
// and an error message stay one line each.
std::string pg_trimmed(const char* message);

// Whether `res` is a success: a command done, rows, or an empty query.
bool pg_succeeded(const PGresult* res);

// The failure `res` reports (res may be null: then the connection's own message) as a sql::error. A
// serialization failure (40001) or deadlock (40P01) is retryable; what is_connection_loss says is
// connection_lost.
error pg_failure(const PGresult* res, PGconn* conn);

// Takes `res` (a result libpq returned, or null): returns it when it succeeded, else throws its
// pg_failure. Either way it is freed once nobody holds it: a caller that wants only the check drops the
// returned pointer (a result checked and not freed was a leak, found by ASan on PostgreSQL).
pg_result_ptr pg_checked(PGresult* res, PGconn* conn);

}  // namespace cati::store::sql
