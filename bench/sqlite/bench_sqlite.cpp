// bench-sqlite: the storage's ceiling. The rows cati-server writes for one answer (a row in `answers`,
// the interview's snapshot replaced) in a loop, on a fieldwork file opened by the store's own write
// connection (so the same PRAGMAs: WAL, synchronous as configured, FULL by default) and committed in
// batches of --batch answers (the server's group commit puts whatever is queued in one transaction: under
// a closed loop of N terminals that is up to N answers). What the server adds (its checks, the engine,
// the network) is left out, and the statements stay prepared: an upper bound, not a model.
// Needs a prepared file (cati sample import + one user): tools/bench makes a copy for it.
// Prints one JSON object on stdout; exit 1 on an error, saying which.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <vector>

#include "store/connection.hpp"
#include "store/interview_repo.hpp"
#include "store/migrations.hpp"
#include "store/user_repo.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string db;
  std::string user = "bench0";
  int interviews = 16;
  int batch = 16;
  double duration = 5;
  std::size_t snapshot_bytes = 300;
  std::string synchronous = "full";
};

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"bench-sqlite: write answer rows as cati-server does, as fast as SQLite allows"};
  app.add_option("--db", o.db, "a prepared fieldwork file (it is written to)")->required();
  app.add_option("--user", o.user, "the interviewer the rows are written as");
  app.add_option("--interviews", o.interviews, "interviews written round robin")->check(CLI::Range(1, 100000));
  app.add_option("--batch", o.batch, "answers per transaction")->check(CLI::Range(1, 100000));
  app.add_option("--duration", o.duration, "seconds")->check(CLI::PositiveNumber);
  app.add_option("--snapshot-bytes", o.snapshot_bytes, "size of the interview snapshot written with each answer");
  app.add_option("--synchronous", o.synchronous, "off, normal, full or extra");
  CLI11_PARSE(app, argc, argv);

  namespace store = cati::store;
  try {
    store::open_options open;
    open.path = o.db;
    open.create = false;
    auto mode = store::synchronous_from_string(o.synchronous);
    if (!mode) throw std::runtime_error("--synchronous: " + o.synchronous + " is not off, normal, full or extra");
    open.synchronous = *mode;
    auto db = store::open_write_connection(open);
    store::migrate(*db, o.db);
    auto user = store::find_user(*db, o.user);
    if (!user) throw std::runtime_error(o.db + ": no user " + o.user + " (tools/bench adds bench0..)");

    // The interviews, on the first cases of the frame.
    std::vector<store::row_id> interviews;
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    {
      store::sql::statement cases(*db, "SELECT id FROM cases ORDER BY id LIMIT ?");
      cases.bind(1, o.interviews);
      db->begin_write();
      while (cases.executeStep())
        interviews.push_back(store::create_interview(*db, {cases.getColumn(0).getInt64(), user->id, "bench", "nl", now}).id);
      db->commit();
    }
    if (static_cast<int>(interviews.size()) < o.interviews)
      throw std::runtime_error(o.db + ": only " + std::to_string(interviews.size()) + " cases for " +
                               std::to_string(o.interviews) + " interviews");

    store::sql::statement insert(*db,
                             "INSERT INTO answers (interview_id, seq, question, kind, value, at, answered_by)"
                             " VALUES (?, ?, 's2_fte', 'set', '1', ?, ?)");
    store::sql::statement snapshot(*db, "UPDATE interviews SET snapshot = ? WHERE id = ?");
    const std::string snapshot_text(o.snapshot_bytes, 'x');
    std::vector<std::int64_t> seq(interviews.size(), 0);
    std::uint64_t rows = 0, commits = 0;
    std::size_t next = 0;
    const auto start = clock_type::now();
    const auto end = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration));
    auto finished = start;
    while ((finished = clock_type::now()) < end) {
      db->exec("BEGIN IMMEDIATE");
      for (int i = 0; i < o.batch; ++i, next = (next + 1) % interviews.size()) {
        insert.bind(1, interviews[next]);
        insert.bind(2, ++seq[next]);
        insert.bind(3, static_cast<std::int64_t>(now.time_since_epoch().count()));
        insert.bind(4, user->id);
        insert.exec();
        insert.reset();
        snapshot.bind(1, snapshot_text);
        snapshot.bind(2, interviews[next]);
        snapshot.exec();
        snapshot.reset();
      }
      db->exec("COMMIT");
      rows += static_cast<std::uint64_t>(o.batch);
      ++commits;
    }
    const double seconds = std::chrono::duration<double>(finished - start).count();
    std::printf("{\"batch\": %d, \"interviews\": %d, \"synchronous\": \"%s\", \"snapshot_bytes\": %zu, "
                "\"duration_s\": %.2f, \"rows\": %llu, \"commits\": %llu, \"rows_per_s\": %.1f}\n",
                o.batch, o.interviews, o.synchronous.c_str(), o.snapshot_bytes, seconds,
                static_cast<unsigned long long>(rows), static_cast<unsigned long long>(commits),
                static_cast<double>(rows) / seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-sqlite: %s\n", e.what());  // store errors name the file already
    return 1;
  }
  return 0;
}
