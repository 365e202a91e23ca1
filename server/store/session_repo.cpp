#include "store/session_repo.hpp"

#include "store/sql/sql.hpp"

#include "store/error.hpp"
#include "store/sql_detail.hpp"

namespace cati::store {

void open_session(sql::connection& db, const core::session_opened& s) {
  sql::statement expired(db, "DELETE FROM sessions WHERE expires_at <= ?");
  expired.bind(1, detail::to_ms(s.at));
  expired.exec();
  sql::statement insert(db,
                           "INSERT INTO sessions (digest, user_id, issued_at, expires_at)"
                           " SELECT ?, id, ?, ? FROM users WHERE name = ?"
                           " ON CONFLICT (digest) DO UPDATE SET user_id = excluded.user_id,"
                           " issued_at = excluded.issued_at, expires_at = excluded.expires_at");
  insert.bind(1, s.digest);
  insert.bind(2, detail::to_ms(s.at));
  insert.bind(3, detail::to_ms(s.expires));
  insert.bind(4, s.user);
  if (insert.exec() != 1) throw store_error(store_errc::invalid, "a session token for unknown user '" + s.user + "'");
}

void close_session(sql::connection& db, const std::string& digest) {
  sql::statement st(db, "DELETE FROM sessions WHERE digest = ?");
  st.bind(1, digest);
  st.exec();
}

std::vector<core::fieldwork_source::saved_session> list_sessions(sql::connection& db) {
  std::vector<core::fieldwork_source::saved_session> out;
  sql::statement st(db,
                       "SELECT s.digest, u.name, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id"
                       " ORDER BY s.issued_at");
  while (st.executeStep())
    out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), detail::from_ms(st.getColumn(2).getInt64())});
  return out;
}

}  // namespace cati::store
