// cati lint on broken copies of the seed study: each kind of error is reported at file:line:col.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "schema/loader.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path seed_file = fs::path(CATI_SOURCE_DIR) / "schema/ai_barometer_2025/questionnaire.textproto";

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the seed study with `from` replaced by `to` (which must occur exactly once), in its own
// temporary folder; remembers the line of the change.
struct broken_copy {
  fs::path dir;
  int line = 0;
  cati::schema::load_report report;

  broken_copy(const std::string& from, const std::string& to) {
    std::string text = read_file(seed_file);
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << "the seed no longer holds: " << from;
    EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "ambiguous: " << from;
    if (pos == std::string::npos) return;
    text.replace(pos, from.size(), to);
    line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
    dir = fs::temp_directory_path() / ("cati-lint-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter()++));
    fs::create_directories(dir);
    std::ofstream(dir / "questionnaire.textproto") << text;
    report = cati::schema::load_study(dir);
  }
  ~broken_copy() { fs::remove_all(dir); }

  static int& counter() {
    static int n = 0;
    return n;
  }

  // The error mentioning `needle`; fails the test if there is none.
  const cati::schema::diagnostic* find(const std::string& needle) const {
    for (const auto& d : report.diagnostics)
      if (d.message.find(needle) != std::string::npos) return &d;
    ADD_FAILURE() << "no diagnostic mentions '" << needle << "'; got:\n" << all();
    return nullptr;
  }
  std::string all() const {
    std::string s;
    for (const auto& d : report.diagnostics) s += d.to_string() + "\n";
    return s;
  }
};

// Expects the study to be refused with an error containing `needle` on the changed line.
void expect_error_on_line(const broken_copy& c, const std::string& needle) {
  EXPECT_FALSE(c.report.ok());
  if (const auto* d = c.find(needle)) {
    EXPECT_EQ(d->line, c.line) << d->to_string();
    EXPECT_GT(d->column, 0);
    EXPECT_FALSE(d->warning);
    EXPECT_EQ(d->file, (c.dir / "questionnaire.textproto").string());
  }
}

}  // namespace

TEST(SchemaLint, SeedStudyIsClean) {
  auto report = cati::schema::load_study(seed_file.parent_path());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.diagnostics.empty());
  EXPECT_EQ(report.study->questions.size(), 15u);
  EXPECT_EQ(report.study->target_completes, 225);
}

TEST(SchemaLint, SyntaxError) {
  broken_copy c("name: \"q1_market\"", "name: \"q1_market\" {");
  expect_error_on_line(c, "Expected");
}

TEST(SchemaLint, UnknownField) {
  broken_copy c("name: \"q1_market\"\n  type: SINGLE", "name: \"q1_market\"\n  typ: SINGLE");
  EXPECT_FALSE(c.report.ok());
  if (auto* d = c.find("typ")) {
    EXPECT_EQ(d->line, c.line + 1);
  }
}

TEST(SchemaLint, DuplicateQuestionName) {
  broken_copy c("name: \"q5_potential\"", "name: \"q4_ai_tasks\"");
  expect_error_on_line(c, "duplicate name 'q4_ai_tasks'");
}

TEST(SchemaLint, DuplicateChoiceCode) {
  broken_copy c("code: 4 label: [{lang: \"nl\" text: \"Minder dan maandelijks\"}",
                "code: 3 label: [{lang: \"nl\" text: \"Minder dan maandelijks\"}");
  expect_error_on_line(c, "code 3 appears twice");
}

TEST(SchemaLint, UnknownReference) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"",
                "relevant: \"${q2_ai_usage} >= 1 and ${q2_ai_use} <= 3\"");
  expect_error_on_line(c, "unknown name ${q2_ai_usage}");
}

// A fill in the French label of a question whose `relevant` is three lines above: the error points at
// the fill in that label, not at the question's first string.
TEST(SchemaLint, UnknownFillInALabelIsLocatedInThatLabel) {
  broken_copy c("Voyez-vous un potentiel positif", "Voyez-vous ${firmname} un potentiel positif");
  expect_error_on_line(c, "unknown name ${firmname}");
  if (const auto* d = c.find("unknown name ${firmname}")) {
    EXPECT_EQ(d->column, 35) << d->to_string();
  }
}

