// The crash test: a child process (crash_writer/) writes through the store and is killed with SIGKILL
// at random moments, many times over the same fieldwork. Every write it was told had committed must be
// there, whole and once; no job may be half there (its counter cell and audit row agree with its answers).
// On both backends (backends.hpp): on SQLite the killed process is the one writing the file, which must
// also pass integrity_check and foreign_key_check; on PostgreSQL (a schema of its own) the killed process
// is the server's client, whose open transaction (and its writer lock) the server must roll back and
// release, and whose COMMIT, once it returned, must hold.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>

#include "core/util/splitmix64.hpp"
#include "crash_writer/crash_payload.hpp"
#include "backends.hpp"
#include "store/connection.hpp"
#include "store/sql/sql.hpp"

extern char** environ;

namespace cati::test {
namespace {

constexpr int rounds = 30;
constexpr int threads = 4;

struct child {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout
};

child spawn_writer(const std::string& db) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string program = CATI_CRASH_WRITER, path = db, count = std::to_string(threads);
  char* argv[] = {program.data(), path.data(), count.data(), nullptr};
  child c;
  int rc = posix_spawn(&c.pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + program);
  c.out = fds[0];
  return c;
}

// Appends what the child writes until `deadline`, until it closes its end, or (when `until` is given)
// until the output holds `until`.
void read_until(int fd, std::string& into, std::chrono::steady_clock::time_point deadline,
                std::string_view until = {}) {
  char buf[65536];
  while (until.empty() || into.find(until) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready <= 0) continue;
    auto n = read(fd, buf, sizeof buf);
    if (n <= 0) return;  // end of file: every writer of the pipe is gone
    into.append(buf, static_cast<std::size_t>(n));
  }
}

// What the parent learnt from the children: per thread, the highest sequence number acknowledged.
struct ledger {
  std::map<int, std::int64_t> acked;
  std::map<int, std::int64_t> known;  // highest seq known to be stored: acked, or resent as a repeat
  int acks = 0;

  // Reads the complete lines of one child's output; a torn last line (none is expected) is ignored.
  void take(const std::string& output) {
    std::istringstream in(output.substr(0, output.rfind('\n') + 1));
    std::string kind;
    int thread = 0;
    std::int64_t seq = 0;
    std::map<int, std::int64_t> round_last;
    while (in >> kind) {
      if (kind == "ready") continue;
      ASSERT_TRUE(in >> thread >> seq) << output;
      if (kind == "dup") {
        // The resent answer is the last one stored: the last one known, or one more when the previous
        // kill fell between a commit and its ack (a thread has one write in flight at a time).
        EXPECT_GE(seq, known[thread]) << "thread " << thread;
        EXPECT_LE(seq, known[thread] + 1) << "thread " << thread;
        known[thread] = seq;
        round_last[thread] = seq;
      } else {
        ASSERT_EQ(kind, "ack") << output;
        EXPECT_EQ(seq, round_last.contains(thread) ? round_last[thread] + 1 : 1) << "thread " << thread;
        round_last[thread] = seq;
        acked[thread] = std::max(acked[thread], seq);
        known[thread] = std::max(known[thread], seq);
        ++acks;
      }
    }
  }
};

// Reads the fieldwork after the last kill (its own read-only connection) and checks it against what the
// children acknowledged.
void check_database(const std::string& db, const ledger& seen) {
  store::open_options options;
  options.path = db;
  auto raw = store::open_read_connection(options);
  if (raw->kind() == store::sql::dialect::sqlite) {
    // The file itself (a PostgreSQL server was never killed: its files are not what this test tests).
    EXPECT_EQ(raw->execAndGet("PRAGMA integrity_check").getString(), "ok");
    store::sql::statement fk(*raw, "PRAGMA foreign_key_check");
    EXPECT_FALSE(fk.executeStep()) << "a row points at nothing";
  }

  store::sql::statement interviews(*raw, "SELECT id FROM interviews ORDER BY id");
  std::vector<std::int64_t> ids;
  while (interviews.executeStep()) ids.push_back(interviews.getColumn(0).getInt64());
  ASSERT_EQ(ids.size(), std::size_t{threads});

  for (int t = 0; t < threads; ++t) {
    store::sql::statement answers(*raw, "SELECT seq, value FROM answers WHERE interview_id = ? ORDER BY seq");
    answers.bind(1, ids[static_cast<std::size_t>(t)]);
    std::int64_t n = 0;
    while (answers.executeStep()) {
      ++n;
      ASSERT_EQ(answers.getColumn(0).getInt64(), n) << "thread " << t << ": a gap in the sequence (or a seq twice)";
      ASSERT_EQ(answers.getColumn(1).getString(), crash_payload(t, n)) << "thread " << t << " seq " << n;
    }
    auto acked = seen.acked.contains(t) ? seen.acked.at(t) : 0;
    EXPECT_GE(n, acked) << "thread " << t << ": an acknowledged answer is missing";
    // At most the one write in flight at the last kill past the last one known stored: an answer
    // nobody was told about beyond that would be a write stored twice or out of nowhere.
    auto known = seen.known.contains(t) ? seen.known.at(t) : 0;
    EXPECT_LE(n, known + 1) << "thread " << t << ": more answers stored than were ever written";
    // Whole jobs only: the counter and the audit rows written with each answer agree with the answers.
    store::sql::statement counter(*raw, "SELECT completes FROM quota_cells WHERE quota = 'crash' AND cell_values = ?");
    counter.bind(1, std::to_string(t));
    ASSERT_TRUE(counter.executeStep());
    EXPECT_EQ(counter.getColumn(0).getInt64(), n) << "thread " << t << ": the counter of a half-stored job";
    store::sql::statement audit(*raw, "SELECT count(*) FROM audit_log WHERE action = 'crash' AND details LIKE ?");
    audit.bind(1, std::to_string(t) + ":%");
    ASSERT_TRUE(audit.executeStep());
    EXPECT_EQ(audit.getColumn(0).getInt64(), n) << "thread " << t << ": the audit rows of a half-stored job";
  }
}

class StoreCrash : public backend_test {};

TEST_P(StoreCrash, AcknowledgedWritesSurviveSigkill) {
  auto seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  core::splitmix64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  ledger seen;
  int killed_writing = 0;
  for (int round = 0; round < rounds; ++round) {
    auto c = spawn_writer(db());
    std::string output;
    auto now = [] { return std::chrono::steady_clock::now(); };
    if (rng.chance_permille(150)) {
      // Early: while the child is still opening, migrating or setting up the file.
      read_until(c.out, output, now() + std::chrono::milliseconds(rng.below(15)));
    } else {
      // Mid-stream: a random moment after the writers started (the wait for "ready" is generous because
      // a loaded machine may take long to start a process; it is not what is tested).
      read_until(c.out, output, now() + std::chrono::seconds(30), "ready\n");
      read_until(c.out, output, now() + std::chrono::milliseconds(rng.below(200)));
      ++killed_writing;
    }
    kill(c.pid, SIGKILL);
    read_until(c.out, output, std::chrono::steady_clock::time_point::max());
    close(c.out);
    int status = 0;
    waitpid(c.pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "round " << round << ": the writer stopped on its own (status " << status << "): " << output;
    seen.take(output);
  }
  EXPECT_GT(seen.acks, killed_writing) << "the writers hardly wrote anything";
  check_database(db(), seen);
  std::cout << "[ crash    ] " << rounds << " kills, " << seen.acks << " acknowledged writes checked\n";
}

CATI_ON_BOTH_BACKENDS(StoreCrash);

}  // namespace
}  // namespace cati::test
