// Issue 13, behaviour 6 in the schema: respondent ids are UNIQUE (one id per case, one case per id), and
// an older file in which cases share an id (a server seeded from a manual clock repeated them) is
// upgraded sanely: the first case keeps the id, the later ones get "<id>-<case id>", the audit log says so.
#include "store/sql/sql.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store/sodium_randomness.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

std::string rows(store::sql::connection& db, const std::string& sql) {
  store::sql::statement q(db, sql);
  std::string out;
  while (q.executeStep()) {
    for (int i = 0; i < q.getColumnCount(); ++i) out += (i ? "|" : "") + q.getColumn(i).getString();
    out += "\n";
  }
  return out;
}

void version_3_file_with_repeated_ids(const std::string& path) {
  auto db = store::open_write_connection(options_for(path));
  store::migrate(*db, "fieldwork.db", 3);
  db->exec("INSERT INTO users (id, name, role, password_hash, created_at) VALUES (1, 'anna', 'interviewer', 'x', 0)");
  db->exec("INSERT INTO cases (id, firm_id, language, imported_at) VALUES (1, 'F1', 'nl', 0), (2, 'F2', 'nl', 0),"
           " (3, 'F3', 'nl', 0)");
  db->exec("INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id, questionnaire_version, language,"
           " started_at) VALUES (1, 'RT4U5XM8MAG', 1, 1, 1, '1', 'nl', 0), (2, 'RT4U5XM8MAG', 1, 2, 1, '1', 'nl', 0),"
           " (3, 'RT4U5XM8MAG', 1, 2, 1, '1', 'nl', 0), (4, 'RBBBBBBBBBB', 2, 3, 1, '1', 'nl', 0)");
}

class StoreRespondents : public backend_test {};

}  // namespace

TEST_P(StoreRespondents, RepeatedRespondentIdsOfAnOlderFileAreRenamedAndTheAuditLogSaysSo) {
  const auto& path = db();
  version_3_file_with_repeated_ids(path);
  { store::fieldwork_store upgraded(options_for(path)); }  // migrates to the latest version
  auto conn = store::open_write_connection(options_for(path));
  auto& db = *conn;
  EXPECT_EQ(rows(db, "SELECT id, respondent_id FROM interviews ORDER BY id"),
            "1|RT4U5XM8MAG\n2|RT4U5XM8MAG-2\n3|RT4U5XM8MAG-2\n4|RBBBBBBBBBB\n");
  EXPECT_EQ(rows(db, "SELECT respondent_id, case_id FROM respondents ORDER BY case_id"),
            "RT4U5XM8MAG|1\nRT4U5XM8MAG-2|2\nRBBBBBBBBBB|3\n");
  EXPECT_EQ(rows(db, "SELECT action, details FROM audit_log"),
            "respondent_id_renamed|case 2: respondent id RT4U5XM8MAG was case 1 already; now RT4U5XM8MAG-2\n");
}

TEST_P(StoreRespondents, AnotherCaseUnderATakenRespondentIdIsRefusedByTheSchema) {
  const auto& path = db();
  version_3_file_with_repeated_ids(path);
  { store::fieldwork_store upgraded(options_for(path)); }
  auto conn = store::open_write_connection(options_for(path));
  auto& db = *conn;
  const char* insert =
      "INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id, questionnaire_version, language,"
      " started_at) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM interviews), ?, 1, ?, 1, '1', 'nl', 0)";
  auto try_insert = [&](const std::string& id, int case_id) {
    store::sql::statement st(db, insert);
    st.bind(1, id);
    st.bind(2, case_id);
    st.exec();
  };
  EXPECT_THROW(try_insert("RBBBBBBBBBB", 1), store::sql::error);  // case 3's id for case 1
  EXPECT_THROW(try_insert("RNEWNEWNEW2", 1), store::sql::error);  // a second id for case 1
  EXPECT_NO_THROW(try_insert("RT4U5XM8MAG", 1));                  // case 1 again, its own id
}

CATI_ON_BOTH_BACKENDS(StoreRespondents);

TEST(StoreRandomness, TheServersRandomnessIsTheOperatingSystemsNotASeed) {
  // Two generators made at the same moment (what a restart on a manual clock amounts to) differ.
  store::sodium_randomness a, b;
  EXPECT_NE(a.next(), b.next());
}

}  // namespace cati::test
