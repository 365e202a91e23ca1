// `cati export` and `cati report --weights` on a real fieldwork of the seed study written through the
// store's API, read back by independent readers: ReadStat's `readstat` tool for .sav and .dta, and a CSV
// parser for the CSV, codebook and dispositions.
//
// The fieldwork (fieldwork_time(m): Monday 13 October 2025 09:00 Brussels + m minutes):
//   F01-F09  one complete per region x sector cell (F01 VLA/1 ... F09 BRU/3), F10 a second VLA/1
//            complete: raking has something to do; F01, F02 and F03 carry the answers checked below
//   F11      broken off after q5_potential, the study's partial point: a partial interview (1.2)
//   F12      never called
//   F13      broken off after s2_fte, before the partial point: a break-off (2.12), not exported
// F02's interview starts in Dutch and goes on in French (a language switch: interview_owned), so its
// start_language and interview_language differ.
// Break-offs are written as the fieldwork writes them: a break_off call (partial or not), the interview left open.
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/ports/clock_spec.hpp"
#include "store/interview_repo.hpp"
#include "store/study_repo.hpp"
#include "../store/store_fixture.hpp"
#include "csv_rows.hpp"

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
    for (int i = 1; i <= 13; ++i) {
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
    interview(fw, 11, {{"s1_decider", "1"}, {"s2_fte", "7"}, {"s3_sector", "2"}, {"q1_market", "1"}, {"q2_ai_use", "5"},
                       {"q5_potential", "1"}},
              core::outcome::break_off);
    interview(fw, 13, {{"s1_decider", "1"}, {"s2_fte", "7"}}, core::outcome::break_off);
  }

  // Firm `n` is called and interviewed: `given` answered in order, then the interview ends as `end`.
  void interview(store::fieldwork_store& fw, int n, const answers& given, core::outcome end) {
    char firm[8];
    std::snprintf(firm, sizeof firm, "F%02d", n);
    const auto case_id = *fw.find_case(firm);
    const int start = n * 20;
    const auto rec = fw.create_interview({case_id, ann_, "2025.1", "nl", fieldwork_time(start)}).get();
    if (n == 2)
      fw.submit([&](store::sql::connection& db) { store::set_interview_owner(db, rec.id, ann_, "fr", false); }).get();
    std::int64_t seq = 0;
    for (const auto& [question, value] : given)
      fw.append_answer({rec.id, ++seq, question, store::answer_kind::set, value, fieldwork_time(start + 1), ann_}).get();
    if (end != core::outcome::break_off) fw.finish_interview(rec.id, end, fieldwork_time(start + 12)).get();
    // The call is logged when it ends, as the fieldwork logs it: after the answers.
    // F11's break-off is past q5_potential: recorded partial, as the fieldwork records it (the fieldwork
    // deciding it is tested in partial_cli_test.cpp).
    store::call_attempt call{case_id, ann_, fieldwork_time(start + 12), "+3220000000", end, "", rec.id, {}};
    call.partial = n == 11;
    fw.record_call_attempt(call).get();
  }

  run_result cati(const std::string& args) { return run_cati(args, "", dir_); }
  std::string out(const std::string& name) const { return (dir_ / name).string(); }

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
  for (const char* name : {"company", "phone", "contact_name", "firm_id", "intro", "end", "partial"})
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
  EXPECT_EQ(field(rows, "respondent_id", a, "duration"), "12.00");  // as many decimals as the codebook says
  EXPECT_EQ(field(rows, "respondent_id", a, "elapsed"), "12.00");
  EXPECT_EQ(field(rows, "respondent_id", a, "attempts"), "1");
  EXPECT_EQ(field(rows, "respondent_id", a, "resumed"), "0");
  EXPECT_EQ(field(rows, "respondent_id", a, "interviewer_id"), std::to_string(ann_));
  // Paradata: the order q9's randomised choices were read out, "other" (6) last whatever the shuffle.
  const auto order = field(rows, "respondent_id", a, "q9_bank_domains_order");
  ASSERT_EQ(order.size(), 11u) << order;
  EXPECT_EQ(order.back(), '6');
  for (char code : std::string("12345")) EXPECT_NE(order.find(code), std::string::npos) << order;
  EXPECT_EQ(field(rows, "respondent_id", b, "q9_bank_domains_order").size(), 11u);
  EXPECT_EQ(field(rows, "respondent_id", a, "start_time"), "2025-10-13T07:20:00Z");
  // The language the interview started in beside the one it ended in.
  EXPECT_EQ(field(rows, "respondent_id", a, "start_language"), "nl");
  EXPECT_EQ(field(rows, "respondent_id", a, "interview_language"), "nl");
  EXPECT_EQ(field(rows, "respondent_id", b, "start_language"), "nl");
  EXPECT_EQ(field(rows, "respondent_id", b, "interview_language"), "fr");
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
  // The short export label as the variable label, the full text (fills as [name]) beside it.
  EXPECT_NE(codebook.find("## q5_potential\n\nPositive potential of AI\n\nQuestion: Do you see positive potential"),
            std::string::npos) << codebook;
  EXPECT_NE(codebook.find("Question: Are you the owner or manager of [company],"), std::string::npos);
  EXPECT_NE(codebook.find("measure: ordinal"), std::string::npos);
  // Weighted by default: the weight's documentation is in the codebook.
  EXPECT_NE(codebook.find("Weight: raking (iterative proportional fitting) to the quota margins region, sector"),
            std::string::npos) << codebook;
  EXPECT_NE(codebook.find("region VLA: target 58.22 %, weighted 58.22 %, 4 respondents"), std::string::npos) << codebook;
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
  EXPECT_NE(json.find(squeeze("\"name\": \"q5_potential\", \"format\": \"NUMBER\", \"label\": \"Potentiel positif de l'IA\"")),
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
  ASSERT_EQ(rows.size(), 12u);  // F13 broke off before the partial point: not a partial, not exported
  EXPECT_EQ(field(rows, "firm_id", "F13", "respondent_id"), "(no row F13)");
  const auto partial = respondent_of(db_, 11);
  EXPECT_EQ(field(rows, "respondent_id", partial, "partial"), "1");
  EXPECT_EQ(field(rows, "respondent_id", partial, "firm_id"), "F11");
  EXPECT_EQ(field(rows, "respondent_id", partial, "company"), "Firm 11 BV");
  EXPECT_EQ(field(rows, "respondent_id", partial, "phone"), "+3220000011");
  EXPECT_EQ(field(rows, "respondent_id", partial, "s3_sector"), "2");
  EXPECT_EQ(field(rows, "respondent_id", partial, "q6_attitude"), "-1");  // never reached
  EXPECT_EQ(field(rows, "respondent_id", partial, "duration"), "");       // still open: no end, no duration
  EXPECT_EQ(field(rows, "respondent_id", respondent_of(db_, 1), "partial"), "0");
}

