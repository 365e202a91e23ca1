// `cati try` driven through a pipe: the built binary, the seed study, answers on stdin.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct run_result {
  std::string output;  // stdout and stderr
  int exit_code = -1;
};

// Runs `cati try <args>` from the source folder with `input` on stdin.
run_result cati_try(const std::string& args, const std::string& input) {
  const fs::path in_file =
      fs::temp_directory_path() / ("cati-try-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt");
  std::ofstream(in_file) << input;
  const std::string command = "cd '" CATI_SOURCE_DIR "' && '" CATI_BINARY_DIR "/tools/cati' try " + args + " < '" +
                              in_file.string() + "' 2>&1";
  run_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) r.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  fs::remove(in_file);
  return r;
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

const std::string study = "schema/ai_barometer_2025";

TEST(TryCli, WalksToCompleteAndPrintsTheAnswers) {
  auto r = cati_try(study + " --lang en --frame region=BRU,company=Acme --seed 3",
                    "\n1\n12\n1\n3\n2\n1 2\n1\n98\n1\n2\n1\n1 6\n\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "[2/15] s1_decider\nAre you the owner or manager of Acme,")) << r.output;
  EXPECT_TRUE(has(r.output, "  1  Yes\n  2  No\n")) << r.output;
  EXPECT_TRUE(has(r.output, "[Do not read out the answers.")) << r.output;
  EXPECT_TRUE(has(r.output, "quota check: region=BRU s3_sector=1\n")) << r.output;
  EXPECT_TRUE(has(r.output, "  would take Region: Brussels (target 24)\n")) << r.output;
  EXPECT_TRUE(has(r.output, "  would take Sector: Services (target 97)\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\ncomplete\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\ns2_fte = 12\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\nq3_ai_areas = 1 2\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\nq9_bank_domains = 1 6\n")) << r.output;
}

TEST(TryCli, BigFirmIsScreenedOut) {
  auto r = cati_try(study + " --lang en", "\n1\n25\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "screened out: not_eligible\nThank you very much.")) << r.output;
  EXPECT_TRUE(has(r.output, "answers:\ns1_decider = 1\ns2_fte = 25\n")) << r.output;
}

TEST(TryCli, InvalidAnswersAreAskedAgain) {
  auto r = cati_try(study + " --lang en", "\n7\n1\n600\n12.5\n12\n");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(has(r.output, "> 7\ninvalid: 7 is not one of the choices 1, 2\n> 1\n")) << r.output;
  EXPECT_TRUE(has(r.output, "invalid: Enter a whole number from 0 to 500.\n")) << r.output;
  EXPECT_TRUE(has(r.output, "invalid: the answer must be a whole number\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\nstopped at s3_sector\n")) << r.output;
}

TEST(TryCli, BackShowsTheOldAnswerAndChangesDropAnswers) {
  auto r = cati_try(study + " --lang fr --frame region=WAL", "\n1\n12\n2\n1\n3\n1\n2\n<\n<\n<\n5\n");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(has(r.output, "current answer: 3\n")) << r.output;
  EXPECT_TRUE(has(r.output, "dropped: q3_ai_areas = 1\ndropped: q4_ai_tasks = 2\n")) << r.output;
  EXPECT_TRUE(has(r.output, "\nstopped at q5_potential\n")) << r.output;
  EXPECT_TRUE(has(r.output, "Oui")) << r.output;
}

TEST(TryCli, BackAtTheStartIsRefused) {
  auto r = cati_try(study, "<\n");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(has(r.output, "invalid: already at the first question\n")) << r.output;
  EXPECT_TRUE(has(r.output, "stopped at intro\n")) << r.output;
}

TEST(TryCli, ABrokenStudyReportsItsErrors) {
  const fs::path dir = fs::temp_directory_path() / ("cati-try-broken-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "questionnaire.textproto") << "id: \"x\"\nquestions { name: \"q\" type: SINGLE }\nbogus: 1\n";
  auto r = cati_try("'" + dir.string() + "'", "");
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "questionnaire.textproto:")) << r.output;
}

TEST(TryCli, BadOptionsAreRefused) {
  EXPECT_EQ(cati_try(study + " --lang de", "").exit_code, 2);
  auto r = cati_try(study + " --frame region=XX", "");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "region must be one of VLA, WAL, BRU")) << r.output;
  EXPECT_EQ(cati_try(study + " --frame nothing=1", "").exit_code, 2);
}

}  // namespace
