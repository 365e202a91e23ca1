// `cati export` and `cati report --weights` on a real fieldwork of the seed study written through the
// store's API, read back by independent readers: ReadStat's `readstat` tool for .sav and .dta, and a CSV
// parser for the CSV, codebook and dispositions.
//
// The fieldwork (fieldwork_time(m): Monday 13 October 2025 09:00 Brussels + m minutes):
//   F01-F09  one complete per region x sector cell (F01 VLA/1 ... F09 BRU/3), F10 a second VLA/1
//            complete: raking has something to do; F01, F02 and F03 carry the answers checked below
//   F11      broken off after s2_fte (a partial)
//   F12      never called
#include <sstream>

#include "core/report/csv.hpp"
#include "store/study_repo.hpp"
#include "../store/store_fixture.hpp"

namespace cati::test {
namespace {

const std::string seed_dir = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";
using answers = std::vector<std::pair<std::string, std::optional<std::string>>>;

// The answers of an eligible respondent of `sector` who never uses AI.
answers plain(const char* sector) {
  return {{"s1_decider", "1"}, {"s2_fte", "4"},  {"s3_sector", sector}, {"q1_market", "3"}, {"q2_ai_use", "5"},
          {"q5_potential", "1"}, {"q6_attitude", "3"}, {"q7_fin_value", "1"}, {"q8_bank_ai", "2"}, {"q9_bank_domains", "1"}};
}

class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // CTest builds the tool before this suite (tests/CMakeLists.txt): a missing one is an error.
    if (!fs::exists(cati_binary)) FAIL() << "the cati tool is not built (" << cati_binary << ")";
    store::fieldwork_store fw(options_for(db_));
    std::ifstream in(seed_dir + "/questionnaire.textproto");
    std::stringstream text;
    text << in.rdbuf();
    fw.register_study({"ai_barometer_2025", "2025.1", store::study_hash(text.str()), text.str(), fieldwork_time()}).get();
    std::string csv = frame_header;
    const char* regions[] = {"VLA", "WAL", "BRU"};
    for (int i = 1; i <= 12; ++i) {
      char line[160];
      std::snprintf(line, sizeof line, "F%02d,Firm %d BV,+32200000%02d,Contact %d,%s,services,3,nl\n", i, i, i, i,
                    i <= 9 ? regions[(i - 1) / 3] : "VLA");
      csv += line;
    }
    import_ok(fw, csv);
    ann_ = add_interviewer(fw, "ann");

    answers a = {{"s1_decider", "1"}, {"s2_fte", "5"}, {"s3_sector", "1"}, {"q1_market", "2"}, {"q1_market", "1"},
                 {"q2_ai_use", "1"}, {"q3_ai_areas", "1 6"}, {"q3_other", "Chatbot, \"smart\""}, {"q4_ai_tasks", "2 3"},
                 {"q5_potential", "98"}, {"q6_attitude", "2"}, {"q7_fin_value", "1"}, {"q8_bank_ai", "2"},
                 {"q9_bank_domains", "1 4"}};
    answers b = plain("2");
    b[5] = {"q5_potential", "1"};
    b[6] = {"q6_attitude", std::nullopt};  // asked, no answer
    answers c = {{"s1_decider", "1"}, {"s2_fte", "2"}, {"s3_sector", "3"}, {"q1_market", "1"}, {"q2_ai_use", "4"},
                 {"q4_ai_tasks", "5"}, {"q5_potential", "2"}, {"q6_attitude", "1"}, {"q7_fin_value", "98"},
                 {"q8_bank_ai", "1"}, {"q9_bank_domains", "2 3 5"}};
    const char* sectors[] = {"1", "2", "3"};
    for (int i = 1; i <= 10; ++i) {
      const answers& given = i == 1 ? a : i == 2 ? b : i == 3 ? c : plain(sectors[(i - 1) % 3]);
      interview(fw, i, given, core::outcome::complete);
    }
    interview(fw, 11, {{"s1_decider", "1"}, {"s2_fte", "7"}}, core::outcome::break_off);
  }

