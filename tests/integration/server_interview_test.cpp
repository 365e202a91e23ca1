// End to end: the real cati-server on port 0 over a real SQLite file, prepared with the real `cati`
// commands, driven by a real WebSocket client. A whole interview of the seed study, repeats recognised,
// and the server killed with SIGKILL mid-interview and restarted: the interview resumes where it was.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "net/ws_test_client.hpp"

namespace fs = std::filesystem;
using cati::net::test::ws_test_client;
namespace v1 = cati::v1;

namespace {

const std::string bin = CATI_BINARY_DIR;
const std::string study = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

int run(const std::string& cmd) { return WEXITSTATUS(std::system((cmd + " >/dev/null 2>&1").c_str())); }

// A cati-server child process; reads its "listening on" line for the port.
class server_process {
 public:
  explicit server_process(const fs::path& db) {
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::string server = bin + "/server/cati-server";
      ::execl(server.c_str(), server.c_str(), "--study", study.c_str(), "--db", db.c_str(), "--listen",
              "127.0.0.1:0", "--clock", "from:2025-10-13T09:00:00+02:00", "--log-level", "warn", nullptr);
      ::_exit(127);
    }
    ::close(out[1]);
    file_ = ::fdopen(out[0], "r");
    char line[256];
    while (std::fgets(line, sizeof line, file_)) {
      std::string s(line);
      if (auto p = s.find("listening on 127.0.0.1:"); p != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(s.substr(p + 23)));
        break;
      }
    }
  }
  ~server_process() { kill(SIGTERM); }
  std::uint16_t port() const { return port_; }
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (file_) ::fclose(file_);
    file_ = nullptr;
  }

 private:
  pid_t pid_ = -1;
  FILE* file_ = nullptr;
  std::uint16_t port_ = 0;
};

struct fieldwork_dir {
  fs::path dir = fs::temp_directory_path() / ("cati-it-" + std::to_string(::getpid()));
  fs::path db = dir / "fieldwork.db";
  fieldwork_dir() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto frame = (dir / "frame.csv").string();
    EXPECT_EQ(run(bin + "/tools/cati sample generate --study " + study + " --count 40 --seed 3 --out " + frame), 0);
    EXPECT_EQ(run(bin + "/tools/cati sample import --db " + db.string() + " --study " + study + " " + frame), 0);
    EXPECT_EQ(run("printf 'anna-secret-1\\n' | " + bin + "/tools/cati users add anna --role interviewer --languages nl,fr --db " +
                  db.string()),
              0);
  }
  ~fieldwork_dir() { fs::remove_all(dir); }
};

std::uint64_t next_request = 1;

v1::ServerMessage ask(ws_test_client& c, v1::ClientMessage m) {
  m.set_request_id(next_request++);
  EXPECT_TRUE(c.send(m));
  auto r = c.receive(std::chrono::seconds(10));
  EXPECT_TRUE(r.has_value()) << c.error();
  return r.value_or(v1::ServerMessage{});
}

v1::ServerMessage login(ws_test_client& c, const std::string& password) {
  v1::ClientMessage m;
  m.mutable_login()->set_user("anna");
  m.mutable_login()->set_password(password);
  return ask(c, m);
}

// The answer the firm gives to each question of the seed study: an eligible monthly AI user.
const std::map<std::string, std::string> answers = {
    {"intro", ""},      {"s1_decider", "1"}, {"s2_fte", "4"},       {"s3_sector", "1"},   {"q1_market", "1"},
    {"q2_ai_use", "3"}, {"q3_ai_areas", "1 2"}, {"q3_other", "x"}, {"q4_ai_tasks", "1"}, {"q5_potential", "1"},
    {"q6_attitude", "2"}, {"q7_fin_value", "1"}, {"q8_bank_ai", "1"}, {"q9_bank_domains", "1 2"}, {"end", ""}};

v1::ClientMessage answer_to(const v1::Screen& s) {
  v1::ClientMessage m;
  auto* a = m.mutable_answer();
  a->set_interview_id(s.interview_id());
  a->set_seq(s.next_seq());
  a->set_question(s.question());
  a->set_value(answers.at(s.question()));
  return m;
}

// Sends the answer to `s`, expects an ack then the next screen or the end.
v1::ServerMessage step(ws_test_client& c, const v1::Screen& s) {
  auto ack = ask(c, answer_to(s));
  EXPECT_TRUE(ack.has_answer_ack()) << ack.DebugString();
  auto next = c.receive(std::chrono::seconds(10));
  EXPECT_TRUE(next.has_value());
  return next.value_or(v1::ServerMessage{});
}

}  // namespace

