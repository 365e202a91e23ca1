// Internal to server/store: helpers the repository .cpp files share for binding and reading values.
// Includes the SQL seam (store/sql/sql.hpp); not for public headers.
#pragma once

#include "store/sql/sql.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "core/ports/clock.hpp"
#include "core/calling/outcome.hpp"
#include "store/error.hpp"

namespace cati::store::detail {

inline std::int64_t to_ms(core::time_point t) { return t.time_since_epoch().count(); }
inline core::time_point from_ms(std::int64_t ms) { return core::time_point(core::milliseconds(ms)); }

inline void bind_time(sql::statement& s, int index, std::optional<core::time_point> t) {
  if (t)
    s.bind(index, to_ms(*t));
  else
    s.bind(index);
}

inline void bind_id(sql::statement& s, int index, std::optional<std::int64_t> id) {
  if (id)
    s.bind(index, *id);
  else
    s.bind(index);
}

inline std::optional<core::time_point> opt_time(const sql::column& c) {
  if (c.isNull()) return std::nullopt;
  return from_ms(c.getInt64());
}

inline std::optional<std::int64_t> opt_id(const sql::column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

inline std::optional<core::outcome> opt_outcome(const sql::column& c) {
  if (c.isNull()) return std::nullopt;
  return core::outcome_from_string(c.getString());
}

inline std::string outcome_name(core::outcome o) { return std::string(core::to_string(o)); }

// Throws not_found ("no case 12") unless `table` has a row with this id. `table` is a literal.
inline void require_row(sql::connection& db, const char* table, const char* what, std::int64_t id) {
  sql::statement q(db, std::string("SELECT 1 FROM ") + table + " WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) throw store_error(store_errc::not_found, std::string("no ") + what + " " + std::to_string(id));
}

// Runs an INSERT ... RETURNING id and returns the id (both databases; SQLite's last_insert_rowid has
// no PostgreSQL counterpart).
inline std::int64_t inserted_id(sql::statement& insert) {
  if (!insert.executeStep()) throw store_error(store_errc::sqlite, "an INSERT ... RETURNING id returned no row");
  std::int64_t id = insert.getColumn(0).getInt64();
  insert.reset();
  return id;
}

[[noreturn]] inline void not_found(const std::string& what) { throw store_error(store_errc::not_found, what); }

}  // namespace cati::store::detail