TEST_F(ExportCli, DispositionsListEveryCaseWithTheCaseNumberOnlyBesideContactData) {
  auto plain_run = cati("export --db " + db_.string() + " --format dispositions --out " + out("p.csv") + " --at 2025-10-20");
  ASSERT_EQ(plain_run.exit_code, 0) << plain_run.output;
  const auto plain_rows = read_csv(dir_ / "p.csv");
  ASSERT_EQ(plain_rows.size(), 14u);
  // Without contact data nothing links a respondent id to the sample (and so to company and phone).
  EXPECT_EQ(std::find(plain_rows[0].begin(), plain_rows[0].end(), "case_id"), plain_rows[0].end());
  EXPECT_EQ(field(plain_rows, "respondent_id", respondent_of(db_, 11), "aapor_code"), "1.2");

  auto r = cati("export --db " + db_.string() + " --format dispositions --out " + out("d.csv") +
                " --at 2025-10-20 --include-contact-data");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir_ / "d.csv");
  ASSERT_EQ(rows.size(), 14u);
  EXPECT_EQ(field(rows, "case_id", "1", "aapor_code"), "1.1");
  EXPECT_EQ(field(rows, "case_id", "1", "aapor_group"), "I");
  EXPECT_EQ(field(rows, "case_id", "1", "attempts"), "1");
  EXPECT_EQ(field(rows, "case_id", "1", "quota_region"), "VLA");
  EXPECT_EQ(field(rows, "case_id", "5", "quota_sector"), "2");
  EXPECT_EQ(field(rows, "case_id", "11", "aapor_code"), "1.2");  // broken off past q5_potential: partial
  EXPECT_EQ(field(rows, "case_id", "11", "aapor_group"), "P");
  EXPECT_EQ(field(rows, "case_id", "11", "outcome"), "break_off");
  EXPECT_EQ(field(rows, "case_id", "11", "quota_sector"), "2");
  EXPECT_EQ(field(rows, "case_id", "13", "aapor_code"), "2.12");  // broken off before it
  EXPECT_EQ(field(rows, "case_id", "13", "aapor_group"), "R");
  EXPECT_EQ(field(rows, "case_id", "13", "quota_sector"), "");
  EXPECT_EQ(field(rows, "case_id", "12", "aapor_code"), "3.11");
  EXPECT_EQ(field(rows, "case_id", "12", "attempts"), "0");

  // The report counts the partial in P: RR2 (partials as interviews) is above RR1.
  auto report = cati("report --db " + db_.string() + " --study " + seed_dir + " --by overall --at 2025-10-20");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const auto line_start = report.output.find("1.2    P      partial interview");
  ASSERT_NE(line_start, std::string::npos) << report.output;
  const auto line = report.output.substr(line_start, report.output.find('\n', line_start) - line_start);
  EXPECT_EQ(line.back(), '1') << line;
  // 13 cases: I 10, P 1, R 1, UH 1 (never attempted): RR1 = 10/13, RR2 = 11/13.
  EXPECT_NE(report.output.find("RR1    0.7692"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("RR2    0.8462"), std::string::npos) << report.output;
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
  auto cap = cati("export --db " + db_.string() + " --format csv --out " + out("x.csv") + " --weights none --cap 3");
  EXPECT_EQ(cap.exit_code, 1);
  EXPECT_NE(cap.output.find("--cap applies to raking weights"), std::string::npos) << cap.output;
  EXPECT_NE(cati("export --db " + db_.string() + " --format xls --out " + out("x.csv")).exit_code, 0);
}

