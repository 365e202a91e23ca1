// What the end-to-end tests share: a fieldwork directory prepared with the real `cati` commands (a
// small synthetic sample, users with passwords), the real cati-server as a child process on port 0, SQL
// read straight from the fieldwork's database, and helpers that speak cati.v1 over a raw WebSocket client
// (ask one request, log in, answer the screen shown).
//
// Two backends (issue 16): the fieldwork is a SQLite file in the directory, or, when CATI_IT_PG holds a
// PostgreSQL cluster's URL, a schema of its own in that cluster (tests/pg/test_schema.hpp). CTest runs
// the suite both ways (tests/CMakeLists.txt: the second time under names ending in "/postgresql", with
// the cluster of the fixture pg_test_cluster). The tests use fieldwork_dir::db() wherever they would name
// the file; the few that run in the SQLite pass only say so, and why, with CATI_SQLITE_PASS_ONLY
// (docs/storage.md lists them). By hand:
//
//   url=$(tools/pg start /tmp/my-pg --watch $$)
//   CATI_IT_PG="$url" build/tests/test_integration --gtest_filter='Resilience.*'
//
// Waits use generous timeouts (the machine is shared); nothing here measures elapsed time.
// Thread-safety: none; one test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "child/child_server.hpp"
#include "net/ws_test_client.hpp"
#include "pg/test_schema.hpp"

namespace cati::it {

namespace fs = std::filesystem;
namespace v1 = cati::v1;
using net::test::ws_test_client;
using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds reply_wait = 15s;  // one reply from the server
inline constexpr char anna_password[] = "anna-secret-1";

const std::string& binary_dir();
const std::string& seed_study();  // schema/ai_barometer_2025

// Polls `pred` until it holds or `timeout` passes (for state nothing notifies about, e.g. a row on disk).
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 30s);

// Runs a shell command with its output sent to `log` (appended); returns its exit code (-1 when it did
// not exit normally).
int run_command(const std::string& command, const fs::path& log);
// `s` in single quotes for a shell command (a PostgreSQL URL holds `&` and `?`).
std::string shell_quoted(const std::string& s);

// Whether this run's fieldworks live in PostgreSQL (CATI_IT_PG set) rather than SQLite files.
bool on_postgresql();

// For a test that runs in the suite's SQLite pass only: one about the SQLite file itself (a fault under
// the server's own file I/O), or one that is on PostgreSQL already (with a cluster of its own). Skips it
// when the suite runs on PostgreSQL, saying why. Each use is listed in docs/storage.md ("Tests on both").
#define CATI_SQLITE_PASS_ONLY(why)                                                      \
  do {                                                                                  \
    if (::cati::it::on_postgresql()) GTEST_SKIP() << "not in the PostgreSQL pass: " << (why); \
  } while (false)

// A fresh directory under the system temp dir, and a fresh fieldwork database (fieldwork.db in the
// directory, or on PostgreSQL a schema of its own) with `firms` synthetic firms (`cati sample generate` +
// `cati sample import`) and the interviewer anna (languages nl,fr). Both removed at the end, unless the
// test failed (then they are kept for inspection, and named).
class fieldwork_dir {
 public:
  explicit fieldwork_dir(int firms = 40);
  ~fieldwork_dir();
  fieldwork_dir(const fieldwork_dir&) = delete;
  fieldwork_dir& operator=(const fieldwork_dir&) = delete;

  const fs::path& dir() const { return dir_; }
  // The fieldwork's --db string: the file's path, or the PostgreSQL URL of its schema.
  const std::string& db() const { return db_; }
  // db() quoted for a shell command line.
  std::string quoted_db() const { return shell_quoted(db_); }
  // `cati users add NAME --role ROLE --languages LANGS` with the password on stdin.
  void add_user(const std::string& name, const std::string& role, const std::string& password,
                const std::string& languages = "nl,fr");

  // Reads the fieldwork (read-only, its own connection; SQL that means the same on both backends): the
  // first column of the first row as an integer, e.g. count("SELECT COUNT(*) FROM answers").
  std::int64_t count(const std::string& sql) const;
  // Every row of a query, each column as text ("NULL" for a null).
  std::vector<std::vector<std::string>> rows(const std::string& sql) const;
  // Row counts of every table that a request can change: compared before and after a refused request.
  std::map<std::string, std::int64_t> table_counts() const;

