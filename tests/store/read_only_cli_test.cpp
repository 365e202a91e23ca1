// Behaviour 12 of issue 13: the `cati` commands that only read (report, quota, export, users list) open
// the fieldwork read-only and never migrate it; `cati export --out` refuses to write onto the fieldwork
// file (or its -wal/-shm), however the path is spelled.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include "store/migrations.hpp"
#include "store/study_repo.hpp"
#include "store/user_repo.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

const std::string seed_dir = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int user_version(const fs::path& db) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  return conn.execAndGet("PRAGMA user_version").getInt();
}

// A fieldwork of the seed study written at schema version `version`, its WAL folded into the file.
void make_fieldwork(const fs::path& db, int version) {
  auto conn = store::open_write_connection(options_for(db));
  store::migrate(*conn, db.filename().string(), version);
  const auto text = bytes_of(fs::path(seed_dir) / "questionnaire.textproto");
  store::register_study(*conn, {"ai_barometer_2025", "2025.1", store::study_hash(text), text, fieldwork_time()});
  // Plain SQL of version 1's users table: today's add_user writes columns an older file lacks.
  conn->exec("INSERT INTO users (name, role, languages, password_hash, created_at)"
             " VALUES ('anna', 'interviewer', 'nl,fr', 'not-a-real-hash', 0)");
  conn->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

TEST(ReadOnlyCommands, LeaveAnOlderFileByteIdenticalAndUnmigrated) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  const int older = store::latest_schema_version() - 1;
  make_fieldwork(db, older);
  const auto before = bytes_of(db);
  const std::string on = " --db " + db.string();
  for (const std::string& command :
       {"users list" + on, "report" + on + " --study " + seed_dir, "quota" + on + " --study " + seed_dir,
        "export" + on + " --format csv --out " + (dir / "out.csv").string(),
        "export" + on + " --format dispositions --out " + (dir / "dispositions.csv").string()}) {
    auto r = run_cati(command, "", dir);
    EXPECT_EQ(r.exit_code, 0) << "cati " << command << "\n" << r.output;
    EXPECT_EQ(bytes_of(db), before) << "cati " << command << " changed the file";
    EXPECT_EQ(user_version(db), older) << "cati " << command << " migrated the file";
  }
  // A writing command upgrades it, as before.
  auto add = run_cati("users add bob --role supervisor" + std::string(" --db ") + db.string(), "bob-secret-1\nbob-secret-1\n", dir);
  EXPECT_EQ(add.exit_code, 0) << add.output;
  EXPECT_EQ(user_version(db), store::latest_schema_version());
}

TEST(ExportOut, OntoTheFieldworkFileIsRefusedWhateverTheSpelling) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  make_fieldwork(db, store::latest_schema_version());
  { SQLite::Database open_one(db.string(), SQLite::OPEN_READONLY); open_one.exec("SELECT 1"); }
  fs::create_directory(dir / "sub");
  fs::create_symlink(db, dir / "link.db");
  const auto wal = dir / "fieldwork.db-wal";
  std::ofstream(wal, std::ios::app).flush();  // as a live fieldwork has one
  const auto before = bytes_of(db);
  for (const auto& out : {db.string(), (dir / "sub" / ".." / "fieldwork.db").string(), (dir / "link.db").string(),
                          wal.string()}) {
    auto r = run_cati("export --db " + db.string() + " --format csv --out " + out, "", dir);
    EXPECT_EQ(r.exit_code, 1) << out << ": " << r.output;
    EXPECT_NE(r.output.find("refusing to overwrite it"), std::string::npos) << r.output;
    EXPECT_EQ(bytes_of(db), before) << "--out " << out << " changed the fieldwork";
  }
  // Through the working directory too: `cd dir && cati export --db fieldwork.db --out ./sub/../fieldwork.db`.
  auto relative = run_cati("export --db " + db.string() + " --format sav --out " + (dir / "sub/../link.db").string(), "", dir);
  EXPECT_EQ(relative.exit_code, 1) << relative.output;
  EXPECT_EQ(bytes_of(db), before);
}

}  // namespace
}  // namespace cati::test
