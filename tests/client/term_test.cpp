// The cati-term program in script mode, against the fake server (skipped when it was not built).
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "session_fixture.hpp"

namespace cati::client::testing {
namespace {

using ClientTerm = session_test;

const std::filesystem::path term_binary = std::filesystem::path(CATI_BINARY_DIR) / "client" / "cati-term";

struct process_result {
  int code = -1;
  std::string out;
};

process_result run_shell(const std::string& command) {
  process_result r;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST_F(ClientTerm, ScriptModeRunsAScriptFileOrANonTerminalStdin) {
  // CTest builds cati-term before this suite (tests/CMakeLists.txt).
  ASSERT_TRUE(std::filesystem::exists(term_binary)) << term_binary << " is not built";
  write_file(dir_ / "password", "secret\n");
  write_file(dir_ / "script", "login\nnext\nexpect case 12\nstart\nanswer 2\nexpect screen q2\n");
  const std::string common = term_binary.string() + " --server " + server_.url() +
                             " --user anna --password-file " + (dir_ / "password").string() + " --journal-dir " +
                             (dir_ / "journal").string();
  auto r = run_shell(common + " --script " + (dir_ / "script").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("screen q2 (2/4) single: Vraag 2?"), std::string::npos) << r.out;

  r = run_shell("printf 'login\\nanswer 1\\nexpect screen q3\\nexpect q4\\n' | " + common);
  EXPECT_EQ(r.code, 1) << r.out;  // the second expect fails
  EXPECT_NE(r.out.find("error EXPECT: line 4"), std::string::npos) << r.out;
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"2", "1", "", ""}));
  expect_exactly_once();

  r = run_shell(term_binary.string() + " --server http://127.0.0.1:1 --script /dev/null 2>&1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("bad server URL"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cati::client::testing
