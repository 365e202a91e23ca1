// The fieldwork file's schema, as numbered migrations. PRAGMA user_version says which version a file is
// at; PRAGMA application_id marks it as a cati fieldwork. A fresh file is brought to the latest version,
// an older one upgraded one step at a time (each step one transaction, so a crash leaves the file at a
// whole version), a newer one refused.
//
// To change the schema, append a migration in migrations.cpp; never edit a released one.
//
// Thread-safety: call on the write connection, before the writer starts.
#pragma once

#include <string>

namespace cati::store::sql {
class connection;
}

namespace cati::store {

inline constexpr int cati_application_id = 0x43415449;  // "CATI"

// The version this build knows up to.
int latest_schema_version();
// The file's version; 0 for a new, empty file.
int schema_version(sql::connection& db);

// Upgrades the file to `target` (default: the latest). `label` names the file in messages. Throws
// store_error: schema_too_new ("fieldwork.db is at schema version 7; this cati knows up to 3: upgrade
// cati"), not_a_fieldwork (another application's database), sqlite.
void migrate(sql::connection& db, const std::string& label, int target = latest_schema_version());

// For a read-only opening, which never migrates: throws store_error when the file is not a fieldwork
// (not_a_fieldwork), is empty (not_found) or is newer than this build (schema_too_new). An older file
// is read as it is.
void check_readable(sql::connection& db, const std::string& label);

}  // namespace cati::store
