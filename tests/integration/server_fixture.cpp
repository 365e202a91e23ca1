#include "integration/server_fixture.hpp"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "store/connection.hpp"
#include "store/sql/sql.hpp"

namespace cati::it {

const std::string& binary_dir() {
  static const std::string dir = CATI_BINARY_DIR;
  return dir;
}

const std::string& seed_study() {
  static const std::string dir = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";
  return dir;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

int run_command(const std::string& command, const fs::path& log) {
  const std::string line = "(" + command + ") >>'" + log.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

namespace {

// The PostgreSQL cluster the fieldworks go to (CATI_IT_PG), or null: SQLite files.
const char* pg_cluster() {
  const char* url = std::getenv("CATI_IT_PG");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cati_tool() { return binary_dir() + "/tools/cati"; }

}  // namespace

bool on_postgresql() { return pg_cluster() != nullptr; }

// --- fieldwork_dir -------------------------------------------------------------------------------------

fieldwork_dir::fieldwork_dir(int firms) {
  std::string pattern = (fs::temp_directory_path() / "cati-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  dir_ = pattern;
  if (on_postgresql()) {
    schema_ = std::make_unique<test::pg_test_schema>(pg_cluster(), "it");
    db_ = schema_->url();
  } else {
    db_ = (dir_ / "fieldwork.db").string();
  }
  const auto log = dir_ / "setup.log";
  const auto frame = (dir_ / "frame.csv").string();
  EXPECT_EQ(run_command(cati_tool() + " sample generate --study " + seed_study() + " --count " +
                            std::to_string(firms) + " --seed 3 --out " + frame,
                        log),
            0)
      << read_file(log);
  EXPECT_EQ(run_command(cati_tool() + " sample import --db " + quoted_db() + " --study " + seed_study() + " " + frame,
                        log),
            0)
      << read_file(log);
  add_user("anna", "interviewer", anna_password);
}

fieldwork_dir::~fieldwork_dir() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "fieldwork kept for inspection: " << dir_ << (schema_ ? ", database " + db_ : std::string()) << "\n";
    if (schema_) schema_->keep();
    return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void fieldwork_dir::add_user(const std::string& name, const std::string& role, const std::string& password,
                             const std::string& languages) {
  const auto log = dir_ / "setup.log";
  EXPECT_EQ(run_command("printf '%s\\n' '" + password + "' | " + cati_tool() + " users add " + name + " --role " +
                            role + " --languages " + languages + " --db " + quoted_db(),
                        log),
            0)
      << read_file(log);
}

std::int64_t fieldwork_dir::count(const std::string& sql) const {
  const auto r = rows(sql);
  return r.empty() || r.front().empty() || r.front().front() == "NULL" ? 0 : std::stoll(r.front().front());
}

std::vector<std::vector<std::string>> fieldwork_dir::rows(const std::string& sql) const {
  store::open_options options;
  options.path = db_;
  options.create = false;
  auto db = store::open_read_connection(options);  // SQLite: read-only, 10 s busy timeout
  store::sql::statement q(*db, sql);
  std::vector<std::vector<std::string>> out;
  while (q.executeStep()) {
    auto& row = out.emplace_back();
    for (int i = 0; i < q.getColumnCount(); ++i) {
      auto col = q.getColumn(i);
      row.push_back(col.isNull() ? "NULL" : col.getString());
    }
  }
  return out;
}

std::map<std::string, std::int64_t> fieldwork_dir::table_counts() const {
  std::map<std::string, std::int64_t> out;
  for (const char* table : {"users", "cases", "call_attempts", "appointments", "interviews", "answers",
                            "quota_cells", "quota_leases", "quota_lease_cells"})
    out[table] = count(std::string("SELECT COUNT(*) FROM ") + table);
  // Rows can change without being added: the saved interview state, the quota counts, the case locks.
  out["interviews.snapshot_bytes"] = count("SELECT COALESCE(SUM(LENGTH(snapshot)), 0) FROM interviews");
  out["interviews.ended"] = count("SELECT COUNT(*) FROM interviews WHERE ended_at IS NOT NULL");
  out["quota_cells.completes"] = count("SELECT COALESCE(SUM(completes), 0) FROM quota_cells");
  out["quota_cells.target"] = count("SELECT COALESCE(SUM(target), 0) FROM quota_cells");
  out["cases.held"] = count("SELECT COUNT(*) FROM cases WHERE held_by IS NOT NULL");
  return out;
}

// --- server_process ----------------------------------------------------------------------------------

server_process::server_process(const fieldwork_dir& fw, launch_options options) {
  static std::atomic<int> launches{0};
  log_ = fw.dir() / ("server-" + std::to_string(++launches) + ".log");
  const std::string study = options.study.empty() ? seed_study() : options.study;
  std::vector<std::string> argv{binary_dir() + "/server/cati-server", "--study", study, "--db", fw.db(),
                                "--listen", "127.0.0.1:0", "--clock", options.clock, "--log-level", "info"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  try {
    child_ = std::make_unique<child::child_server>(std::move(argv), log_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
}

server_process::~server_process() {
  if (child_) {
    if (auto ended = child_->stop(); ended && ended->forced) ADD_FAILURE() << "cati-server did not stop on SIGTERM";
  }
  if (::testing::Test::HasFailure()) std::cerr << "--- " << log_ << "\n" << log();
}

void server_process::kill(int sig) {
  if (child_) child_->kill(sig);
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
  if (!child_) return std::nullopt;
  const auto ended = child_->wait_exit(timeout);
  if (!ended || !ended->exited()) return std::nullopt;
  return ended->code;
}

std::string server_process::log() const { return read_file(log_); }

// --- cati.v1 helpers -----------------------------------------------------------------------------------

namespace {
std::atomic<std::uint64_t> next_request{1};
}

v1::ServerMessage ask(ws_test_client& c, v1::ClientMessage m) {
  m.set_request_id(next_request++);
  EXPECT_TRUE(c.send(m)) << c.error();
  return receive(c);
}

v1::ServerMessage ask_past_pushes(ws_test_client& c, v1::ClientMessage m) {
  auto reply = ask(c, std::move(m));
  for (int pushes = 0; reply.request_id() == 0 && pushes < 100; ++pushes) reply = receive(c);
  return reply;
}

v1::ServerMessage receive(ws_test_client& c) {
  auto r = c.receive(reply_wait);
  EXPECT_TRUE(r.has_value()) << "no message from the server: " << c.error();
  return r.value_or(v1::ServerMessage{});
}

v1::ServerMessage login(ws_test_client& c, const std::string& user, const std::string& password) {
  v1::ClientMessage m;
  m.mutable_login()->set_user(user);
  m.mutable_login()->set_password(password);
  return ask(c, m);
}

std::unique_ptr<ws_test_client> connect(std::uint16_t port) {
  net::test::client_options options;
  options.timeout = reply_wait;
  auto c = std::make_unique<ws_test_client>(options);
  EXPECT_TRUE(c->connect(port)) << c->error();
  return c;
}

v1::ClientMessage next_case_request() {
  v1::ClientMessage m;
  m.mutable_next_case();
  return m;
}

v1::ClientMessage start_request(std::int64_t case_id, const std::string& language) {
  v1::ClientMessage m;
  m.mutable_start_interview()->set_case_id(case_id);
  m.mutable_start_interview()->set_language(language);
  return m;
}

v1::Screen begin_interview(ws_test_client& c, const std::string& language) {
  auto card = ask(c, next_case_request());
  EXPECT_TRUE(card.has_case_card()) << card.DebugString();
  auto screen = ask(c, start_request(card.case_card().case_id(), language));
  EXPECT_TRUE(screen.has_screen()) << screen.DebugString();
  return screen.screen();
}

const std::map<std::string, std::string>& eligible_answers() {
  static const std::map<std::string, std::string> answers = {
      {"intro", ""},          {"s1_decider", "1"},  {"s2_fte", "4"},      {"s3_sector", "1"},
      {"q1_market", "1"},     {"q2_ai_use", "3"},   {"q3_ai_areas", "1 2"}, {"q3_other", "something"},
      {"q4_ai_tasks", "1"},   {"q5_potential", "1"}, {"q6_attitude", "2"}, {"q7_fin_value", "1"},
      {"q8_bank_ai", "1"},    {"q9_bank_domains", "1 2"}, {"end", ""}};
  return answers;
}

v1::ClientMessage answer_to(const v1::Screen& s, std::optional<std::string> value) {
  v1::ClientMessage m;
  auto* a = m.mutable_answer();
  a->set_interview_id(s.interview_id());
  a->set_seq(s.next_seq());
  a->set_question(s.question());
  if (value) {
    a->set_value(*value);
  } else {
    auto it = eligible_answers().find(s.question());
    EXPECT_NE(it, eligible_answers().end()) << "no answer for question " << s.question();
    if (it != eligible_answers().end()) a->set_value(it->second);
  }
  return m;
}

v1::ClientMessage back_from(const v1::Screen& s) {
  v1::ClientMessage m;
  m.mutable_back()->set_interview_id(s.interview_id());
  m.mutable_back()->set_seq(s.next_seq());
  return m;
}

v1::ServerMessage step(ws_test_client& c, const v1::Screen& s, std::optional<std::string> value) {
  auto ack = ask(c, answer_to(s, std::move(value)));
  EXPECT_TRUE(ack.has_answer_ack()) << "answer to " << s.question() << ": " << ack.DebugString();
  if (!ack.has_answer_ack()) return ack;
  return receive(c);
}

v1::ServerMessage finish(ws_test_client& c, v1::ServerMessage s, const std::map<std::string, std::string>& overrides) {
  // A questionnaire has a bounded number of screens: a loop that does not end is a routing bug.
  for (int i = 0; i < 100 && s.has_screen(); ++i) {
    auto o = overrides.find(s.screen().question());
    s = step(c, s.screen(), o == overrides.end() ? std::nullopt : std::optional<std::string>(o->second));
  }
  EXPECT_TRUE(s.has_interview_end()) << s.DebugString();
  return s;
}

std::vector<std::string> answer_rows(const fieldwork_dir& fw, const std::string& interview_id) {
  std::vector<std::string> out;
  for (const auto& r : fw.rows("SELECT seq, question, kind, value FROM answers WHERE interview_id = " +
                               std::to_string(std::stoll(interview_id)) + " ORDER BY seq, id"))
    out.push_back(r[0] + " " + r[1] + " " + r[2] + " " + r[3]);
  return out;
}

std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[65536];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(reply_wait).count())) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

double metric(std::uint16_t port, const std::string& series) {
  std::istringstream in(http_get(port, "/metrics"));
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace cati::it
