#include "store/audit_repo.hpp"

#include "store/sql_detail.hpp"

namespace cati::store {

using namespace detail;

row_id append_audit(sql::connection& db, const audit_entry& entry) {
  sql::statement insert(db, "INSERT INTO audit_log (at, user_id, action, details) VALUES (?, ?, ?, ?) RETURNING id");
  insert.bind(1, to_ms(entry.at));
  bind_id(insert, 2, entry.user_id);
  insert.bind(3, entry.action);
  insert.bind(4, entry.details);
  return inserted_id(insert);
}

std::vector<audit_entry> audit_log(sql::connection& db) {
  sql::statement q(db, "SELECT at, user_id, action, details FROM audit_log ORDER BY id");
  std::vector<audit_entry> out;
  while (q.executeStep())
    out.push_back({from_ms(q.getColumn(0).getInt64()), opt_id(q.getColumn(1)), q.getColumn(2).getString(),
                   q.getColumn(3).getString()});
  return out;
}

}  // namespace cati::store