TEST(SchemaLint, ReferenceToLaterQuestion) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"", "relevant: \"${q5_potential} = 1\"");
  expect_error_on_line(c, "${q5_potential}, which is asked later");
}

TEST(SchemaLint, TextComparedWithNumber) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"", "relevant: \"${company} > 3\"");
  expect_error_on_line(c, "number");
}

TEST(SchemaLint, SelectedOnSingleChoice) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"", "relevant: \"selected(${q2_ai_use}, 1)\"");
  expect_error_on_line(c, "single");
}

TEST(SchemaLint, UnknownChoiceCodeInExpression) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"", "relevant: \"${q2_ai_use} = 7\"");
  expect_error_on_line(c, "7");
}

TEST(SchemaLint, MissingTranslation) {
  broken_copy c("{lang: \"fr\" text: \"Jamais\"}, {lang: \"en\" text: \"Never\"}", "{lang: \"fr\" text: \"Jamais\"}");
  expect_error_on_line(c, "no 'en' translation");
}

TEST(SchemaLint, TranslationInUnknownLanguage) {
  broken_copy c("{lang: \"en\" text: \"Never\"}", "{lang: \"de\" text: \"Nie\"}");
  expect_error_on_line(c, "'de', which is not a language of the study");
}

TEST(SchemaLint, QuotaOnUnknownVariable) {
  broken_copy c("variables: [\"s3_sector\"]", "variables: [\"s3_sectr\"]");
  expect_error_on_line(c, "unknown variable 's3_sectr'");
}

TEST(SchemaLint, QuotaCellWithUnknownCode) {
  broken_copy c("values: [\"BRU\"]", "values: [\"BXL\"]");
  expect_error_on_line(c, "'BXL' is not a code of region");
}

TEST(SchemaLint, QuotaMarginsDisagree) {
  broken_copy c("values: [\"BRU\"] target: 24", "values: [\"BRU\"] target: 26");
  EXPECT_FALSE(c.report.ok());
  if (auto* d = c.find("add up to 227, but target_completes is 225")) {
    EXPECT_GT(d->line, 0);
  }
}

TEST(SchemaLint, UnreachableQuestion) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"",
                "relevant: \"${q2_ai_use} = 5 and ${q2_ai_use} = 1\"");
  EXPECT_FALSE(c.report.ok());
  EXPECT_NE(c.find("q3_ai_areas can never be reached"), nullptr);
  EXPECT_NE(c.find("q3_other can never be reached"), nullptr);
}

TEST(SchemaLint, ExpressionSyntaxErrorPointsIntoTheString) {
  broken_copy c("relevant: \"${q2_ai_use} >= 1 and ${q2_ai_use} <= 3\"",
                "relevant: \"${q2_ai_use} >= 1 and and ${q2_ai_use} <= 3\"");
  EXPECT_FALSE(c.report.ok());
  ASSERT_FALSE(c.report.diagnostics.empty());
  const auto& d = c.report.diagnostics.front();
  EXPECT_EQ(d.line, c.line);
  // `relevant: "` starts at column 3, its text at column 14; the second `and` is 22 bytes into it.
  EXPECT_EQ(d.column, 3 + 11 + 22) << d.to_string();
}

// The export label: short, no fill, warned when missing or long, refused past SPSS's 256 bytes.
TEST(SchemaLint, ExportLabels) {
  const std::string label = "export_label: [{lang: \"nl\" text: \"Houding tegenover AI\"}, ";
  {
    broken_copy c(label + "{lang: \"fr\" text: \"Attitude envers l'IA\"}, {lang: \"en\" text: \"Attitude towards AI\"}]\n", "");
    EXPECT_TRUE(c.report.ok()) << c.all();  // a warning only
    if (auto* d = c.find("question q6_attitude has no export_label")) {
      EXPECT_TRUE(d->warning);
    }
  }
  {
    broken_copy c(label, "export_label: [{lang: \"nl\" text: \"" + std::string(130, 'x') + "\"}, ");
    EXPECT_TRUE(c.report.ok()) << c.all();
    if (auto* d = c.find("is 130 bytes: keep it under 120")) {
      EXPECT_TRUE(d->warning);
    }
  }
  {
    broken_copy c(label, "export_label: [{lang: \"nl\" text: \"" + std::string(300, 'x') + "\"}, ");
    expect_error_on_line(c, "export_label of q6_attitude in 'nl' is 300 bytes: SPSS keeps at most 256");
  }
  {
    broken_copy c(label, "export_label: [{lang: \"nl\" text: \"Houding van ${company}\"}, ");
    expect_error_on_line(c, "has a fill");
  }
}

