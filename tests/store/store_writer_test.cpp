// The single writer: group commit, each caller told only after its commit, a failing job rolling back
// only itself, an orderly stop.

#include <algorithm>
#include <latch>
#include <mutex>
#include <thread>

#include "store/sql/sql.hpp"
#include "store/audit_repo.hpp"
#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/writer.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"
#include "writer_hold.hpp"

namespace cati::test {
namespace {

// A row in the audit log, the simplest thing to write.
store::row_id write_mark(store::sql::connection& db, const std::string& mark) {
  return store::append_audit(db, {fieldwork_time(), std::nullopt, "mark", mark});
}

bool committed(store::sql::connection& reader, const std::string& mark) {
  store::sql::statement q(reader, "SELECT 1 FROM audit_log WHERE details = ?");
  q.bind(1, mark);
  return q.executeStep();
}

struct job_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A writer over a migrated database, for tests that hold the writer thread.
struct writer_fixture {
  store::open_options options;
  std::unique_ptr<store::writer> writer;
  explicit writer_fixture(const std::string& database) : options(options_for(database)) {
    auto db = store::open_write_connection(options);
    store::migrate(*db, "fieldwork.db");
    writer = std::make_unique<store::writer>(std::move(db), 512);
  }
  void hold(std::latch& go) { hold_writer(*writer, go); }
  // A connection of its own: it sees only what is committed.
  std::unique_ptr<store::sql::connection> reader() const { return store::open_read_connection(options); }
};

class StoreWriter : public backend_test {};

TEST_P(StoreWriter, ManyThreadsAreEachToldOnlyAfterTheirCommit) {
  store::fieldwork_store fw(options_for(db()));
  constexpr int threads = 16, per_thread = 60;
  std::atomic<int> not_visible{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      // Each client checks on a connection of its own: only committed rows are visible there.
      auto reader = store::open_read_connection(fw.options());
      for (int i = 0; i < per_thread; ++i) {
        std::string mark = std::to_string(t) + "/" + std::to_string(i);
        fw.submit([mark](store::sql::connection& db) { return write_mark(db, mark); }).get();
        if (!committed(*reader, mark)) ++not_visible;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(not_visible.load(), 0);
  auto stats = fw.write_stats();
  EXPECT_EQ(stats.jobs, std::uint64_t{threads * per_thread});
  EXPECT_EQ(stats.failed_jobs, 0u);
  // Group commit: with 16 clients waiting at once, batches form and there are fewer commits than jobs.
  EXPECT_LT(stats.commits, stats.jobs);
  EXPECT_GT(stats.largest_batch, 1u);
  EXPECT_EQ(fw.audit_log().size(), std::size_t{threads * per_thread});
}

TEST_P(StoreWriter, CompletionRunsAfterTheCommit) {
  writer_fixture f(db());
  auto reader = f.reader();
  std::promise<bool> seen;
  f.writer->post([](store::sql::connection& db) { return write_mark(db, "posted"); },
                 [&](store::job_result<store::row_id> r) { seen.set_value(r.has_value() && committed(*reader, "posted")); });
  EXPECT_TRUE(seen.get_future().get());
}

TEST_P(StoreWriter, FailingJobRollsBackOnlyItselfAndTheRestOfItsBatchCommits) {
  writer_fixture f(db());
  std::latch go(1);
  f.hold(go);
  auto a = f.writer->submit([](store::sql::connection& db) { return write_mark(db, "a"); });
  auto b = f.writer->submit([](store::sql::connection& db) -> store::row_id {
    write_mark(db, "b");
    throw job_failed("b failed after writing");
  });
  auto c = f.writer->submit([](store::sql::connection& db) {
    write_mark(db, "c");
    db.exec("INSERT INTO users (name, role, password_hash, created_at) VALUES ('x', 'pilot', 'h', 0)");
  });
  auto d = f.writer->submit([](store::sql::connection& db) { return write_mark(db, "d"); });
  go.count_down();

  EXPECT_GT(a.get(), 0);
  EXPECT_THROW(b.get(), job_failed);  // the job's own exception reaches its caller
  try {
    c.get();
    ADD_FAILURE() << "c committed";
  } catch (const store::store_error& e) {  // SQLite's exceptions arrive as store_error
    EXPECT_EQ(e.code(), store::store_errc::sqlite);
  }
  EXPECT_GT(d.get(), 0);

  auto reader = f.reader();
  EXPECT_TRUE(committed(*reader, "a"));
  EXPECT_FALSE(committed(*reader, "b"));
  EXPECT_FALSE(committed(*reader, "c"));
  EXPECT_TRUE(committed(*reader, "d"));
  auto stats = f.writer->stats();
  EXPECT_GE(stats.largest_batch, 4u);  // a-d were one batch
  EXPECT_EQ(stats.failed_jobs, 2u);
}

TEST_P(StoreWriter, LostTransactionFailsTheWholeBatchAndTheWriterGoesOn) {
  writer_fixture f(db());
  std::latch go(1);
  f.hold(go);
  auto a = f.writer->submit([](store::sql::connection& db) { return write_mark(db, "a"); });
  // Stands for SQLite giving up the transaction (an I/O error, a full disk): the whole batch is gone.
  auto b = f.writer->submit([](store::sql::connection& db) {
    write_mark(db, "b");
    db.exec("ROLLBACK");
    throw job_failed("disk full");
  });
  auto c = f.writer->submit([](store::sql::connection& db) { return write_mark(db, "c"); });
  go.count_down();
  EXPECT_THROW(a.get(), store::store_error);  // it had run, but its commit never happened
  EXPECT_THROW(b.get(), job_failed);
  EXPECT_THROW(c.get(), store::store_error);
  EXPECT_GT(f.writer->submit([](store::sql::connection& db) { return write_mark(db, "d"); }).get(), 0);

  auto reader = f.reader();
  for (const char* mark : {"a", "b", "c"}) EXPECT_FALSE(committed(*reader, mark)) << mark;
  EXPECT_TRUE(committed(*reader, "d"));
}

TEST_P(StoreWriter, StopFinishesQueuedJobsThenRefusesNewOnes) {
  writer_fixture f(db());
  std::latch go(1);
  f.hold(go);
  std::vector<std::future<store::row_id>> queued;
  for (int i = 0; i < 50; ++i)
    queued.push_back(f.writer->submit([i](store::sql::connection& db) { return write_mark(db, std::to_string(i)); }));
  std::thread stopper([&] { f.writer->stop(); });
  go.count_down();
  stopper.join();
  for (auto& q : queued) EXPECT_GT(q.get(), 0);

  auto late = f.writer->submit([](store::sql::connection& db) { return write_mark(db, "late"); });
  try {
    late.get();
    ADD_FAILURE() << "a job ran after stop";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::shut_down);
  }
}

// On SQLite the commits are synced by the writer's second thread (sql::connection::defer_commit_sync); on
// PostgreSQL each COMMIT is durable by itself. Either way a caller hears of its job only once it is stored.
TEST_P(StoreWriter, SyncedCommitsTellTheirCallersInCommitOrderEachAfterItsRowIsVisible) {
  auto options = options_for(db());
  auto conn = store::open_write_connection(options);
  store::migrate(*conn, "fieldwork.db");
  store::writer w(std::move(conn), 8, {}, /*sync_commits=*/true);
  auto reader = store::open_read_connection(options);
  std::mutex m;
  std::vector<int> told;
  int not_visible = 0;
  constexpr int jobs = 200;
  std::latch all(jobs);
  for (int i = 0; i < jobs; ++i)
    w.post([i](store::sql::connection& d) { return write_mark(d, "synced " + std::to_string(i)); },
           [&, i](store::job_result<store::row_id> r) {
             std::lock_guard lock(m);
             if (!r || !committed(*reader, "synced " + std::to_string(i))) ++not_visible;
             told.push_back(i);
             all.count_down();
           });
  all.wait();
  w.stop();
  EXPECT_EQ(not_visible, 0);
  ASSERT_EQ(told.size(), std::size_t{jobs});
  EXPECT_TRUE(std::is_sorted(told.begin(), told.end())) << "completions out of commit order";
  EXPECT_GE(w.stats().commits, std::uint64_t{jobs / 8});
  EXPECT_EQ(w.stats().failed_jobs, 0u);
}

TEST_P(StoreWriter, BatchesAreCappedAtMaxBatch) {
  auto options = options_for(db());
  auto conn = store::open_write_connection(options);
  store::migrate(*conn, "fieldwork.db");
  store::writer w(std::move(conn), 8);
  std::latch go(1);
  hold_writer(w, go);
  std::vector<std::future<store::row_id>> queued;
  for (int i = 0; i < 40; ++i)
    queued.push_back(w.submit([i](store::sql::connection& d) { return write_mark(d, std::to_string(i)); }));
  go.count_down();
  for (auto& q : queued) q.get();
  EXPECT_EQ(w.stats().largest_batch, 8u);
  EXPECT_GE(w.stats().commits, 5u);
}

}  // namespace
CATI_ON_BOTH_BACKENDS(StoreWriter);
}  // namespace cati::test
