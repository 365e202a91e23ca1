// Issue 14, partials: the fieldwork service decides 1.2 or 2.12 when an interview breaks off and records it
// with the call (call_attempts.partial); whatever reads the file alone (`cati export`, `cati report`, a
// restarted fieldwork) reads that record. Driven through the real fieldwork service over a real SQLite file
// (tests/fieldwork/durable_harness.hpp), read back with the real `cati` tool.
//
// The seed study's partial point is q5_potential (partial_after). eligible_answers reach it at the ninth
// screen (intro, s1-s3, q1-q4, q5).
#include <gtest/gtest.h>

#include <regex>

#include <SQLiteCpp/SQLiteCpp.h>

#include "../fieldwork/durable_harness.hpp"
#include "../store/store_fixture.hpp"
#include "core/calling/disposition.hpp"
#include "csv_rows.hpp"
#include "store/study_repo.hpp"
#include "store/migrations.hpp"

namespace cati::durable {
namespace {

using test::field;
using test::read_csv;
using test::slurp;

const std::string seed_dir = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

test::run_result cati(const test::temp_dir& dir, const std::string& args) { return test::run_cati(args, "", dir); }

// The rate `name` as `cati report` prints it ("RR2    0.2500").
std::string rate(const std::string& report, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(report, m, std::regex("\\n" + name + " +([0-9.]+)"))) return "(no " + name + ")";
  return m[1];
}

// The case count on the report's line for AAPOR code `code` ("1.2    P      partial interview ... 1").
std::string code_count(const std::string& report, const std::string& code) {
  std::smatch m;
  std::string escaped = std::regex_replace(code, std::regex("\\."), "\\.");
  if (!std::regex_search(report, m, std::regex("\\n" + escaped + " +[A-Z]+ +[^\\n]*? ([0-9]+)\\n"))) return "(no " + code + ")";
  return m[1];
}

// Starts an interview on the case offered to `who` and answers the first `screens` screens.
interview_view interview_to(durable_fieldwork& f, const user& who, std::size_t screens, case_id& id) {
  auto offer = take_next(f, who);
  id = offer.id;
  auto iv = f.take(f.fw->start_interview(who, 0, offer.id, "", f.now));
  for (std::size_t i = 0; i < screens; ++i) answer_screen(f, who, iv, eligible_answers[i]);
  return iv;
}

}  // namespace