  // Firm `n` is called and interviewed: `given` answered in order, then the interview ends as `end`.
  void interview(store::fieldwork_store& fw, int n, const answers& given, core::outcome end) {
    char firm[8];
    std::snprintf(firm, sizeof firm, "F%02d", n);
    const auto case_id = *fw.find_case(firm);
    const int start = n * 20;
    const auto rec = fw.create_interview({case_id, ann_, "2025.1", "nl", fieldwork_time(start)}).get();
    std::int64_t seq = 0;
    for (const auto& [question, value] : given)
      fw.append_answer({rec.id, ++seq, question, store::answer_kind::set, value, fieldwork_time(start + 1), ann_}).get();
    fw.finish_interview(rec.id, end, fieldwork_time(start + 12)).get();
    fw.record_call_attempt({case_id, ann_, fieldwork_time(start), "+3220000000", end, "", rec.id, {}}).get();
  }

  run_result cati(const std::string& args) { return run_cati(args, "", dir_); }
  std::string out(const std::string& name) const { return (dir_ / name).string(); }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // A CSV file as rows of fields, header first.
  static std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    const std::string text = slurp(p);
    core::csv_reader reader(text);
    std::vector<std::vector<std::string>> rows;
    while (auto r = reader.next()) rows.push_back(r->fields);
    return rows;
  }

  // The value of column `name` in the row whose column `key` is `value`.
  static std::string field(const std::vector<std::vector<std::string>>& rows, const std::string& key,
                           const std::string& value, const std::string& name) {
    if (rows.empty()) return "(empty file)";
    auto col = [&](const std::string& n) {
      auto it = std::find(rows[0].begin(), rows[0].end(), n);
      return it == rows[0].end() ? std::string::npos : static_cast<std::size_t>(it - rows[0].begin());
    };
    const auto k = col(key), c = col(name);
    if (k == std::string::npos || c == std::string::npos) return "(no column " + key + " or " + name + ")";
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (rows[i].size() > std::max(k, c) && rows[i][k] == value) return rows[i][c];
    return "(no row " + value + ")";
  }

  temp_dir dir_;
  fs::path db_ = dir_ / "fieldwork.db";
  store::row_id ann_ = 0;
};

// `text` without spaces: ReadStat's JSON metadata is compared whatever its spacing.
std::string squeeze(std::string text) {
  std::erase(text, ' ');
  return text;
}

