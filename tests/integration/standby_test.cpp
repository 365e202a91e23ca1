// Front-end failover against the real binaries (issue 16): a --standby cati-server listens at once,
// answers /healthz 503 naming the active server and sends terminals there with Error{STANDBY}; the client
// library, given several server URLs, finds the active one by itself, and after a SIGKILL of the active
// server resumes on the standby once it took over, losing and doubling no answer.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "integration/server_fixture.hpp"
#include "integration/session_driver.hpp"
#include "integration/terminal_steps.hpp"

namespace cati::it {
namespace {

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A --standby cati-server on the fieldwork; it listens (and the constructor returns) while the active one
// still holds the file.
std::unique_ptr<child::child_server> start_standby(const fieldwork_dir& fw, const std::string& name) {
  std::vector<std::string> argv{binary_dir() + "/server/cati-server", "--study", seed_study(), "--db",
                                fw.db(), "--listen", "127.0.0.1:0", "--clock",
                                "from:2025-10-13T09:00:00+02:00", "--standby"};
  return std::make_unique<child::child_server>(argv, fw.dir() / (name + ".log"));
}

std::string url_of(std::uint16_t port) { return "ws://127.0.0.1:" + std::to_string(port); }

bool says(const fs::path& log, const std::string& text) {
  return eventually([&] { return file_text(log).find(text) != std::string::npos; }, 60s);
}

TEST(Standby, ListensAtOnceAnswersHealthz503AndSendsTerminalsToTheActiveServer) {
  fieldwork_dir fw;
  server_process active(fw);
  ASSERT_NE(active.port(), 0) << active.log();
  auto standby = start_standby(fw, "standby");
  ASSERT_TRUE(says(standby->log_path(), "waiting to take over")) << standby->log();

  auto health = net::test::http_request(active.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "active\n");
  health = net::test::http_request(standby->port(), "/healthz");
  EXPECT_EQ(health.status, 503) << "a load balancer skips a standby";
  EXPECT_EQ(health.body, "standby: the active server is at " + url_of(active.port()) + "\n");

  auto c = connect(standby->port());
  ASSERT_TRUE(c);
  v1::ClientMessage m;
  m.set_request_id(41);
  m.mutable_login()->set_user("anna");
  m.mutable_login()->set_password(anna_password);
  ASSERT_TRUE(c->send(m)) << c->error();
  auto reply = c->receive(15s);
  ASSERT_TRUE(reply) << c->error();
  EXPECT_EQ(reply->request_id(), 41u);
  ASSERT_TRUE(reply->has_error()) << reply->DebugString();
  EXPECT_EQ(reply->error().code(), v1::Error::STANDBY);
  EXPECT_EQ(reply->error().active_server(), url_of(active.port()));
  EXPECT_NE(reply->error().message().find(url_of(active.port())), std::string::npos) << reply->error().message();
  EXPECT_FALSE(c->receive(5s)) << "the standby closes the connection after telling where to go";
  EXPECT_EQ(fw.count("SELECT epoch FROM ownership"), 1) << "a standby writes nothing";
}

TEST(Standby, TheClientLibraryGivenAStandbyFirstFindsTheActiveServer) {
  fieldwork_dir fw;
  server_process active(fw);
  ASSERT_NE(active.port(), 0) << active.log();
  auto standby = start_standby(fw, "standby");
  ASSERT_TRUE(says(standby->log_path(), "waiting to take over")) << standby->log();

  session_driver d(url_of(standby->port()) + "," + url_of(active.port()), fw.dir() / "journal");
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty()) << d.transcript();
  answered stored;
  for (int i = 0; i < 3; ++i) answer_current(d, stored);
  EXPECT_NE(d.transcript().find("is a standby"), std::string::npos) << d.transcript();
  EXPECT_EQ(rows_of(fw, interview), 2) << "the intro stores nothing; the two answers after it are stored";
}

TEST(Standby, AfterTheActiveIsKilledTheClientResumesOnTheStandbyAndLosesNoAnswer) {
  fieldwork_dir fw;
  auto active = std::make_unique<server_process>(fw);
  ASSERT_NE(active->port(), 0) << active->log();
  const auto active_url = active->url();
  auto standby = start_standby(fw, "standby");
  ASSERT_TRUE(says(standby->log_path(), "waiting to take over")) << standby->log();

  session_driver d(active_url + "," + url_of(standby->port()), fw.dir() / "journal");
  auto& s = d.session();
  const auto interview = begin(d);
  ASSERT_FALSE(interview.empty()) << d.transcript();
  answered stored;
  answer_current(d, stored);  // intro
  answer_current(d, stored);  // s1_decider
  ASSERT_EQ(d.screen()->question(), "s2_fte");

  active->kill(SIGKILL);
  ASSERT_TRUE(d.until(went_offline, "offline"));
  // Typed while the standby takes over: journaled, then resent to the new active server.
  for (const char* q : {"s2_fte", "s3_sector", "q1_market"}) answer_offline(d, q, stored);
  ASSERT_TRUE(d.until_idle()) << d.transcript();
  EXPECT_EQ(s.unacked(), 0U);
  ASSERT_TRUE(says(standby->log_path(), "took over: serving at " + url_of(standby->port()))) << standby->log();
  const auto health = net::test::http_request(standby->port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "active\n");

  for (int i = 0; i < 50 && !d.end(); ++i) answer_current(d, stored);
  ASSERT_TRUE(d.end()) << d.transcript();
  EXPECT_EQ(d.end()->outcome(), v1::COMPLETE);
  expect_each_answer_once(fw, interview, stored);
  EXPECT_EQ(fw.count("SELECT epoch FROM ownership"), 2);
  EXPECT_TRUE(standby->stop()->exited());
}

}  // namespace
}  // namespace cati::it
