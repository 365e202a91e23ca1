// The audit log: who did what and when, for supervisor and administrator actions (sample imports, users
// disabled, quota targets changed, cells closed). Append-only.
#pragma once

#include <vector>

#include "store/records.hpp"

namespace SQLite {
class Database;
}

namespace cati::store {

row_id append_audit(SQLite::Database& db, const audit_entry& entry);
// Oldest first.
std::vector<audit_entry> audit_log(SQLite::Database& db);

}  // namespace cati::store
