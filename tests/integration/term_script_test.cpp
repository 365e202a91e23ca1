// `cati-term --script` as a real process against the real cati-server: a whole interview of the seed
// study from a script file, its printed replies checked line by line, and the result checked on disk.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integration/server_fixture.hpp"

using namespace cati::it;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

}  // namespace

TEST(TermScript, DrivesAWholeInterview) {
  fieldwork_dir fw;
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  {
    std::ofstream(fw.dir() / "password") << anna_password << "\n";
    std::ofstream script(fw.dir() / "interview.script");
    script << "# a whole interview of an eligible monthly AI user, in French\n"
              "login\n"
              "expect login anna role=interviewer study=ai_barometer_2025\n"
              "next\n"
              "expect case \n"
              "start fr\n"
              "expect screen intro (1/\n"
              "answer\n"
              "expect screen s1_decider\n"
              "answer 7\n"
              "expect error INVALID_ANSWER\n"
              "answer 1\n"
              "expect screen s2_fte\n"
              "answer 4\n"
              "expect screen s3_sector\n"
              "back\n"
              "expect current: 4\n"
              "answer 5\n"
              "expect screen s3_sector\n";
    for (const char* q : {"s3_sector", "q1_market", "q2_ai_use", "q3_ai_areas", "q4_ai_tasks", "q5_potential",
                          "q6_attitude", "q7_fin_value", "q8_bank_ai", "q9_bank_domains", "end"})
      script << "answer " << eligible_answers().at(q) << "\n";
    script << "expect end \n"
              "expect outcome=complete aapor=1.1\n"
              "logout\n";
  }
  const auto out = fw.dir() / "term.out";
  const std::string command = binary_dir() + "/client/cati-term --server " + server.url() +
                              " --user anna --password-file " + (fw.dir() / "password").string() +
                              " --journal-dir " + (fw.dir() / "journal").string() + " --timeout 20000 --script " +
                              (fw.dir() / "interview.script").string();
  ASSERT_EQ(run_command(command, out), 0) << slurp(out);
  const auto text = slurp(out);

  // The printed replies, in the stable text form.
  auto logins = lines_starting(text, "login ");
  ASSERT_EQ(logins.size(), 1U) << text;
  EXPECT_NE(logins[0].find("role=interviewer"), std::string::npos);
  auto cases = lines_starting(text, "case ");
  ASSERT_EQ(cases.size(), 1U) << text;
  EXPECT_NE(cases[0].find("attempt=1/8"), std::string::npos) << cases[0];
  auto screens = lines_starting(text, "screen ");
  ASSERT_FALSE(screens.empty());
  EXPECT_EQ(screens.front().rfind("screen intro (1/", 0), 0U) << screens.front();
  EXPECT_NE(screens.front().find("Bonjour"), std::string::npos) << "the French text: " << screens.front();
  auto acks = lines_starting(text, "ack ");
  EXPECT_EQ(acks.size(), 16U) << text;  // 15 answers and one back
  for (const auto& a : acks) EXPECT_NE(a.find("duplicate=false"), std::string::npos) << a;
  auto errors = lines_starting(text, "error ");
  ASSERT_EQ(errors.size(), 1U) << text;
  EXPECT_EQ(errors[0].rfind("error INVALID_ANSWER:", 0), 0U) << errors[0];
  auto ends = lines_starting(text, "end ");
  ASSERT_EQ(ends.size(), 1U) << text;
  EXPECT_NE(ends[0].find("outcome=complete aapor=1.1 calls=1 completes=1"), std::string::npos) << ends[0];
  EXPECT_EQ(lines_starting(text, "notice LOGGED_OUT").size(), 1U) << text;

  // On disk: one complete interview in French with s2_fte answered 4 then 5.
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE final_state = 'complete' AND language = 'fr'"), 1);
  auto fte = fw.rows("SELECT value FROM answers WHERE question = 's2_fte' AND kind = 'set' ORDER BY seq");
  ASSERT_EQ(fte.size(), 2U);
  EXPECT_EQ(fte[0][0], "4");
  EXPECT_EQ(fte[1][0], "5");
  // One row per answer but the two notes' (intro, end): 11 questions, s2_fte twice.
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers"), 13);
}