TEST(PartialInterviews, ABreakOffIsRecordedPartialOrNotWhenItHappensAndEveryReaderReadsTheRecord) {
  durable_fieldwork f(2);
  test::temp_dir out;
  {  // the study beside the cases, as `cati sample import` loads it: what the tools read the file with
    auto conn = store::open_write_connection(f.file_options());
    const auto text = slurp(fs::path(seed_dir) / "questionnaire.textproto");
    store::register_study(*conn, {"ai_barometer_2025", "2025.1", store::study_hash(text), text, test::fieldwork_time()});
  }
  case_id past = 0, before = 0;
  auto a = interview_to(f, f.anna, 9, past);  // q5_potential answered
  ASSERT_EQ(a.current->name, "q6_attitude");
  auto a_off = f.take(f.fw->suspend(f.anna, 0, a.id, a.next_seq, outcome::break_off, {}, "", f.now));
  EXPECT_EQ(a_off.aapor_code, "1.2") << "the terminal is told what was recorded";
  auto b = interview_to(f, f.bert, 3, before);  // stopped at s3_sector
  auto b_off = f.take(f.fw->suspend(f.bert, 0, b.id, b.next_seq, outcome::break_off, {}, "", f.now));
  EXPECT_EQ(b_off.aapor_code, "2.12");

  // Recorded in the file, with the call.
  const auto partial_of = [&](case_id id) {
    return f.sql("SELECT partial FROM call_attempts WHERE outcome = 'break_off' AND case_id = " + std::to_string(id));
  };
  EXPECT_EQ(partial_of(past), "1");
  EXPECT_EQ(partial_of(before), "0");

  // The running fieldwork's cases (what the supervisor page's rates are computed from) carry it at once,
  // and a restarted one reads the same record back.
  const auto check_cases = [&](const char* when) {
    for (const auto& c : f.fw->cases()) {
      ASSERT_EQ(c.calls.size(), 1u) << when;
      EXPECT_EQ(c.calls[0].partial, c.id == past) << when << ": case " << c.id;
      EXPECT_EQ(code_text(final_disposition(c, f.now).code), c.id == past ? "1.2" : "2.12") << when;
    }
  };
  check_cases("live");
  f.restart();
  check_cases("after a restart");

  // `cati export --include-partials`: the partial, flagged; the early break-off is no respondent.
  const std::string db = " --db " + f.db_path();
  auto csv = cati(out, "export" + db + " --format csv --weights none --include-partials --out " + (out / "r.csv").string());
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_NE(csv.output.find("exported 1 respondents (0 complete, 1 partial)"), std::string::npos) << csv.output;
  EXPECT_EQ(field(read_csv(out / "r.csv"), "partial", "1", "q5_potential"), "1") << slurp(out / "r.csv");
  auto without = cati(out, "export" + db + " --format csv --weights none --out " + (out / "c.csv").string());
  EXPECT_NE(without.output.find("exported 0 respondents (0 complete, 0 partial)"), std::string::npos) << without.output;

  // The dispositions export and the report: P 1, R 1 of 2 cases. RR1 = 0/2, RR2 = 1/2; no unknown
  // eligibility and no NE, so RR3/RR4 and RR5/RR6 equal them.
  auto disp = cati(out, "export" + db + " --format dispositions --include-contact-data --out " + (out / "d.csv").string());
  ASSERT_EQ(disp.exit_code, 0) << disp.output;
  const auto d = read_csv(out / "d.csv");
  EXPECT_EQ(field(d, "case_id", std::to_string(past), "aapor_code"), "1.2") << slurp(out / "d.csv");
  EXPECT_EQ(field(d, "case_id", std::to_string(before), "aapor_code"), "2.12");
  auto report = cati(out, "report" + db + " --study " + seed_dir + " --by overall");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_EQ(code_count(report.output, "1.2"), "1") << report.output;
  EXPECT_EQ(code_count(report.output, "2.12"), "1") << report.output;
  EXPECT_EQ(rate(report.output, "RR1"), "0.0000") << report.output;
  EXPECT_EQ(rate(report.output, "RR2"), "0.5000") << report.output;
  EXPECT_EQ(rate(report.output, "RR4"), "0.5000") << report.output;
  EXPECT_EQ(rate(report.output, "RR6"), "0.5000") << report.output;
  EXPECT_EQ(rate(report.output, "RR5"), "0.0000") << report.output;

  // The record, not the study read beside the file, decides: a study copy whose partial point is
  // s2_fte (which the early break-off had passed) recodes nothing.
  const auto moved = out / "moved";
  fs::copy(seed_dir, moved, fs::copy_options::recursive);
  {
    auto text = slurp(moved / "questionnaire.textproto");
    text = std::regex_replace(text, std::regex("\npartial_after: \"q5_potential\""), "\npartial_after: \"s2_fte\"");
    std::ofstream(moved / "questionnaire.textproto") << text;
  }
  auto moved_report = cati(out, "report" + db + " --study " + moved.string() + " --by overall");
  ASSERT_EQ(moved_report.exit_code, 0) << moved_report.output;
  EXPECT_EQ(code_count(moved_report.output, "1.2"), "1") << moved_report.output;
  EXPECT_EQ(rate(moved_report.output, "RR2"), "0.5000") << moved_report.output;

  // The partial resumed a day later and completed ends as 1.1, and exports as a complete.
  f.now += std::chrono::hours(24);
  bool completed = false;
  for (int tries = 0; tries < 4 && !completed; ++tries) {
    auto offer = take_next(f, f.anna);
    auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
    if (offer.id != past) {  // the other break-off: broken off again at once
      f.take(f.fw->suspend(f.anna, 0, iv.id, iv.next_seq, outcome::break_off, {}, "", f.now));
      continue;
    }
    ASSERT_EQ(iv.current->name, "q6_attitude") << "resumed where it broke off";
    for (std::size_t i = 9; i < eligible_answers.size() && iv.current; ++i) answer_screen(f, f.anna, iv, eligible_answers[i]);
    ASSERT_TRUE(iv.ended);
    EXPECT_EQ(*iv.ended, outcome::complete);
    completed = true;
  }
  ASSERT_TRUE(completed) << "the partial was not offered again";
  auto after = cati(out, "export" + db + " --format dispositions --include-contact-data --out " + (out / "d2.csv").string());
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(field(read_csv(out / "d2.csv"), "case_id", std::to_string(past), "aapor_code"), "1.1");
  EXPECT_EQ(field(read_csv(out / "d2.csv"), "case_id", std::to_string(before), "aapor_code"), "2.12");
  auto both = cati(out, "export" + db + " --format csv --weights none --include-partials --out " + (out / "r2.csv").string());
  EXPECT_NE(both.output.find("exported 1 respondents (1 complete, 0 partial)"), std::string::npos) << both.output;
}

