// child::child_server (tools/child/child_server.hpp) with /bin/sh as the "server": the port from the
// "listening on" line, the errors for a child that exits or stays silent, stop/kill/wait_exit, and the
// child's death with its parent.
#include "child/child_server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;
using cati::child::child_server;
using namespace std::chrono_literals;

class ChildServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "cati-child-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

  fs::path dir_;
};

// Whether `pid` is gone or a zombie (a dead child not reaped yet by its new parent).
bool dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

TEST_F(ChildServerTest, ReadsThePortAndStopsWithSigterm) {
  child_server c(sh("echo starting >&2; echo 'listening on 127.0.0.1:4321'; exec sleep 60"), dir_ / "a.log");
  EXPECT_EQ(c.port(), 4321);
  EXPECT_TRUE(c.running());
  EXPECT_NE(c.log().find("starting"), std::string::npos);  // stderr into the same log
  const auto ended = c.stop(10s);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->signal, SIGTERM);
  EXPECT_FALSE(ended->forced);
  EXPECT_FALSE(c.running());
  EXPECT_FALSE(c.stop().has_value());
}

TEST_F(ChildServerTest, ReportsAChildThatExitsBeforeListening) {
  try {
    child_server c(sh("echo 'cannot open the database' >&2; exit 3"), dir_ / "b.log");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited with code 3"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot open the database"), std::string::npos) << what;
  }
}

TEST_F(ChildServerTest, ReportsASilentChildAndStopsIt) {
  try {
    child_server c(sh("echo 'still loading'; exec sleep 60"), dir_ / "c.log", 300ms);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("did not say 'listening on'"), std::string::npos) << what;
    EXPECT_NE(what.find("killed by signal 15"), std::string::npos) << what;
    EXPECT_NE(what.find("still loading"), std::string::npos) << what;
  }
}

TEST_F(ChildServerTest, ReportsAMissingProgram) {
  EXPECT_THROW(child_server({(dir_ / "no-such-program").string()}, dir_ / "d.log"), std::runtime_error);
}

TEST_F(ChildServerTest, KillAndWaitExit) {
  child_server a(sh("echo 'listening on [::1]:7, 1 thread'; exec sleep 60"), dir_ / "e.log");
  EXPECT_EQ(a.port(), 7);
  EXPECT_FALSE(a.wait_exit(50ms).has_value());  // still running (the destructor stops it)
  child_server b(sh("echo 'listening on 127.0.0.1:8'; exec sleep 60"), dir_ / "f.log");
  const auto killed = b.kill(SIGKILL);
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->signal, SIGKILL);
  child_server c(sh("echo 'listening on 127.0.0.1:9'; sleep 0.2; exit 5"), dir_ / "g.log");
  const auto ended = c.wait_exit(30s);
  ASSERT_TRUE(ended.has_value());
  EXPECT_TRUE(ended->exited());
  EXPECT_EQ(ended->code, 5);
}

TEST_F(ChildServerTest, TheChildDiesWithItsParent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {  // the parent to be killed: starts the child, says its pid, waits to be killed
    ::close(fds[0]);
    try {
      child_server c({"/bin/sh", "-c", "echo 'listening on 127.0.0.1:10'; exec sleep 60"}, dir_ / "h.log");
      const pid_t pid = c.pid();
      if (::write(fds[1], &pid, sizeof pid) != sizeof pid) ::_exit(1);
      ::pause();
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(fds[1]);
  pid_t child = -1;
  ASSERT_EQ(::read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ::close(fds[0]);
  EXPECT_FALSE(dead(child));
  ::kill(parent, SIGKILL);
  int status = 0;
  ::waitpid(parent, &status, 0);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!dead(child) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(dead(child)) << "the child outlived its killed parent";
  if (!dead(child)) ::kill(child, SIGKILL);
}

}  // namespace
