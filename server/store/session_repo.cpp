#include "store/session_repo.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/error.hpp"
#include "store/sql_detail.hpp"

namespace cati::store {

void open_session(SQLite::Database& db, const core::session_opened& s) {
  SQLite::Statement expired(db, "DELETE FROM sessions WHERE expires_at <= ?");
  expired.bind(1, detail::to_ms(s.at));
  expired.exec();
  SQLite::Statement insert(db,
                           "INSERT OR REPLACE INTO sessions (digest, user_id, issued_at, expires_at)"
                           " SELECT ?, id, ?, ? FROM users WHERE name = ?");
  insert.bind(1, s.digest);
  insert.bind(2, detail::to_ms(s.at));
  insert.bind(3, detail::to_ms(s.expires));
  insert.bind(4, s.user);
  if (insert.exec() != 1) throw store_error(store_errc::invalid, "a session token for unknown user '" + s.user + "'");
}

void close_session(SQLite::Database& db, const std::string& digest) {
  SQLite::Statement st(db, "DELETE FROM sessions WHERE digest = ?");
  st.bind(1, digest);
  st.exec();
}

std::vector<core::fieldwork_source::saved_session> list_sessions(SQLite::Database& db) {
  std::vector<core::fieldwork_source::saved_session> out;
  SQLite::Statement st(db,
                       "SELECT s.digest, u.name, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id"
                       " ORDER BY s.issued_at");
  while (st.executeStep())
    out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), detail::from_ms(st.getColumn(2).getInt64())});
  return out;
}

}  // namespace cati::store
