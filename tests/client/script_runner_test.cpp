// cati-term's scripted front end against the fake server: what it prints, and its exit codes.
#include <sstream>
#include <thread>

#include "lib/script_runner.hpp"
#include "session_fixture.hpp"

namespace cati::client::testing {
namespace {

using ClientScriptRunner = session_test;

struct run_result {
  int code;
  std::string out;
};

run_result run(session& s, const std::string& script, script_options o = {}) {
  std::istringstream in(script);
  std::ostringstream out;
  const int code = run_script(s, in, out, o);
  return {code, out.str()};
}

TEST_F(ClientScriptRunner, RunsAnInterviewAndPrintsEachReply) {
  auto s = make_session();
  const auto r = run(*s,
                     "# a whole interview\n"
                     "login anna secret\n"
                     "expect state online\n"
                     "next\n"
                     "expect company=\"Bakkerij Peeters\"\n"
                     "outcome busy note=line busy\n"
                     "expect recorded 12 outcome=busy\n"
                     "start\n"
                     "expect screen q1 (1/4) single: Vraag 1?\n"
                     "answer 7\n"
                     "expect error INVALID_ANSWER: 7 is not one of the choices\n"
                     "answer 2\n"
                     "expect ack iv-12-1 seq=1 duplicate=false\n"
                     "expect screen q2\n"
                     "back\n"
                     "expect current: 2\n"
                     "lang fr\n"
                     "expect Question 1 ?\n"
                     "answer 1\n"
                     "answer 1\n"
                     "answer 3\n"
                     "answer 2\n"
                     "expect end iv-12-1 outcome=complete aapor=1.1\n"
                     "logout\n"
                     "expect notice LOGGED_OUT\n");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"1", "1", "3", "2"}));
  expect_exactly_once();
  // The first lines, exactly: the stable text form.
  EXPECT_EQ(r.out.substr(0, r.out.find("  frame")),
            "state online\n"
            "login anna role=interviewer study=fake_study version=1 now=2025-10-13T09:00:00+02:00 calls=0 completes=0\n"
            "case 12 firm=F00012 company=\"Bakkerij Peeters\" lang=nl attempt=1/8 cell=region=VLA\n"
            "  contact \"An Peeters\"\n"
            "  dial +3231234567\n");
  EXPECT_NE(r.out.find("screen q1 (1/4) single: Vraag 1?\n  1 Keuze 1\n  2 Keuze 2\n  3 Keuze 3\n"
                       "  interview=iv-12-1 seq=1 lang=nl back=no\n"),
            std::string::npos)
      << r.out;
}

TEST_F(ClientScriptRunner, AFailedExpectEndsTheScriptWithExitCode1) {
  auto s = make_session();
  const auto r = run(*s, "login anna secret\nping\nexpect screen q9\nnext\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error EXPECT: line 3: expected 'screen q9' in the last output"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("case 12"), std::string::npos);  // stopped there
}

TEST_F(ClientScriptRunner, LoginTakesUserAndPasswordFromTheOptions) {
  auto s = make_session();
  script_options o;
  o.user = "anna";
  o.password = "secret";
  const auto r = run(*s, "login\nexpect login anna role=interviewer\nquit\nnext\n", o);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("case 12"), std::string::npos);  // quit stops before next
}

TEST_F(ClientScriptRunner, ABadLineOrNoReplyIsAnError) {
  auto s = make_session();
  auto r = run(*s, "login anna secret\njump\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error SCRIPT: line 2: unknown action 'jump'"), std::string::npos) << r.out;

  server_.silent_pings(true);
  script_options o;
  o.reply_timeout = std::chrono::milliseconds(200);
  r = run(*s, "ping\n", o);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error TIMEOUT: line 1: no reply within 200 ms"), std::string::npos) << r.out;
}

TEST_F(ClientScriptRunner, QueuesAnswersOfflineAndWaitOnlineDeliversThem) {
  auto s = make_session();
  auto r = run(*s, "login anna secret\nnext\nstart\nanswer 1\nexpect screen q2\n");
  ASSERT_EQ(r.code, 0) << r.out;
  server_.set_listening(false);
  std::thread restart([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server_.set_listening(true);
  });
  r = run(*s,
          "sleep 100\n"
          "expect state offline (0 answers waiting)\n"
          "answer 3\n"
          "expect queued iv-12-1 seq=2 answer\n"
          "expect state offline (1 answer waiting)\n"
          "wait-online\n"
          "expect state online\n"
          "expect ack iv-12-1 seq=2 duplicate=false\n"
          "expect screen q3\n");
  restart.join();
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"1", "3", "", ""}));
  expect_exactly_once();
}

}  // namespace
}  // namespace cati::client::testing