TEST(Integration, WholeInterviewOverTheWire) {
  fieldwork_dir fw;
  server_process server(fw.db);
  ASSERT_NE(server.port(), 0);
  ws_test_client c;
  ASSERT_TRUE(c.connect(server.port())) << c.error();

  auto denied = login(c, "wrong-password");
  ASSERT_TRUE(denied.has_error());
  EXPECT_EQ(denied.error().code(), v1::Error::BAD_CREDENTIALS);
  v1::ClientMessage early;
  early.mutable_next_case();
  // Not logged in yet: a typed refusal.
  auto refused = ask(c, early);
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code(), v1::Error::NOT_LOGGED_IN);

  auto ok = login(c, "anna-secret-1");
  ASSERT_TRUE(ok.has_login_ok()) << ok.DebugString();
  EXPECT_EQ(ok.login_ok().study_id(), "ai_barometer_2025");

  auto card = ask(c, early);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  EXPECT_EQ(card.case_card().attempt(), 1);
  EXPECT_FALSE(card.case_card().company().empty());

  v1::ClientMessage start;
  start.mutable_start_interview()->set_case_id(card.case_card().case_id());
  auto screen = ask(c, start);
  ASSERT_TRUE(screen.has_screen()) << screen.DebugString();
  EXPECT_EQ(screen.screen().question(), "intro");

  // An answer outside the choices: refused with the reason, nothing changes.
  screen = step(c, screen.screen());  // intro
  auto bad = answer_to(screen.screen());
  bad.mutable_answer()->set_value("7");
  auto invalid = ask(c, bad);
  ASSERT_TRUE(invalid.has_error());
  EXPECT_EQ(invalid.error().code(), v1::Error::INVALID_ANSWER);

  // The same answer twice (a retry after a lost ack): the second is a duplicate.
  auto first = answer_to(screen.screen());
  auto ack1 = ask(c, first);
  ASSERT_TRUE(ack1.has_answer_ack());
  EXPECT_FALSE(ack1.answer_ack().duplicate());
  auto after = c.receive(std::chrono::seconds(10));
  ASSERT_TRUE(after && after->has_screen());
  auto ack2 = ask(c, first);
  ASSERT_TRUE(ack2.has_answer_ack());
  EXPECT_TRUE(ack2.answer_ack().duplicate());
  auto same = c.receive(std::chrono::seconds(10));
  ASSERT_TRUE(same && same->has_screen());
  EXPECT_EQ(same->screen().question(), after->screen().question());

  screen = *same;
  while (screen.has_screen()) screen = step(c, screen.screen());
  ASSERT_TRUE(screen.has_interview_end()) << screen.DebugString();
  EXPECT_EQ(screen.interview_end().outcome(), v1::COMPLETE);
  EXPECT_EQ(screen.interview_end().aapor_code(), "1.1");
  EXPECT_EQ(screen.interview_end().today().completes(), 1);
}

TEST(Integration, KilledServerResumesTheInterviewAtTheSameScreen) {
  fieldwork_dir fw;
  std::string interview;
  std::string question;
  std::uint32_t seq = 0;
  std::string token;
  {
    server_process server(fw.db);
    ws_test_client c;
    ASSERT_TRUE(c.connect(server.port()));
    auto ok = login(c, "anna-secret-1");
    ASSERT_TRUE(ok.has_login_ok());
    token = ok.login_ok().token();
    v1::ClientMessage next;
    next.mutable_next_case();
    auto card = ask(c, next);
    ASSERT_TRUE(card.has_case_card());
    v1::ClientMessage start;
    start.mutable_start_interview()->set_case_id(card.case_card().case_id());
    auto screen = ask(c, start);
    for (int i = 0; i < 5 && screen.has_screen(); ++i) screen = step(c, screen.screen());
    ASSERT_TRUE(screen.has_screen());
    interview = screen.screen().interview_id();
    question = screen.screen().question();
    seq = screen.screen().next_seq();
    server.kill(SIGKILL);  // no goodbye: everything acknowledged must be on disk
  }
  server_process server(fw.db);
  ws_test_client c;
  ASSERT_TRUE(c.connect(server.port()));
  auto ok = login(c, "anna-secret-1");
  ASSERT_TRUE(ok.has_login_ok());
  auto card = c.receive(std::chrono::seconds(10));
  ASSERT_TRUE(card && card->has_case_card()) << (card ? card->DebugString() : c.error());
  auto screen = c.receive(std::chrono::seconds(10));
  ASSERT_TRUE(screen && screen->has_screen());
  EXPECT_EQ(screen->screen().interview_id(), interview);
  EXPECT_EQ(screen->screen().question(), question);
  EXPECT_EQ(screen->screen().next_seq(), seq);
  auto end = *screen;
  while (end.has_screen()) end = step(c, end.screen());
  ASSERT_TRUE(end.has_interview_end());
  EXPECT_EQ(end.interview_end().outcome(), v1::COMPLETE);
}
