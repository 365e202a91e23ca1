#include "store/sql/pg_result.hpp"

#include "store/sql/pg_connection.hpp"

namespace cati::store::sql {

std::string pg_trimmed(const char* message) {
  std::string m;
  for (const char* p = message == nullptr ? "" : message; *p != '\0'; ++p) {
    if (*p != '\n' && *p != '\t') {
      m.push_back(*p);
    } else if (!m.empty() && m.back() != ' ') {
      m.push_back(' ');
    }
  }
  while (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

bool pg_succeeded(const PGresult* res) {
  const auto status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

error pg_failure(const PGresult* res, PGconn* conn) {
  std::string state, message;
  if (res != nullptr) {
    const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    state = s == nullptr ? "" : s;
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    message = pg_trimmed(primary != nullptr ? primary : PQresultErrorMessage(res));
  }
  if (message.empty()) message = pg_trimmed(PQerrorMessage(conn));
  const bool retryable = state == "40001" || state == "40P01";
  return error("PostgreSQL: " + message + (state.empty() ? "" : " (SQLSTATE " + state + ")"), 0, state, retryable,
               is_connection_loss(conn, state));
}

pg_result_ptr pg_checked(PGresult* res, PGconn* conn) {
  pg_result_ptr owned(res);
  if (!pg_succeeded(res)) throw pg_failure(res, conn);
  return owned;
}

}  // namespace cati::store::sql