// Issue 15 item 13: --at holds for the respondent exports too; an --out named for another format, a
// missing output folder, say so and write nothing.
TEST_F(ExportCli, AtLimitsRespondentsAndMismatchedOrUnwritableOutIsRefusedWithTheReason) {
  std::int64_t first_end = 0, ended_by_first = 0, all = 0;
  {
    SQLite::Database db(db_.string(), SQLite::OPEN_READONLY);
    first_end = db.execAndGet("SELECT min(ended_at) FROM interviews WHERE final_state = 'complete'").getInt64();
    ended_by_first = db.execAndGet("SELECT count(*) FROM interviews WHERE final_state = 'complete' AND ended_at <= " +
                                   std::to_string(first_end)).getInt64();
    all = db.execAndGet("SELECT count(*) FROM interviews WHERE final_state = 'complete'").getInt64();
  }
  ASSERT_LT(ended_by_first, all) << "the fixture needs interviews that end at different times";
  const auto at = core::format_instant(core::time_point(core::milliseconds(first_end)));
  auto r = cati("export --db " + db_.string() + " --format csv --weights none --out " + out("at.csv") + " --at " + at);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_csv(dir_ / "at.csv").size(), static_cast<std::size_t>(ended_by_first + 1)) << "header and rows";

  auto mismatch = cati("export --db " + db_.string() + " --format sav --out " + out("spss.csv"));
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_NE(mismatch.output.find("--out " + out("spss.csv") + ": a .csv name for --format sav: name it " +
                                 out("spss.sav") + ", or give --format csv"),
            std::string::npos)
      << mismatch.output;
  EXPECT_FALSE(fs::exists(dir_ / "spss.csv"));

  auto folder = cati("export --db " + db_.string() + " --format csv --out " + out("no/such/x.csv"));
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_NE(folder.output.find("cannot write the file: the folder " + out("no/such") + " does not exist"),
            std::string::npos)
      << folder.output;
}

