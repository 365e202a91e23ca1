// `cati sim` end to end: a shortened fieldwork (two days, four interviewers) run twice with the same seed
// by the real `cati` binary, which starts the real cati-server and drives it through the client library.
// Checks what must hold whatever the numbers: no quota cell over its target, every answer stored once,
// nothing lost or doubled through the cut connections, the sample released in replicates with only released
// firms dialled (an overnight release taken up by a restarted server), a report with Wilson intervals and
// a computed expectation of the figures inside them, and the same report from the same seed.
// Nothing here measures time; the waits are the commands themselves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "cati-sim-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "simulation kept for inspection: " << dir_ << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs a shortened simulation into dir_/name; returns the exit code (0: the days asked for simulated, no
  // answer lost or doubled, no cell over; 1 otherwise).
  int simulate(const std::string& name) {
    const fs::path out = dir_ / name;
    const std::string command = std::string(CATI_BINARY_DIR) + "/tools/cati sim --study " + CATI_SOURCE_DIR +
                                "/schema/ai_barometer_2025 --interviewers 4 --days 2 --seed 11 --frame-size 1500 --out " +
                                out.string() + " >" + (dir_ / (name + ".log")).string() + " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
};

TEST_F(SimTest, ShortFieldworkKeepsQuotasAndAnswersAndRepeatsBySeed) {
  // Two days cannot fill the quotas, and that is what was asked for: exit 0, and the summary says so.
  const int first = simulate("a");
  ASSERT_EQ(first, 0) << read_file(dir_ / "a.log");
  EXPECT_NE(read_file(dir_ / "a.log").find("quotas not filled in the 2 day(s) asked for"), std::string::npos)
      << read_file(dir_ / "a.log");
  const fs::path report = dir_ / "a" / "report.md";
  ASSERT_TRUE(fs::exists(report)) << read_file(dir_ / "a.log");
  const std::string text = read_file(report);
  EXPECT_NE(text.find("## Published figures beside the simulation"), std::string::npos);
  EXPECT_NE(text.find("lost: 0; doubled: 0"), std::string::npos) << text;
  EXPECT_NE(text.find("No cell went over its target."), std::string::npos) << text;

  SQLite::Database db((dir_ / "a" / "fieldwork.db").string(), SQLite::OPEN_READONLY);
  // Interviews happened, and completes were counted against the quotas.
  EXPECT_GT(db.execAndGet("SELECT COUNT(*) FROM interviews WHERE final_state = 'complete'").getInt(), 0);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM quota_cells WHERE completes > target").getInt(), 0);
  EXPECT_EQ(db.execAndGet("SELECT COALESCE(SUM(completes), 0) FROM quota_cells WHERE quota = 'region'").getInt(),
            db.execAndGet("SELECT COUNT(*) FROM interviews WHERE final_state = 'complete'").getInt());
  // The simulation never goes back, so each question of an interview is answered once: a second row
  // would be an answer applied twice.
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM (SELECT interview_id, question FROM answers WHERE kind = 'set' "
                          "GROUP BY interview_id, question HAVING COUNT(*) > 1)")
                .getInt(),
            0);
  EXPECT_GT(db.execAndGet("SELECT COUNT(*) FROM answers").getInt(), 0);

  // The sample went out in replicates: a first release before the first call, and at least one more
  // overnight (two days cannot fill the quotas from a quarter of the frame), taken up by a server restart.
  EXPECT_GE(db.execAndGet("SELECT COUNT(DISTINCT released_at) FROM replicate_releases").getInt(), 2);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM cases WHERE replicate = 0").getInt(), 0);
  // Only released sample was dialled, and the second day's release was: the restarted server took it up.
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id "
                          "WHERE c.replicate NOT IN (SELECT replicate FROM replicate_releases)")
                .getInt(),
            0);
  EXPECT_GT(db.execAndGet("SELECT COUNT(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id "
                          "WHERE c.replicate IN (SELECT replicate FROM replicate_releases WHERE released_at > "
                          "(SELECT MIN(released_at) FROM replicate_releases))")
                .getInt(),
            0);
  // The report says how the sample went out and what it did to the rates; the intervals are Wilson's, and
  // how many published figures should fall inside is computed.
  EXPECT_NE(text.find("## Sample release"), std::string::npos) << text;
  EXPECT_NE(text.find("Had the "), std::string::npos) << text;
  EXPECT_NE(text.find("95 % Wilson interval"), std::string::npos) << text;
  EXPECT_NE(text.find("inside on average (the sum of the chances)"), std::string::npos) << text;
  EXPECT_EQ(text.find("about 19 times in 20"), std::string::npos) << text;
  EXPECT_NE(text.find("Raking moved the estimates by at most"), std::string::npos) << text;

  // The same seed, another run: the same report, byte for byte.
  const int second = simulate("b");
  ASSERT_EQ(second, first) << read_file(dir_ / "b.log");
  EXPECT_EQ(read_file(dir_ / "b" / "report.md"), text);
}

}  // namespace