TEST(SchemaLint, MeasuresAndThePartialPoint) {
  broken_copy scale("measure: SCALE", "measure: NOMINAL");  // s2_fte may be nominal (odd, but allowed)
  EXPECT_TRUE(scale.report.ok()) << scale.all();
  broken_copy choice("  type: SINGLE\n  export_label: [{lang: \"nl\" text: \"Hoofdactiviteit\"",
                     "  type: SINGLE\n  measure: SCALE\n  export_label: [{lang: \"nl\" text: \"Hoofdactiviteit\"");
  EXPECT_FALSE(choice.report.ok());
  choice.find("only numbers are SCALE");
  broken_copy partial("partial_after: \"q5_potential\"", "partial_after: \"q5_potentail\"");
  expect_error_on_line(partial, "partial_after names unknown question 'q5_potentail'");
  auto seed = cati::schema::load_study(seed_file.parent_path());
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed.study->partial_after, "q5_potential");
  EXPECT_EQ(seed.study->find_question("q6_attitude")->measure, cati::core::question_measure::ordinal);
}

// max_length: free text only, within what Stata holds; the seed study's q3_other declares its export width.
TEST(SchemaLint, MaxLengthOnFreeTextOnlyAndWithinStata) {
  broken_copy too_long("  max_length: 200", "  max_length: 3000");
  expect_error_on_line(too_long, "max_length 3000 is outside 1..2045");
  broken_copy negative("  max_length: 200", "  max_length: -1");
  EXPECT_FALSE(negative.report.ok());
  broken_copy on_choice("  type: SINGLE\n  export_label: [{lang: \"nl\" text: \"Hoofdactiviteit\"",
                        "  type: SINGLE\n  max_length: 20\n  export_label: [{lang: \"nl\" text: \"Hoofdactiviteit\"");
  EXPECT_FALSE(on_choice.report.ok());
  on_choice.find("is not free text: max_length is the length of a text answer");
  auto seed = cati::schema::load_study(seed_file.parent_path());
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed.study->find_question("q3_other")->max_length, 200);
}

TEST(SchemaLint, CliPrintsFileLineColAndExitsOne) {
  broken_copy c("values: [\"BRU\"]", "values: [\"BXL\"]");
  std::string cmd = std::string(CATI_BINARY_DIR) + "/tools/cati lint " + c.dir.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::string where = (c.dir / "questionnaire.textproto").string() + ":" + std::to_string(c.line) + ":";
  EXPECT_NE(out.find(where), std::string::npos) << out;
  EXPECT_NE(out.find("1 error(s)"), std::string::npos) << out;
}

TEST(SchemaLint, CliAcceptsTheSeedStudy) {
  std::string cmd = std::string(CATI_BINARY_DIR) + "/tools/cati lint " + seed_file.parent_path().string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  EXPECT_EQ(WEXITSTATUS(::pclose(p)), 0) << out;
  EXPECT_EQ(out.rfind("ok: ai_barometer_2025", 0), 0u) << out;
}

// Found by fuzzing (fuzz/questionnaire.cpp): the seed study's header and fieldwork with every question
// cut away loaded as a valid study, whose every interview would end at once as a complete without data.
TEST(SchemaLint, StudyWithoutQuestionsIsRefused) {
  const std::string text = read_file(seed_file);
  const auto report = cati::schema::load_study_text(text.substr(0, text.find("\nframe {")), "q.textproto");
  EXPECT_FALSE(report.ok());
  bool said = false;
  for (const auto& d : report.diagnostics) said = said || d.message == "the study has no questions";
  EXPECT_TRUE(said) << "diagnostics: " << report.diagnostics.size();
}