// The tools researchers use: PSPP (the free SPSS) and R's haven read what the .sav declares. tools/setup
// installs both; a missing one fails the test rather than skipping it.
TEST_F(ExportCli, PsppAndHavenReadLabelsMeasuresWidthsWeightsAndDocuments) {
  // Optional test dependencies (tools/setup installs them when it can): absent, the test says so and skips.
  for (const char* tool : {"pspp", "Rscript"})
    if (run_command(std::string("command -v ") + tool).exit_code != 0) GTEST_SKIP() << tool << " is not installed";
  if (run_command("Rscript -e 'library(haven)'").exit_code != 0) GTEST_SKIP() << "R's haven is not installed";
  auto r = cati("export --db " + db_.string() + " --format sav --out " + out("ai.sav") + " --lang fr");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto syntax = dir_ / "read.sps";
  std::ofstream(syntax) << "GET FILE='" << out("ai.sav") << "'.\nDISPLAY DICTIONARY.\nDISPLAY DOCUMENTS.\n";
  auto pspp = run_command("pspp -O format=csv " + syntax.string());
  ASSERT_EQ(pspp.exit_code, 0) << pspp.output;
  const auto& d = pspp.output;
  // Name,Position,Label,Measurement Level,Role,Width,Alignment,Print Format,Write Format
  auto row_of = [&](const std::string& name) {
    const auto at = d.find("\n" + name + ",");
    return at == std::string::npos ? std::string("(no " + name + ")") : d.substr(at + 1, d.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(row_of("q6_attitude").find(",Attitude envers l'IA,Ordinal,"), std::string::npos) << row_of("q6_attitude");
  EXPECT_NE(row_of("q2_ai_use").find(",Fréquence d'utilisation de l'IA,Ordinal,"), std::string::npos) << row_of("q2_ai_use");
  EXPECT_NE(row_of("s3_sector").find(",Activité principale,Nominal,"), std::string::npos) << row_of("s3_sector");
  EXPECT_NE(row_of("s2_fte").find(",Scale,"), std::string::npos) << row_of("s2_fte");
  EXPECT_NE(row_of("q3_other").find(",A200,"), std::string::npos) << row_of("q3_other");  // the schema's max_length
  EXPECT_NE(row_of("q3_ai_areas").find(",A11,"), std::string::npos) << row_of("q3_ai_areas");  // "1 2 3 4 5 6"
  EXPECT_NE(row_of("respondent_id").find(",A11,"), std::string::npos) << row_of("respondent_id");
  EXPECT_NE(row_of("duration").find(",F8.2,"), std::string::npos) << row_of("duration");
  EXPECT_NE(row_of("weight").find(",F12.6,"), std::string::npos) << row_of("weight");
  // The two language variables no longer share a label.
  EXPECT_NE(row_of("interview_language").find("Langue de fin de l'entretien"), std::string::npos) << row_of("interview_language");
  EXPECT_NE(row_of("start_language").find("Langue de début de l'entretien,Nominal,"), std::string::npos) << row_of("start_language");
  EXPECT_NE(d.find("Weight: raking"), std::string::npos) << d;  // the documents
  EXPECT_NE(d.find("A partial interview (AAPOR 1.2) is a break-off after question q5_potential"), std::string::npos);

  const auto script = dir_ / "read.R";
  std::ofstream(script) << "library(haven)\n"
                        << "d <- read_sav('" << out("ai.sav") << "', user_na = TRUE)\n"
                        << "cat('rows', nrow(d), '\\n')\n"
                        << "cat('label', attr(d$q5_potential, 'label'), '\\n')\n"
                        << "cat('weight_mean', format(mean(d$weight), nsmall = 6), '\\n')\n"
                        << "cat('vla_share', format(sum(d$weight[d$region == 1]) / sum(d$weight), nsmall = 6), '\\n')\n"
                        << "cat('interviewer', as.character(as_factor(d$interviewer_id)[1]), '\\n')\n"
                        << "cat('missing', paste(attr(d$q5_potential, 'na_values'), collapse = ' '), '\\n')\n";
  auto rr = run_command("Rscript " + script.string());
  ASSERT_EQ(rr.exit_code, 0) << rr.output;
  EXPECT_NE(rr.output.find("rows 10"), std::string::npos) << rr.output;
  EXPECT_NE(rr.output.find("label Potentiel positif de l'IA"), std::string::npos) << rr.output;
  EXPECT_NE(rr.output.find("weight_mean 1.0000"), std::string::npos) << rr.output;
  EXPECT_NE(rr.output.find("vla_share 0.5822"), std::string::npos) << rr.output;  // 131/225
  EXPECT_NE(rr.output.find("interviewer INT0"), std::string::npos) << rr.output;
  EXPECT_NE(rr.output.find("missing -2 -1 98"), std::string::npos) << rr.output;
}

// The .dta read by R's haven: variable and value labels, Stata's tagged missing values (.a not asked, .b no
// answer, .c don't know), the interviewer pseudonyms, both languages and the weight; and the measurement
// levels Stata has no place for, in the file's notes.
TEST_F(ExportCli, HavenReadsTheDtaWithLabelsTaggedMissingValuesWeightsAndMeasureNotes) {
  if (run_command("Rscript -e 'library(haven)'").exit_code != 0) GTEST_SKIP() << "R's haven is not installed";
  auto r = cati("export --db " + db_.string() + " --format dta --out " + out("ai.dta") + " --lang en");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = respondent_of(db_, 1), b = respondent_of(db_, 2);
  const auto script = dir_ / "read_dta.R";
  std::ofstream(script) << "library(haven)\n"
                        << "d <- read_dta('" << out("ai.dta") << "')\n"
                        << "a <- d[d$respondent_id == '" << a << "', ]\n"
                        << "b <- d[d$respondent_id == '" << b << "', ]\n"
                        << "cat('rows', nrow(d), '\\n')\n"
                        << "cat('label', attr(d$q5_potential, 'label'), '\\n')\n"
                        << "cat('values', paste(names(attr(d$q5_potential, 'labels')), collapse = '|'), '\\n')\n"
                        << "cat('dont_know', na_tag(a$q5_potential), '\\n')\n"
                        << "cat('no_answer', na_tag(b$q6_attitude), '\\n')\n"
                        << "cat('not_asked', na_tag(b$q3_ai_areas_1), '\\n')\n"
                        << "cat('languages', b$start_language, b$interview_language, '\\n')\n"
                        << "cat('interviewer', as.character(as_factor(a$interviewer_id)), '\\n')\n"
                        << "cat('weight_mean', format(mean(d$weight), nsmall = 6), '\\n')\n"
                        << "cat('vla_share', format(sum(d$weight[d$region == 1]) / sum(d$weight), nsmall = 6), '\\n')\n";
  auto rr = run_command("Rscript " + script.string());
  ASSERT_EQ(rr.exit_code, 0) << rr.output;
  const auto& o = rr.output;
  EXPECT_NE(o.find("rows 10"), std::string::npos) << o;
  EXPECT_NE(o.find("label Positive potential of AI"), std::string::npos) << o;
  EXPECT_NE(o.find("values Yes|No|not asked|no answer|Don't know"), std::string::npos) << o;
  EXPECT_NE(o.find("dont_know c"), std::string::npos) << o;
  EXPECT_NE(o.find("no_answer b"), std::string::npos) << o;
  EXPECT_NE(o.find("not_asked a"), std::string::npos) << o;
  EXPECT_NE(o.find("languages nl fr"), std::string::npos) << o;
  EXPECT_NE(o.find("interviewer INT"), std::string::npos) << o;
  EXPECT_NE(o.find("weight_mean 1.0000"), std::string::npos) << o;
  EXPECT_NE(o.find("vla_share 0.5822"), std::string::npos) << o;  // 131/225, as in the .sav

  // The notes, read from the file's bytes (Stata keeps each as a characteristic, plain UTF-8).
  const auto bytes = slurp(dir_ / "ai.dta");
  const auto at = bytes.find("Measurement level ordinal: ");
  ASSERT_NE(at, std::string::npos);
  const auto ordinal = bytes.substr(at, bytes.find('\0', at) - at);
  EXPECT_NE(ordinal.find("q6_attitude"), std::string::npos) << ordinal;
  EXPECT_NE(ordinal.find("q2_ai_use"), std::string::npos) << ordinal;
  EXPECT_EQ(ordinal.find("s3_sector"), std::string::npos) << ordinal;
  EXPECT_NE(bytes.find("Measurement level scale: "), std::string::npos);
}

// The calls export against the call log itself, read with the sqlite3 shell.
TEST_F(ExportCli, CallsExportMatchesTheCallLogRowByRow) {
  auto r = cati("export --db " + db_.string() + " --format calls --out " + out("calls.csv") + " --include-contact-data");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir_ / "calls.csv");
  auto log = run_command("sqlite3 -csv " + db_.string() +
                         " \"SELECT a.case_id, strftime('%Y-%m-%dT%H:%M:%SZ', a.at / 1000, 'unixepoch'), a.outcome,"
                         " a.interviewer_id, a.partial FROM call_attempts a ORDER BY a.case_id, a.at, a.id\"");
  ASSERT_EQ(log.exit_code, 0) << log.output;
  std::vector<std::vector<std::string>> logged;
  core::csv_reader reader(log.output);
  while (auto row = reader.next()) logged.push_back(row->fields);
  ASSERT_EQ(rows.size(), logged.size() + 1) << r.output;
  ASSERT_EQ(logged.size(), 12u);  // F01-F11 and F13, one call each
  const auto& h = rows[0];
  auto col = [&](const char* name) { return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin()); };
  for (std::size_t i = 0; i < logged.size(); ++i) {
    const auto& row = rows[i + 1];
    EXPECT_EQ(row[col("case_id")], logged[i][0]) << i;
    EXPECT_EQ(row[col("time")], logged[i][1]) << i;
    EXPECT_EQ(row[col("outcome")], logged[i][2]) << i;
    EXPECT_EQ(row[col("interviewer_id")], logged[i][3]) << i;
    EXPECT_EQ(row[col("call")], "1") << i;
    EXPECT_EQ(row[col("number")], "0") << i;  // the fixture dials a number that is not the firm's
    // The break-off's own code is the one recorded with it: F11's past the partial point is 1.2.
    const char* code = row[col("outcome")] == "complete" ? "1.1" : logged[i][4] == "1" ? "1.2" : "2.12";
    EXPECT_EQ(row[col("aapor_code")], code) << i;
  }
  // Without contact data: a pseudonym, not the sample's case number.
  auto plain = cati("export --db " + db_.string() + " --format calls --out " + out("calls2.csv"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const auto p = read_csv(dir_ / "calls2.csv");
  EXPECT_EQ(std::find(p[0].begin(), p[0].end(), "case_id"), p[0].end());
  EXPECT_EQ(std::find(p[0].begin(), p[0].end(), "firm_id"), p[0].end());
  EXPECT_EQ(p[1][0], "C0001");
  EXPECT_EQ(slurp(dir_ / "calls2.csv").find("F01"), std::string::npos);
}

// Replicates: a fresh fieldwork of 60 generated firms split into 3, released one at a time; only released
// cases are in the report's denominators and the dispositions file.
TEST(Replicates, ReleasedOneAtATimeAndOnlyReleasedSampleCounts) {
  temp_dir dir;
  auto run = [&](const std::string& args) { return run_cati(args, "", dir); };
  const auto frame = (dir / "frame.csv").string(), db = (dir / "f.db").string();
  ASSERT_EQ(run("sample generate --study " + seed_dir + " --count 60 --seed 7 --out " + frame).exit_code, 0);
  ASSERT_EQ(run("sample import --db " + db + " --study " + seed_dir + " " + frame).exit_code, 0);

  auto split = run("sample release --db " + db + " --study " + seed_dir + " --replicates 3 --seed 11");
  ASSERT_EQ(split.exit_code, 0) << split.output;
  EXPECT_NE(split.output.find("split 60 cases never called into 3 replicates (seed 11, stratified by region"),
            std::string::npos) << split.output;
  // Stratified: every replicate gets a third of every region (within one case).
  auto per = run_command("sqlite3 -csv " + db +
                         " \"SELECT c.replicate, f.value, count(*) FROM cases c JOIN case_frame f ON f.case_id = c.id"
                         " AND f.name = 'region' GROUP BY 1, 2 ORDER BY 2, 1\"");
  ASSERT_EQ(per.exit_code, 0) << per.output;
  std::map<std::string, std::vector<int>> by_region;
  core::csv_reader reader(per.output);
  while (auto row = reader.next()) by_region[row->fields[1]].push_back(std::stoi(row->fields[2]));
  ASSERT_FALSE(by_region.empty());
  for (const auto& [region, counts] : by_region) {
    ASSERT_EQ(counts.size(), 3u) << region;
    EXPECT_LE(*std::max_element(counts.begin(), counts.end()) - *std::min_element(counts.begin(), counts.end()), 1)
        << region;
  }

  auto none = run("report --db " + db + " --study " + seed_dir + " --by overall");
  ASSERT_EQ(none.exit_code, 0) << none.output;
  EXPECT_NE(none.output.find(", 0 cases,"), std::string::npos) << none.output;  // nothing released yet

  auto first = run("sample release --db " + db + " --study " + seed_dir + " --next");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("released replicate 1"), std::string::npos) << first.output;
  auto report = run("report --db " + db + " --study " + seed_dir + " --by overall");
  EXPECT_NE(report.output.find(", 20 cases,"), std::string::npos) << report.output;
  auto d = run("export --db " + db + " --format dispositions --out " + (dir / "d.csv").string());
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NE(d.output.find("exported 20 cases"), std::string::npos) << d.output;
  // `cati quota`: per replicate, released or not, called, worked out, left and completes.
  auto quota = run("quota --db " + db + " --study " + seed_dir);
  ASSERT_EQ(quota.exit_code, 0) << quota.output;
  const auto table = quota.output.substr(std::min(quota.output.size(), quota.output.find("\nReplicates (")));
  std::map<std::string, std::vector<std::string>> rows;  // replicate -> its words
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (!w.empty() && std::isdigit(static_cast<unsigned char>(w[0][0]))) rows[w[0]] = w;
  }
  ASSERT_EQ(rows.size(), 3u) << quota.output;
  // 1: released ("2025-10-14 09:00 CEST"), nothing called yet, all 20 left.
  EXPECT_EQ(rows["1"].size(), 9u) << quota.output;
  EXPECT_EQ(rows["1"][1], "20");
  EXPECT_EQ(std::vector<std::string>(rows["1"].end() - 4, rows["1"].end()),
            (std::vector<std::string>{"0", "0", "20", "0"})) << quota.output;
  EXPECT_EQ(rows["2"], (std::vector<std::string>{"2", "20", "no", "-", "-", "20", "-"})) << quota.output;

  // Releasing twice, or past the last, is refused with a message and changes nothing.
  auto again = run("sample release --db " + db + " --study " + seed_dir + " --replicate 1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("replicate 1 is released already"), std::string::npos) << again.output;
  ASSERT_EQ(run("sample release --db " + db + " --study " + seed_dir + " --next").exit_code, 0);
  ASSERT_EQ(run("sample release --db " + db + " --study " + seed_dir + " --next").exit_code, 0);
  auto past = run("sample release --db " + db + " --study " + seed_dir + " --next");
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_NE(past.output.find("every replicate is released already"), std::string::npos) << past.output;
  auto all = run("report --db " + db + " --study " + seed_dir + " --by overall");
  EXPECT_NE(all.output.find(", 60 cases,"), std::string::npos) << all.output;
  // Splitting again is refused.
  auto resplit = run("sample release --db " + db + " --study " + seed_dir + " --replicates 2");
  EXPECT_EQ(resplit.exit_code, 1) << resplit.output;
}

// Characters [start, finish] (1-based, inclusive) of a UTF-8 line.
std::string chars_at(const std::string& line, std::size_t start, std::size_t finish) {
  std::string out;
  std::size_t n = 0;  // characters seen
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool first_byte = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    if (first_byte) ++n;
    if (n >= start && n <= finish) out += line[i];
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Triple-S read back by the positions its XML declares, every value compared with the CSV export.
TEST_F(ExportCli, TripleSDataReadByItsDeclaredPositionsEqualsTheCsv) {
  auto sss = cati("export --db " + db_.string() + " --format sss --out " + out("ai.sss") + " --lang fr --include-partials");
  ASSERT_EQ(sss.exit_code, 0) << sss.output;
  auto csv = cati("export --db " + db_.string() + " --format csv --out " + out("ai.csv") + " --lang fr --include-partials");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  const auto xml = slurp(dir_ / "ai.sss");
  EXPECT_NE(xml.find("<sss version=\"2.0\" languages=\"fr nl en\">"), std::string::npos) << xml.substr(0, 300);
  EXPECT_NE(xml.find("<text xml:lang=\"nl\">Houding tegenover AI</text>"), std::string::npos);
  EXPECT_NE(xml.find("type=\"quantity\" use=\"weight\""), std::string::npos);

  struct declared {
    std::string name, type;
    std::size_t start = 0, finish = 0;
  };
  std::vector<declared> vars;
  for (std::size_t at = xml.find("<variable "); at != std::string::npos; at = xml.find("<variable ", at + 1)) {
    declared v;
    const auto type = xml.find("type=\"", at) + 6;
    v.type = xml.substr(type, xml.find('"', type) - type);
    const auto name = xml.find("<name>", at) + 6;
    v.name = xml.substr(name, xml.find("</name>", name) - name);
    const auto pos = xml.find("<position start=\"", at) + 17;
    v.start = std::stoul(xml.substr(pos));
    v.finish = std::stoul(xml.substr(xml.find("finish=\"", pos) + 8));
    vars.push_back(v);
  }
  ASSERT_GT(vars.size(), 20u);

  const auto rows = read_csv(dir_ / "ai.csv");
  const auto data = slurp(dir_ / "ai.dat");
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < data.size();) {
    const auto end = data.find("\r\n", at);
    lines.push_back(data.substr(at, end - at));
    at = end + 2;
  }
  ASSERT_EQ(lines.size() + 1, rows.size());
  std::size_t compared = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& line = lines[r - 1];
    const auto id = rows[r][0];
    for (const auto& v : vars) {
      const auto got = chars_at(line, v.start, v.finish);
      if (v.type == "multiple") {
        // One column per choice, against the CSV's 0/1 dichotomies (-1/-2 there: blank here).
        std::size_t k = 0;
        for (const auto& name : rows[0]) {
          const auto tail = name.rfind(v.name + "_", 0) == 0 ? name.substr(v.name.size() + 1) : std::string();
          if (tail.empty() || tail.find_first_not_of("0123456789") != std::string::npos) continue;  // <q>_<code>
          const auto expected = field(rows, "respondent_id", id, name);
          const std::string bit = k < got.size() ? std::string(1, got[k]) : "(short)";
          ++k;
          EXPECT_EQ(bit, expected == "-1" || expected == "-2" ? " " : expected) << id << " " << name;
          ++compared;
        }
        EXPECT_EQ(k, got.size()) << v.name;
        continue;
      }
      auto expected = field(rows, "respondent_id", id, v.name);
      if (v.type != "character" && (expected == "-1" || expected == "-2")) expected = "";  // blank: no missing codes
      EXPECT_EQ(trim(got), expected) << id << " " << v.name;
      ++compared;
    }
  }
  EXPECT_GT(compared, 400u);
}