// Runs a shell command (an independent reader), stdout and stderr together.
run_result run_command(const std::string& command) {
  run_result r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The respondent id of firm `n`: every interview of the case shares it.
std::string respondent_of(const fs::path& db, int n) {
  store::fieldwork_store fw(options_for(db));
  char firm[8];
  std::snprintf(firm, sizeof firm, "F%02d", n);
  const auto case_id = *fw.find_case(firm);
  for (store::row_id id = 1; id <= 20; ++id)
    if (auto i = fw.find_interview(id); i && i->case_id == case_id) return i->respondent_id;
  return "";
}

TEST_F(ExportCli, CsvHasOneRowPerCompleteAndTheThreeMissingKindsApart) {
  auto r = cati("export --db " + db_.string() + " --format csv --out " + out("ai.csv") + " --lang en");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("exported 10 respondents (10 complete, 0 partial)"), std::string::npos) << r.output;
  const auto rows = read_csv(dir_ / "ai.csv");
  ASSERT_EQ(rows.size(), 11u);  // header + 10 completes; the partial is left out
  const auto& header = rows[0];
  for (const char* name : {"respondent_id", "questionnaire_version", "interviewer_id", "start_time", "end_time",
                           "duration", "region", "sector_frame", "fte_frame", "s3_sector", "q3_ai_areas",
                           "q3_ai_areas_1", "q3_ai_areas_6", "q3_other", "q9_bank_domains_6"})
    EXPECT_NE(std::find(header.begin(), header.end(), name), header.end()) << name;
  for (const char* name : {"company", "phone", "contact_name", "firm_id", "intro", "end", "weight", "partial"})
    EXPECT_EQ(std::find(header.begin(), header.end(), name), header.end()) << name;

  const auto a = respondent_of(db_, 1), b = respondent_of(db_, 2), c = respondent_of(db_, 3);
  ASSERT_EQ(a.size(), 11u);
  EXPECT_EQ(field(rows, "respondent_id", a, "q1_market"), "1");  // the latest answer wins
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_ai_areas"), "1 6");
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_ai_areas_6"), "1");
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_ai_areas_2"), "0");
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_other"), "Chatbot, \"smart\"");
  EXPECT_EQ(field(rows, "respondent_id", a, "q5_potential"), "98");  // don't know keeps its code
  EXPECT_EQ(field(rows, "respondent_id", a, "region"), "1");
  EXPECT_EQ(field(rows, "respondent_id", a, "duration"), "12");
  EXPECT_EQ(field(rows, "respondent_id", a, "start_time"), "2025-10-13T07:20:00Z");
  EXPECT_EQ(field(rows, "respondent_id", b, "q3_ai_areas_1"), "-1");  // not asked (never uses AI)
  EXPECT_EQ(field(rows, "respondent_id", b, "q3_ai_areas"), "");
  EXPECT_EQ(field(rows, "respondent_id", b, "q6_attitude"), "-2");  // asked, no answer
  EXPECT_EQ(field(rows, "respondent_id", c, "q4_ai_tasks_5"), "1");
  EXPECT_EQ(field(rows, "respondent_id", c, "q7_fin_value"), "98");
  EXPECT_EQ(field(rows, "respondent_id", c, "region"), "1");

  // No contact data anywhere: neither names nor numbers.
  const auto text = slurp(dir_ / "ai.csv");
  EXPECT_EQ(text.find("Firm 1 BV"), std::string::npos);
  EXPECT_EQ(text.find("+3220"), std::string::npos);
  EXPECT_EQ(text.find("Contact 1"), std::string::npos);

  const auto codebook = slurp(dir_ / "ai.md");
  EXPECT_NE(codebook.find("# Codebook: ai_barometer_2025 2025.1"), std::string::npos);
  EXPECT_NE(codebook.find("10 rows"), std::string::npos);
  EXPECT_NE(codebook.find("## q5_potential\n\nDo you see positive potential"), std::string::npos) << codebook;
  EXPECT_NE(codebook.find("| 98 | Don't know | 1 |"), std::string::npos);
  EXPECT_NE(codebook.find("| -1 | not asked | 0 |"), std::string::npos);
  EXPECT_NE(codebook.find("- base: relevant: ${q2_ai_use} >= 1 and ${q2_ai_use} <= 3; 1 of 10 rows with a value"),
            std::string::npos) << codebook;
  for (const auto& name : rows[0]) EXPECT_NE(codebook.find("## " + name + "\n"), std::string::npos) << name;
}

TEST_F(ExportCli, SavReadBackByReadStat) {
  auto r = cati("export --db " + db_.string() + " --format sav --out " + out("ai.sav") + " --lang fr");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(dir_ / "ai.sps"));
  const auto sps = slurp(dir_ / "ai.sps");
  EXPECT_NE(sps.find("/MDGROUP NAME=$q3_ai_areas"), std::string::npos) << sps;
  EXPECT_NE(sps.find("VARIABLES=q3_ai_areas_1 q3_ai_areas_2 q3_ai_areas_3 q3_ai_areas_4 q3_ai_areas_5 q3_ai_areas_6 VALUE=1"),
            std::string::npos) << sps;

  auto meta = run_command("readstat " + out("ai.sav"));
  ASSERT_EQ(meta.exit_code, 0) << meta.output;
  EXPECT_NE(meta.output.find("Rows: 10"), std::string::npos) << meta.output;
  ASSERT_EQ(run_command("readstat " + out("ai.sav") + " " + out("back.csv")).exit_code, 0);
  const auto rows = read_csv(dir_ / "back.csv");
  ASSERT_EQ(rows.size(), 11u);
  const auto a = respondent_of(db_, 1), b = respondent_of(db_, 2);
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_other"), "Chatbot, \"smart\"");
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", a, "q3_ai_areas_6")), 1);
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", b, "q6_attitude")), -2);
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", b, "q3_ai_areas_1")), -1);
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", a, "q5_potential")), 98);

  // Labels in French and the three missing kinds as SPSS user-missing values, per ReadStat's metadata.
  ASSERT_EQ(run_command("extract_metadata " + out("ai.sav") + " " + out("meta.json")).exit_code, 0);
  const auto json = squeeze(slurp(dir_ / "meta.json"));
  EXPECT_NE(json.find(squeeze("\"name\": \"q5_potential\", \"format\": \"NUMBER\", \"label\": \"Voyez-vous un potentiel positif")),
            std::string::npos) << json.substr(0, 2000);
  EXPECT_NE(json.find(squeeze("{\"code\": -2.000000, \"label\": \"sans réponse\"}, {\"code\": -1.000000, \"label\": \"non posée\"}, "
                      "{\"code\": 1.000000, \"label\": \"Oui\"}, {\"code\": 2.000000, \"label\": \"Non\"}, "
                      "{\"code\": 98.000000, \"label\": \"Ne sait pas\"}], \"missing\": {\"type\": \"DISCRETE\", "
                      "\"values\": [-2, -1, 98]}")),
            std::string::npos);
}