 private:
  fs::path dir_;
  std::unique_ptr<test::pg_test_schema> schema_;  // on PostgreSQL
  std::string db_;
};

struct launch_options {
  std::string clock = "from:2025-10-13T09:00:00+02:00";  // --clock
  std::string study;                                    // --study; default the seed study
  std::vector<std::string> extra_args{};                // appended, e.g. {"--idle-timeout", "4"}
};

// cati-server as a child process on 127.0.0.1 port 0 (child::child_server, tools/child/child_server.hpp:
// it dies with the test process), its stdout and stderr in a log file in the fieldwork directory. The
// constructor waits for its "listening on" line (port() is 0 when it never came: a test failure with the
// log's tail). The destructor stops it with SIGTERM (SIGKILL and a test failure if it does not exit).
class server_process {
 public:
  explicit server_process(const fieldwork_dir& fw, launch_options options = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return child_ ? child_->port() : 0; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()); }
  // Sends `sig` and reaps the process (SIGKILL: no goodbye, nothing flushed but what was committed).
  void kill(int sig);
  // Waits up to `timeout` for the process to end by itself; its exit status, or nullopt when it did not
  // end (or was killed by a signal).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 30s);
  std::string log() const;

 private:
  fs::path log_;
  std::unique_ptr<child::child_server> child_;  // null when it did not start
};

// --- plain HTTP on the server's port -------------------------------------------------------------------

// GET `path` over a fresh connection (Connection: close): the whole response, headers included; "" when
// the connection failed.
std::string http_get(std::uint16_t port, const std::string& path);
// The value of one series of GET /metrics, named exactly as rendered ("cati_connections",
// "cati_refused_total{reason=\"max_logins\"}"); -1 when it is not there.
double metric(std::uint16_t port, const std::string& series);

// --- cati.v1 over the raw WebSocket client ---------------------------------------------------------------

// Stamps a fresh request id, sends, and returns the first reply (an empty message and a test failure
// when none came).
v1::ServerMessage ask(ws_test_client& c, v1::ClientMessage m);
// The same, but the reply to this request: pushes (request_id 0) that come before it are skipped. For a
// supervisor who watches the status, whose coalesced `Status` push may overtake the next reply.
v1::ServerMessage ask_past_pushes(ws_test_client& c, v1::ClientMessage m);
// The next message, or an empty one and a test failure.
v1::ServerMessage receive(ws_test_client& c);
v1::ServerMessage login(ws_test_client& c, const std::string& user = "anna",
                        const std::string& password = anna_password);
// A connected client; a test failure when the connection is refused.
std::unique_ptr<ws_test_client> connect(std::uint16_t port);

v1::ClientMessage next_case_request();
v1::ClientMessage start_request(std::int64_t case_id, const std::string& language = {});
// NextCase then StartInterview (in `language`, default the case's): the first screen.
v1::Screen begin_interview(ws_test_client& c, const std::string& language = {});

// The answer the firm gives to each question of the seed study: an eligible monthly AI user in services.
const std::map<std::string, std::string>& eligible_answers();
// The Answer to screen `s` (its interview, seq and question) with `value`, default eligible_answers().
v1::ClientMessage answer_to(const v1::Screen& s, std::optional<std::string> value = std::nullopt);
v1::ClientMessage back_from(const v1::Screen& s);
// Sends the answer to `s`, expects an ack, returns what follows (the next screen or the end).
v1::ServerMessage step(ws_test_client& c, const v1::Screen& s, std::optional<std::string> value = std::nullopt);
// Answers every screen from `s` on with eligible_answers(), or `overrides` where they name the question;
// returns the InterviewEnd message.
v1::ServerMessage finish(ws_test_client& c, v1::ServerMessage s, const std::map<std::string, std::string>& overrides = {});

// The answers table of one interview in seq order: "seq question kind value" per row.
std::vector<std::string> answer_rows(const fieldwork_dir& fw, const std::string& interview_id);

}  // namespace cati::it
