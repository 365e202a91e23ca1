// The questionnaire versions a fieldwork file ran (issue 15 item 11): a server started with a new version
// records it and says so; one started with a changed text under the version the file ran refuses to start;
// `cati report` and `cati quota` work from the file alone (the questionnaire it keeps), naming its version.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "integration/server_fixture.hpp"

namespace cati::it {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the seed study in `dir` with its questionnaire passed through `edit`.
std::string study_copy(const fs::path& dir, const std::function<void(std::string&)>& edit) {
  fs::copy(seed_study(), dir, fs::copy_options::recursive);
  auto text = slurp(dir / "questionnaire.textproto");
  edit(text);
  std::ofstream(dir / "questionnaire.textproto", std::ios::trunc) << text;
  return dir.string();
}

TEST(StudyVersions, ChangedTextUnderTheSameVersionIsRefusedAndANewVersionIsRecordedAndSaid) {
  fieldwork_dir fw(10);  // imported with the seed study, 2025.1
  const auto cati = binary_dir() + "/tools/cati";

  const auto same_version = study_copy(fw.dir() / "edited", [](std::string& t) {
    t += "\n# a comment: the text changed, the version did not\n";
  });
  const auto refused_log = fw.dir() / "refused.log";
  EXPECT_EQ(run_command(binary_dir() + "/server/cati-server --study " + same_version + " --db " + fw.quoted_db() +
                            " --listen 127.0.0.1:0",
                        refused_log),
            1);
  EXPECT_NE(slurp(refused_log).find("the questionnaire differs from version 2025.1 that " + fw.db() +
                                    " ran (digest "),
            std::string::npos)
      << slurp(refused_log);
  EXPECT_EQ(fw.count("SELECT count(*) FROM study"), 1) << "nothing recorded";

  const auto next_version = study_copy(fw.dir() / "next", [](std::string& t) {
    t.replace(t.find("version: \"2025.1\""), 17, "version: \"2025.2\"");
  });
  {
    server_process server(fw, {.study = next_version});
    ASSERT_NE(server.port(), 0);
    EXPECT_NE(server.log().find("questionnaire ai_barometer_2025 2025.2 (digest "), std::string::npos) << server.log();
    EXPECT_NE(server.log().find(") replaces 2025.1 (digest "), std::string::npos) << server.log();
  }
  EXPECT_EQ(fw.count("SELECT count(*) FROM study"), 2) << "both versions kept";

  // From the file alone: the questionnaire it ran last.
  const auto report_log = fw.dir() / "report.log";
  EXPECT_EQ(run_command(cati + " report --db " + fw.quoted_db() + " --at 2025-10-14", report_log), 0)
      << slurp(report_log);
  EXPECT_NE(slurp(report_log).find("Fieldwork report: ai_barometer_2025 (questionnaire 2025.2), 10 cases"),
            std::string::npos)
      << slurp(report_log);
  const auto quota_log = fw.dir() / "quota.log";
  EXPECT_EQ(run_command(cati + " quota --db " + fw.quoted_db() + " --at-now 2025-10-14T11:30", quota_log), 0)
      << slurp(quota_log);
  EXPECT_NE(slurp(quota_log).find("Quotas: ai_barometer_2025 (questionnaire 2025.2)"), std::string::npos)
      << slurp(quota_log);
}

}  // namespace
}  // namespace cati::it