TEST_F(ExportCli, DtaReadBackByReadStat) {
  auto r = cati("export --db " + db_.string() + " --format dta --out " + out("ai.dta") + " --lang nl");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto meta = run_command("readstat " + out("ai.dta"));
  ASSERT_EQ(meta.exit_code, 0) << meta.output;
  EXPECT_NE(meta.output.find("Rows: 10"), std::string::npos) << meta.output;
  ASSERT_EQ(run_command("readstat " + out("ai.dta") + " " + out("back.csv")).exit_code, 0);
  const auto rows = read_csv(dir_ / "back.csv");
  ASSERT_EQ(rows.size(), 11u);
  const auto a = respondent_of(db_, 1), b = respondent_of(db_, 2);
  EXPECT_EQ(field(rows, "respondent_id", a, "q3_other"), "Chatbot, \"smart\"");
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", a, "s2_fte")), 5);
  EXPECT_DOUBLE_EQ(std::stod(field(rows, "respondent_id", a, "q3_ai_areas_6")), 1);
  // Stata's extended missing values: .a not asked, .b no answer, .c don't know, each labelled in Dutch.
  EXPECT_EQ(field(rows, "respondent_id", b, "q6_attitude"), "");
  ASSERT_EQ(run_command("extract_metadata " + out("ai.dta") + " " + out("meta.json")).exit_code, 0);
  const auto json = squeeze(slurp(dir_ / "meta.json"));
  EXPECT_NE(json.find(squeeze("{\"code\": 1, \"label\": \"Ja\"}, {\"code\": 2, \"label\": \"Nee\"}, {\"code\": \".a\", "
                      "\"label\": \"niet gevraagd\"}, {\"code\": \".b\", \"label\": \"geen antwoord\"}, "
                      "{\"code\": \".c\", \"label\": \"Weet niet\"}]")),
            std::string::npos) << json.substr(0, 2000);
}

TEST_F(ExportCli, RakingWeightsReproduceTheQuotaTargets) {
  auto r = cati("export --db " + db_.string() + " --format csv --out " + out("w.csv") + " --weights rake");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("weights: raked to region, sector: converged in"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("design effect"), std::string::npos);
  const auto rows = read_csv(dir_ / "w.csv");
  ASSERT_EQ(rows.size(), 11u);
  std::map<std::string, double> region, sector;
  double total = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto id = rows[i][0];
    const double w = std::stod(field(rows, "respondent_id", id, "weight"));
    region[field(rows, "respondent_id", id, "region")] += w;
    sector[field(rows, "respondent_id", id, "s3_sector")] += w;
    total += w;
  }
  EXPECT_NEAR(total / 10, 1.0, 1e-6);
  EXPECT_NEAR(region["1"] / total, 131.0 / 225, 1e-6);
  EXPECT_NEAR(region["2"] / total, 70.0 / 225, 1e-6);
  EXPECT_NEAR(region["3"] / total, 24.0 / 225, 1e-6);
  EXPECT_NEAR(sector["1"] / total, 97.0 / 225, 1e-6);
  EXPECT_NEAR(sector["2"] / total, 64.0 / 225, 1e-6);
  EXPECT_NEAR(sector["3"] / total, 64.0 / 225, 1e-6);

  auto report = cati("report --db " + db_.string() + " --study " + seed_dir + " --by overall --weights");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("Weights of the 10 completed interviews"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("effective sample size"), std::string::npos);
  EXPECT_NE(report.output.find("margin of error at 50 %"), std::string::npos);
}

