// Migrations: a fresh file at the latest version, an older file upgraded step by step with its data
// kept, a newer file and a foreign database refused.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/sql.hpp"
#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

int pragma(const fs::path& db, const std::string& name) {
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  return raw.execAndGet("PRAGMA " + name).getInt();
}

bool has_index(const fs::path& db, const std::string& name) {
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(raw, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

store::store_errc open_error(const store::open_options& options, std::string* message = nullptr) {
  try {
    store::fieldwork_store fw(options);
  } catch (const store::store_error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "the store opened";
  return store::store_errc::sqlite;
}

TEST(StoreMigration, FreshFileIsCreatedAtTheLatestVersion) {
  temp_dir dir;
  auto db = dir / "fieldwork.db";
  { store::fieldwork_store fw(options_for(db)); }
  EXPECT_EQ(pragma(db, "user_version"), store::latest_schema_version());
  EXPECT_EQ(pragma(db, "application_id"), store::cati_application_id);
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
  for (const char* table : {"study", "users", "cases", "case_frame", "contacts", "phones", "call_attempts",
                            "appointments", "interviews", "answers", "quota_cells", "quota_leases",
                            "quota_lease_cells", "audit_log"})
    EXPECT_TRUE(raw.tableExists(table)) << table;
  EXPECT_TRUE(has_index(db, "call_attempts_by_time"));
}

TEST(StoreMigration, ConnectionSettingsApplyToTheWriter) {
  temp_dir dir;
  auto options = options_for(dir / "fieldwork.db");
  for (auto mode : {store::synchronous_mode::full, store::synchronous_mode::normal, store::synchronous_mode::extra}) {
    options.synchronous = mode;
    store::fieldwork_store fw(options);
    auto settings = fw.submit([](store::sql::connection& db) {
                        return std::pair{db.execAndGet("PRAGMA synchronous").getInt(),
                                         db.execAndGet("PRAGMA foreign_keys").getInt()};
                      }).get();
    // FULL: the connection commits at NORMAL and the writer's syncer syncs every commit before telling
    // anyone (writer.hpp; StorageFaults.PowerCut* prove nothing acknowledged is lost). EXTRA as set.
    EXPECT_EQ(settings.first, mode == store::synchronous_mode::extra ? 3 : 1);
    EXPECT_EQ(settings.second, 1);
    EXPECT_EQ(fw.read([](store::sql::connection& db) { return db.execAndGet("PRAGMA foreign_keys").getInt(); }), 1);
  }
}

TEST(StoreMigration, OlderFileIsUpgradedStepByStepKeepingItsData) {
  temp_dir dir;
  auto db = dir / "fieldwork.db";
  {
    // A file as version 1 of cati left it, with a user in it.
    auto conn = store::open_write_connection(options_for(db));
    store::migrate(*conn, "fieldwork.db", 1);
    conn->exec("INSERT INTO users (name, role, password_hash, created_at) VALUES ('ann', 'supervisor', 'h', 0)");
  }
  ASSERT_EQ(pragma(db, "user_version"), 1);
  ASSERT_FALSE(has_index(db, "call_attempts_by_time"));

  store::fieldwork_store fw(options_for(db));
  EXPECT_EQ(pragma(db, "user_version"), store::latest_schema_version());
  EXPECT_TRUE(has_index(db, "call_attempts_by_time"));
  auto ann = fw.find_user("ann");
  ASSERT_TRUE(ann);
  EXPECT_EQ(ann->role, store::user_role::supervisor);
}

TEST(StoreMigration, NewerFileIsRefusedWithAClearMessage) {
  temp_dir dir;
  auto db = dir / "fieldwork.db";
  { store::fieldwork_store fw(options_for(db)); }
  int newer = store::latest_schema_version() + 4;
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  std::string message;
  EXPECT_EQ(open_error(options_for(db), &message), store::store_errc::schema_too_new);
  EXPECT_EQ(message, "fieldwork.db is at schema version " + std::to_string(newer) + "; this cati knows up to " +
                         std::to_string(store::latest_schema_version()) + ": upgrade cati");
  EXPECT_EQ(pragma(db, "user_version"), newer);  // untouched
}

TEST(StoreMigration, ForeignDatabaseIsRefused) {
  temp_dir dir;
  auto db = dir / "other.db";
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE notes (text TEXT)");
  }
  std::string message;
  EXPECT_EQ(open_error(options_for(db), &message), store::store_errc::not_a_fieldwork);
  EXPECT_NE(message.find("other.db is not a cati fieldwork file"), std::string::npos) << message;
}

TEST(StoreMigration, NotADatabaseAtAllIsRefused) {
  temp_dir dir;
  auto db = dir / "frame.csv";
  std::ofstream(db) << frame_header << std::string(4096, 'x');
  EXPECT_EQ(open_error(options_for(db)), store::store_errc::sqlite);
}

TEST(StoreMigration, MissingFileIsNotCreatedWhenNotAllowed) {
  temp_dir dir;
  auto options = options_for(dir / "missing.db");
  options.create = false;
  EXPECT_EQ(open_error(options), store::store_errc::not_found);
  EXPECT_FALSE(fs::exists(dir / "missing.db"));
}

TEST(StoreMigration, ReopeningAtTheLatestVersionChangesNothing) {
  temp_dir dir;
  auto db = dir / "fieldwork.db";
  {
    store::fieldwork_store fw(options_for(db));
    add_interviewer(fw, "bo");
  }
  store::fieldwork_store fw(options_for(db));
  EXPECT_EQ(fw.list_users().size(), 1u);
  EXPECT_EQ(pragma(db, "user_version"), store::latest_schema_version());
}

}  // namespace
}  // namespace cati::test