// A file written before partials were recorded (schema 8): a read-only command derives them by the rule of
// that time; migration 10 records that same derivation in call_attempts.partial, and the codes stay.
TEST(PartialInterviews, AnOlderFileKeepsItsPartialsReadOnlyAndWhenMigrated) {
  test::temp_dir dir;
  const auto db = dir / "fieldwork.db";
  {
    auto conn = store::open_write_connection(test::options_for(db));
    store::migrate(*conn, "fieldwork.db", 8);
    const auto text = slurp(fs::path(seed_dir) / "questionnaire.textproto");
    store::register_study(*conn, {"ai_barometer_2025", "2025.1", store::study_hash(text), text, test::fieldwork_time()});
    // Plain SQL of version 8: two cases, each interviewed by anna and broken off, one past q5_potential.
    conn->exec("INSERT INTO users (id, name, role, languages, password_hash, created_at)"
               " VALUES (1, 'anna', 'interviewer', 'nl', 'not-a-real-hash', 0)");
    for (int c = 1; c <= 2; ++c) {
      const std::string id = std::to_string(c);
      conn->exec("INSERT INTO cases (id, firm_id, language, imported_at) VALUES (" + id + ", 'F" + id + "', 'nl', 0)");
      conn->exec("INSERT INTO phones (case_id, position, number) VALUES (" + id + ", 1, '+3220000000" + id + "')");
      conn->exec("INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id, questionnaire_version,"
                 " language, started_at, suspended) VALUES (" + id + ", 'R" + id + "', 1, " + id + ", 1, '2025.1', 'nl', 1000, 1)");
      conn->exec("INSERT INTO answers (interview_id, seq, question, kind, value, at, answered_by) VALUES (" + id +
                 ", 1, 's1_decider', 'set', '1', 2000, 1)");
      if (c == 1)
        conn->exec("INSERT INTO answers (interview_id, seq, question, kind, value, at, answered_by)"
                   " VALUES (1, 2, 'q5_potential', 'set', '1', 3000, 1)");
      conn->exec("INSERT INTO call_attempts (case_id, interviewer_id, at, number, outcome, interview_id) VALUES (" + id +
                 ", 1, 4000, '+3220000000" + id + "', 'break_off', " + id + ")");
    }
    conn->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const auto codes = [&](const std::string& name) {
    auto r = cati(dir, "export --db " + db.string() + " --format dispositions --include-contact-data --at 2030-01-01 --out " +
                           (dir / name).string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto d = read_csv(dir / name);
    return field(d, "case_id", "1", "aapor_code") + " " + field(d, "case_id", "2", "aapor_code");
  };
  EXPECT_EQ(codes("read_only.csv"), "1.2 2.12");
  {
    SQLite::Database check(db.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(check.execAndGet("PRAGMA user_version").getInt(), 8) << "a read-only command never migrates";
  }
  {
    auto conn = store::open_write_connection(test::options_for(db));
    store::migrate(*conn, "fieldwork.db");
    EXPECT_EQ(conn->execAndGet("SELECT group_concat(partial, ' ') FROM (SELECT partial FROM call_attempts ORDER BY case_id)")
                  .getString(),
              "1 0");
    EXPECT_THROW(conn->exec("UPDATE call_attempts SET partial = 0"), std::exception) << "the log is append-only again";
  }
  EXPECT_EQ(codes("migrated.csv"), "1.2 2.12");
}

}  // namespace cati::durable