TEST_F(ExportCli, ContactDataAndPartialsOnlyWhenAsked) {
  auto r = cati("export --db " + db_.string() + " --format csv --out " + out("c.csv") +
                " --include-contact-data --include-partials --study " + seed_dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: --include-contact-data"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("exported 11 respondents (10 complete, 1 partial)"), std::string::npos) << r.output;
  const auto rows = read_csv(dir_ / "c.csv");
  ASSERT_EQ(rows.size(), 12u);
  const auto partial = respondent_of(db_, 11);
  EXPECT_EQ(field(rows, "respondent_id", partial, "partial"), "1");
  EXPECT_EQ(field(rows, "respondent_id", partial, "firm_id"), "F11");
  EXPECT_EQ(field(rows, "respondent_id", partial, "company"), "Firm 11 BV");
  EXPECT_EQ(field(rows, "respondent_id", partial, "phone"), "+3220000011");
  EXPECT_EQ(field(rows, "respondent_id", partial, "s3_sector"), "-1");
  EXPECT_EQ(field(rows, "respondent_id", respondent_of(db_, 1), "partial"), "0");
}

TEST_F(ExportCli, DispositionsListEveryCase) {
  auto r = cati("export --db " + db_.string() + " --format dispositions --out " + out("d.csv") + " --at 2025-10-20");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir_ / "d.csv");
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(field(rows, "case_id", "1", "aapor_code"), "1.1");
  EXPECT_EQ(field(rows, "case_id", "1", "aapor_group"), "I");
  EXPECT_EQ(field(rows, "case_id", "1", "attempts"), "1");
  EXPECT_EQ(field(rows, "case_id", "1", "quota_region"), "VLA");
  EXPECT_EQ(field(rows, "case_id", "5", "quota_sector"), "2");
  EXPECT_EQ(field(rows, "case_id", "11", "aapor_code"), "2.12");
  EXPECT_EQ(field(rows, "case_id", "11", "outcome"), "break_off");
  EXPECT_EQ(field(rows, "case_id", "11", "quota_sector"), "");
  EXPECT_EQ(field(rows, "case_id", "12", "aapor_code"), "3.11");
  EXPECT_EQ(field(rows, "case_id", "12", "attempts"), "0");
  EXPECT_EQ(slurp(dir_ / "d.csv").find("+3220"), std::string::npos);
}

TEST_F(ExportCli, WorksOnACopyAndRefusesBadInputWithAMessage) {
  fs::copy_file(db_, dir_ / "copy.db");
  auto copy = cati("export --db " + out("copy.db") + " --format csv --out " + out("copy.csv"));
  EXPECT_EQ(copy.exit_code, 0) << copy.output;
  EXPECT_EQ(read_csv(dir_ / "copy.csv").size(), 11u);

  auto missing = cati("export --db " + out("nope.db") + " --format csv --out " + out("x.csv"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("cati export: "), std::string::npos) << missing.output;
  auto lang = cati("export --db " + db_.string() + " --format csv --out " + out("x.csv") + " --lang de");
  EXPECT_EQ(lang.exit_code, 1);
  EXPECT_NE(lang.output.find("--lang de: the study has no texts in that language"), std::string::npos) << lang.output;
  auto cap = cati("export --db " + db_.string() + " --format csv --out " + out("x.csv") + " --cap 3");
  EXPECT_EQ(cap.exit_code, 1);
  EXPECT_NE(cap.output.find("--cap applies to --weights rake"), std::string::npos);
  EXPECT_NE(cati("export --db " + db_.string() + " --format xls --out " + out("x.csv")).exit_code, 0);
}

}  // namespace
}  // namespace cati::test
