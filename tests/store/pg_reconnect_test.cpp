// The writer through a lost PostgreSQL connection (issue 16: a primary failover): the batch in flight is
// not acknowledged until it is stored; when the connection broke before COMMIT reached the server the
// batch runs again on a new connection, when only COMMIT's result was lost the batch's commit token shows
// it was stored and it is acknowledged without running again; either way each job's rows are there once.
// A connection that cannot be reopened within the bound fails the batch. The faults are injected by a
// decorator around a real pg_connection (the test cluster, CATI_TEST_PG): it breaks once, at COMMIT.
// And the store as cati-server has it (writer, readers, the ownership's lock session) after the server
// ended every one of its sessions (pg_terminate_backend, SQLSTATE 57P01, as in a failover): it goes on
// with new ones, under the same epoch.
// (The same over a real primary killed with SIGKILL and its replica promoted: tests/integration's
// Failover.TheServerGoesOn...)

#include <atomic>
#include <future>
#include <thread>

#include "store/audit_repo.hpp"
#include "store/connection.hpp"
#include "store/fieldwork_store.hpp"
#include "store/ownership.hpp"
#include "store/migrations.hpp"
#include "store/sql/pg_connection.hpp"
#include "store/writer.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

enum class fault { none, before_commit, after_commit };

// A real connection that, armed, breaks at the next COMMIT: before sending it (the transaction never
// commits) or after it committed (its result lost). Broken, every call throws a connection_lost error, as
// libpq's would once the server is gone.
class breaking_connection final : public store::sql::connection {
 public:
  breaking_connection(std::unique_ptr<store::sql::connection> real, std::shared_ptr<std::atomic<fault>> armed)
      : real_(std::move(real)), armed_(std::move(armed)) {}

  store::sql::dialect kind() const override { return real_->kind(); }
  void exec(std::string_view sql) override {
    check();
    if (sql == "COMMIT") return commit_or_break([&] { real_->exec(sql); });
    real_->exec(sql);
  }
  bool in_transaction() override { return !broken_ && real_->in_transaction(); }
  bool lost() override { return broken_; }
  void begin_write() override {
    check();
    real_->begin_write();
  }
  void begin_read() override {
    check();
    real_->begin_read();
  }
  void rollback_quietly() noexcept override {
    if (!broken_) real_->rollback_quietly();
  }
  std::unique_ptr<store::sql::statement_impl> prepare(std::string_view sql, bool reused) override {
    check();
    return std::make_unique<statement>(*this, real_->prepare(sql, reused), sql == "COMMIT");
  }

 private:
  class statement final : public store::sql::statement_impl {
   public:
    statement(breaking_connection& c, std::unique_ptr<store::sql::statement_impl> real, bool commit)
        : c_(c), real_(std::move(real)), commit_(commit) {}
    void bind_null(int i) override { real_->bind_null(i); }
    void bind_int64(int i, std::int64_t v) override { real_->bind_int64(i, v); }
    void bind_double(int i, double v) override { real_->bind_double(i, v); }
    void bind_text(int i, std::string_view v) override { real_->bind_text(i, v); }
    void bind_blob(int i, const void* d, std::size_t n) override { real_->bind_blob(i, d, n); }
    bool step() override {
      c_.check();
      return real_->step();
    }
    int exec() override {
      c_.check();
      if (!commit_) return real_->exec();
      int changed = 0;
      c_.commit_or_break([&] { changed = real_->exec(); });
      return changed;
    }
    void reset() override { real_->reset(); }
    void clear_bindings() override { real_->clear_bindings(); }
    int column_count() override { return real_->column_count(); }
    bool is_null(int c) override { return real_->is_null(c); }
    std::int64_t get_int64(int c) override { return real_->get_int64(c); }
    double get_double(int c) override { return real_->get_double(c); }
    std::string get_text(int c) override { return real_->get_text(c); }
    std::string get_blob(int c) override { return real_->get_blob(c); }

   private:
    breaking_connection& c_;
    std::unique_ptr<store::sql::statement_impl> real_;
    bool commit_;
  };

  void check() const {
    if (broken_) throw store::sql::error("PostgreSQL: server closed the connection unexpectedly", 0, "", false, true);
  }
  template <class F>
  void commit_or_break(F commit) {
    const auto f = armed_->exchange(fault::none);
    if (f == fault::after_commit) commit();
    if (f == fault::none) return commit();
    broken_ = true;
    real_.reset();  // the session ends: an uncommitted transaction is rolled back by the server
    check();
  }

  std::unique_ptr<store::sql::connection> real_;
  std::shared_ptr<std::atomic<fault>> armed_;
  bool broken_ = false;
};

class WriterReconnect : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    options_ = options_for(db());
    auto first = store::open_write_connection(options_);
    store::migrate(*first, "the test database");
    store::writer_hooks hooks;
    hooks.reopen = [this]() -> std::unique_ptr<store::sql::connection> {
      ++reopened_;
      if (unreachable_) throw store::sql::error("cannot connect to PostgreSQL: no primary", 0, "", false, true);
      return std::make_unique<breaking_connection>(store::open_write_connection(options_), armed_);
    };
    hooks.reconnect = {std::chrono::milliseconds(600), std::chrono::milliseconds(50), std::chrono::milliseconds(100)};
    hooks.on_reconnect = [this](const std::string& line) { said_.push_back(line); };
    writer_ = std::make_unique<store::writer>(std::make_unique<breaking_connection>(std::move(first), armed_), 64,
                                              std::move(hooks));
  }
  void TearDown() override { writer_.reset(); }

  // The job: one audit row with `mark`, and how many times the job ran.
  std::future<store::row_id> write(const std::string& mark) {
    return writer_->submit([mark, this](store::sql::connection& d) {
      ++runs_;
      return store::append_audit(d, {fieldwork_time(), std::nullopt, "mark", mark});
    });
  }
  std::int64_t rows_with(const std::string& mark) {
    auto reader = store::open_read_connection(options_);
    store::sql::statement q(*reader, "SELECT COUNT(*) FROM audit_log WHERE details = ?");
    q.bind(1, mark);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

  store::open_options options_;
  std::shared_ptr<std::atomic<fault>> armed_ = std::make_shared<std::atomic<fault>>(fault::none);
  std::atomic<int> reopened_{0}, runs_{0};
  std::atomic<bool> unreachable_{false};
  std::vector<std::string> said_;  // the writer thread's; read after its futures are ready
  std::unique_ptr<store::writer> writer_;
};

