// `cati sample import` and `cati sample generate` against the seed study.
#include "store_fixture.hpp"

namespace cati::test {
namespace {

const std::string seed_study = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

class SampleCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    // CTest builds the tool before this suite (tests/CMakeLists.txt): a missing one is an error.
    if (!fs::exists(cati_binary)) FAIL() << "the cati tool is not built (" << cati_binary << ")";
  }
  run_result cati(const std::string& args) { return run_cati(args, "", dir); }
  run_result import(const fs::path& frame) {
    return cati("sample import --db " + db.string() + " --study " + seed_study + " " + frame.string());
  }
  int cases() {
    store::open_options o = options_for(db);
    o.create = false;
    store::fieldwork_store fw(o);
    return fw.case_count();
  }
  temp_dir dir;
  fs::path db = dir / "fieldwork.db";
};

TEST_F(SampleCommand, GenerateThenImportThenImportMore) {
  auto first = dir / "first.csv", more = dir / "more.csv";
  auto gen = cati("sample generate --study " + seed_study + " --count 200 --seed 5 --out " + first.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  EXPECT_EQ(gen.output, "wrote 200 firms to " + first.string() + " (seed 5)\n");
  auto imported = import(first);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(cases(), 200);

  // More firms later, numbered on; a different seed gives other numbers (a clash would be reported).
  ASSERT_EQ(cati("sample generate --study " + seed_study + " --count 50 --seed 6 --first 201 --out " +
                 more.string()).exit_code, 0);
  // Into the existing fieldwork without --study: the questionnaire it ran last, kept in the file.
  auto again = cati("sample import --db " + db.string() + " " + more.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(cases(), 250);

  // The same file twice: every row is a duplicate now; nothing changes.
  auto twice = import(more);
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.output.find(more.string() + ":2: duplicate firm id 'F000201' (already in the fieldwork)"),
            std::string::npos) << twice.output;
  EXPECT_NE(twice.output.find("nothing was imported"), std::string::npos);
  EXPECT_EQ(cases(), 250);
}

TEST_F(SampleCommand, BadRowsAreListedAndNothingIsImported) {
  auto frame = dir / "frame.csv";
  std::ofstream(frame) << frame_header << "F1,Alpha BV,+3220000001,,BRU,services,5,nl\n"
                       << "F2,Beta SRL,+3240000002,,WAL,retail,3,fr\n"
                       << "F3,Gamma NV,+329000000,,VLA,industry,4,nl\n";
  auto r = import(frame);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, frame.string() + ":3: unknown sector_frame code 'retail' (expected services, commerce, industry)\n" +
                          frame.string() + ":4: bad phone number '+329000000': expected E.164, +32 followed by 8 or 9 "
                          "digits (several separated by ';')\n" +
                          "2 problem(s) in " + frame.string() + "; nothing was imported\n");
  EXPECT_FALSE(fs::exists(db)) << "a failed import into a new file leaves no empty file behind";
}

// A frame saved with ';' between the fields (a spreadsheet in a comma-decimal locale): the problems are
// listed, with a hint about the separator, and no file is created.
TEST_F(SampleCommand, SemicolonSeparatedFrameGetsAHintAndLeavesNoFile) {
  auto frame = dir / "semi.csv";
  std::ofstream(frame) << "firm_id;company;phone;contact_name;region;sector_frame;fte_frame;language\n"
                       << "F1;Alpha BV;+3220000001;;BRU;services;5;nl\n";
  auto r = import(frame);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("hint: " + frame.string() + " is separated by ';': save it as CSV with ',' between the fields"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(SampleCommand, ImportRecordsTheStudyVersion) {
  auto frame = dir / "frame.csv";
  std::ofstream(frame) << frame_header << "F1,Alpha BV,+3220000001,,BRU,services,5,nl\n";
  ASSERT_EQ(import(frame).exit_code, 0);
  store::fieldwork_store fw(options_for(db));
  auto study = fw.current_study();
  ASSERT_TRUE(study);
  EXPECT_EQ(study->study_id, "ai_barometer_2025");
  EXPECT_EQ(study->questionnaire_hash.size(), 64u);
  EXPECT_NE(study->questionnaire_text.find("ai_barometer_2025"), std::string::npos);
}

TEST_F(SampleCommand, ImportIntoANewFileWithoutStudyIsRefusedAndCreatesNothing) {
  auto frame = dir / "frame.csv";
  std::ofstream(frame) << frame_header << "F1,Alpha BV,+3220000001,,BRU,services,5,nl\n";
  auto r = cati("sample import --db " + db.string() + " " + frame.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(db.string() + " does not exist yet: give --study for a new fieldwork"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(SampleCommand, MissingStudyOrFrameIsAnError) {
  EXPECT_EQ(cati("sample import --db " + db.string() + " --study /nonexistent " + (dir / "x.csv").string()).exit_code, 1);
  EXPECT_EQ(import(dir / "missing.csv").exit_code, 1);
}

}  // namespace
}  // namespace cati::test
