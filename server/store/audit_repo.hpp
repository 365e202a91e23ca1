// The audit log: who did what and when, for supervisor and administrator actions (sample imports, users
// disabled, quota targets changed, cells closed). Append-only.
#pragma once

#include <vector>

#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

row_id append_audit(sql::connection& db, const audit_entry& entry);
// Oldest first.
std::vector<audit_entry> audit_log(sql::connection& db);

}  // namespace cati::store
