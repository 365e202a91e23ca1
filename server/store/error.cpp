#include "store/error.hpp"

#include <SQLiteCpp/Exception.h>

#include "store/sql/sqlite_connection.hpp"

namespace cati::store {

void rethrow_as_store_error() {
  try {
    throw;
  } catch (const SQLite::Exception&) {  // SQLiteCpp used directly (tests, tools)
    sql::rethrow_sqlite_error();
  }
}

}  // namespace cati::store