TEST_P(WriterReconnect, ABatchCutOffBeforeItsCommitRunsAgainOnANewConnectionAndIsStoredOnce) {
  write("before").get();
  armed_->store(fault::before_commit);
  EXPECT_NO_THROW(write("cut").get());
  EXPECT_EQ(rows_with("cut"), 1);
  EXPECT_EQ(runs_.load(), 3) << "the job ran again after the lost connection";
  EXPECT_EQ(reopened_.load(), 1);
  EXPECT_EQ(writer_->stats().reconnects, 1u);
  EXPECT_EQ(writer_->stats().failed_jobs, 0u);
  write("after").get();
  EXPECT_EQ(rows_with("after"), 1);
  ASSERT_FALSE(said_.empty());
  EXPECT_NE(said_.front().find("is held, not acknowledged"), std::string::npos) << said_.front();
}

TEST_P(WriterReconnect, ACommitWhoseResultWasLostIsFoundStoredByItsTokenAndNotRunAgain) {
  write("before").get();
  armed_->store(fault::after_commit);
  EXPECT_NO_THROW(write("committed").get());
  EXPECT_EQ(rows_with("committed"), 1) << "stored once: not run again on the new connection";
  EXPECT_EQ(runs_.load(), 2);
  EXPECT_EQ(reopened_.load(), 1);
  EXPECT_EQ(writer_->stats().failed_jobs, 0u);
  write("after").get();
  EXPECT_EQ(rows_with("after"), 1);
}

TEST_P(WriterReconnect, NoPrimaryWithinTheBoundFailsTheBatchAndAcknowledgesNothing) {
  unreachable_ = true;
  armed_->store(fault::before_commit);
  EXPECT_THROW(write("never").get(), store::store_error);
  EXPECT_EQ(rows_with("never"), 0);
  EXPECT_GE(reopened_.load(), 2) << "retried until the bound";
  EXPECT_EQ(writer_->stats().failed_jobs, 1u);
}


class StoreReconnect : public backend_test {};

TEST_P(StoreReconnect, EverySessionEndedByTheServerIsReplacedAndTheOwnershipKeepsItsEpoch) {
  // The store's sessions carry a name of their own, so that only they are ended (other tests share the cluster).
  const std::string name = "cati_reconnect_" + std::to_string(::getpid());
  const std::string url = db() + "&application_name=" + name;
  std::atomic<bool> lost{false};
  store::store_ownership::options o;
  o.file.path = url;
  o.heartbeat = std::chrono::milliseconds(100);
  o.on_lost = [&](const auto&) { lost = true; };
  auto owner = store::make_ownership(o);
  const auto claimed = owner->claim({"test-host", 1, "ws://127.0.0.1:1"});
  ASSERT_TRUE(claimed);
  auto options = options_for(url);
  options.write_guard = owner->write_guard();
  store::fieldwork_store fw(options);
  const auto mark = [&](const std::string& m) {
    return fw.submit([m](store::sql::connection& d) { return store::append_audit(d, {fieldwork_time(), std::nullopt, "mark", m}); });
  };
  const auto marks = [&] {
    return fw.read([](store::sql::connection& d) { return d.execAndGet("SELECT COUNT(*) FROM audit_log").getInt64(); });
  };
  mark("before").get();
  ASSERT_EQ(marks(), 1);

  store::sql::pg_connection admin(std::getenv("CATI_TEST_PG"), false);
  const auto ended = admin.execAndGet("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = '" + name + "'").getInt64();
  EXPECT_GE(ended, 4) << "the writer, two readers and the lock session";

  EXPECT_NO_THROW(mark("after").get());
  EXPECT_EQ(marks(), 2);
  EXPECT_GE(fw.write_stats().reconnects, 1u);
  // The heartbeat (every 100 ms) takes the lock again on a new session: then another claimant is refused,
  // and the epoch is the same.
  const auto relocked = [&] {
    return admin.execAndGet("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                            "WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle' "
                            "AND a.application_name = '" + name + "'").getInt64() > 0;
  };
  bool locked = false;
  for (int i = 0; i < 100 && !(locked = relocked()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(locked) << "the ownership's lock was not taken again";
  auto other_options = o;
  other_options.on_lost = nullptr;
  EXPECT_FALSE(store::make_ownership(other_options)->claim({"other", 2, "ws://127.0.0.1:2"}));
  EXPECT_FALSE(lost.load());
  const auto now = owner->current();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->epoch, claimed->epoch);
}

}  // namespace
// PostgreSQL only: SQLite's connection is the process's own file, never lost without the process.
INSTANTIATE_TEST_SUITE_P(Backends, WriterReconnect, testing::Values(backend::postgresql), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, StoreReconnect, testing::Values(backend::postgresql), backend_name);
}  // namespace cati::test