TEST_F(ExportCli, AnInfeasibleCapExitsNonZeroAndWritesNothingUnlessAllowed) {
  // VLA has 4 of 10 respondents for a 58 % target: its weights must be near 1.45 x the mean; a cap of 1.1
  // cannot give that.
  auto r = cati("export --db " + db_.string() + " --format csv --out " + out("cap.csv") + " --cap 1.1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("NOT converged"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("weights did not converge, nothing written"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "cap.csv"));

  auto allowed = cati("export --db " + db_.string() + " --format csv --out " + out("cap.csv") +
                      " --cap 1.1 --allow-unconverged");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("warning: the raking did not converge"), std::string::npos) << allowed.output;
  EXPECT_NE(allowed.output.find("weights sit at the cap 1.10"), std::string::npos) << allowed.output;
  EXPECT_NE(slurp(dir_ / "cap.md").find("Did NOT converge"), std::string::npos);
}

TEST_F(ExportCli, SmallWeightingCellsAreWarnedAboutAndWeightsNoneLeavesTheWeightOut) {
  auto r = cati("export --db " + db_.string() + " --format csv --out " + out("w.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // BRU has 3 respondents (F07-F09): under 5.
  EXPECT_NE(r.output.find("warning: weighting cell region BRU has 3 respondents (under 5)"), std::string::npos)
      << r.output;
  auto none = cati("export --db " + db_.string() + " --format csv --out " + out("n.csv") + " --weights none");
  ASSERT_EQ(none.exit_code, 0) << none.output;
  const auto header = read_csv(dir_ / "n.csv")[0];
  EXPECT_EQ(std::find(header.begin(), header.end(), "weight"), header.end());
  const auto weighted = read_csv(dir_ / "w.csv")[0];
  EXPECT_NE(std::find(weighted.begin(), weighted.end(), "weight"), weighted.end());
}

}  // namespace
}  // namespace cati::test
