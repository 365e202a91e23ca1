#include "store/writer.hpp"

#include "store/sql/sql.hpp"

#include <algorithm>
#include <iostream>
#include <random>
#include <vector>

#include "store/error.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {
namespace {

bool in_transaction(sql::connection& db) { return db.in_transaction(); }

// After a failure that already doomed the transaction; a second failure here changes nothing.
void rollback_quietly(sql::connection& db) noexcept { db.rollback_quietly(); }

// The exception in flight, SQLite's as a store_error.
std::exception_ptr current_store_error() {
  try {
    rethrow_as_store_error();
  } catch (...) {
    return std::current_exception();
  }
}

std::string message_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

writer::writer(std::unique_ptr<sql::connection> db, std::size_t max_batch, writer_hooks hooks, bool sync_commits)
    : db_(std::move(db)),
      writer_id_(std::to_string(std::random_device{}()) + "-" + std::to_string(std::random_device{}()) + "-" +
                 std::to_string(std::random_device{}())),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      sync_commits_(sync_commits && db_->defer_commit_sync()), hooks_(std::move(hooks)),
      syncer_(sync_commits_ ? std::thread([this] { sync_loop(); }) : std::thread()), thread_([this] { loop(); }) {}

writer::~writer() { stop(); }

void writer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  const auto self = std::this_thread::get_id();
  // (From a completion on the syncer thread: the threads end by themselves; the destructor joins them.)
  if (self == thread_.get_id() || self == syncer_.get_id()) return;
  if (thread_.joinable()) thread_.join();
  if (syncer_.joinable()) syncer_.join();
}

writer_stats writer::stats() const {
  return {jobs_.load(),       failed_.load(),     commits_.load(),
          largest_batch_.load(), busy_waits_.load(), static_cast<double>(busy_micros_.load()) / 1e6,
          reconnects_.load(), unpipelined_.load()};
}

void writer::enqueue(std::unique_ptr<request> r) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(r));
      // Only the thread waits on this; notifying inside the lock costs nothing here.
      wake_.notify_one();
      return;
    }
  }
  r->failed(std::make_exception_ptr(store_error(store_errc::shut_down, "the store is shut down")));
}

void writer::loop() {
  cache_ = std::make_unique<detail::statement_cache>(*db_);  // gone before the connection closes (below)
  std::deque<std::unique_ptr<request>> batch;
  while (true) {
    if (sync_commits_) {
      // At most one batch ahead of the disk: while the syncer syncs the last one, jobs queue for the next.
      std::unique_lock lock(sync_mutex_);
      sync_took_.wait(lock, [&] { return settled_.empty(); });
    }
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything queued before is done
      // Whatever queued up while the last batch was being written goes into this one: under load the
      // batches grow and the fsyncs per job fall, which is the point of group commit.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto settled = run_batch(batch);
    batch.clear();
    if (!sync_commits_) {
      finish(settled);
      continue;
    }
    {
      std::lock_guard lock(sync_mutex_);
      settled_.push_back(std::move(settled));
    }
    sync_wake_.notify_one();
  }
  cache_.reset();
  if (sync_commits_) {
    {
      std::lock_guard lock(sync_mutex_);
      sync_stopping_ = true;
    }
    sync_wake_.notify_one();
  }
}

// The syncer thread: syncs the WAL once for every batch committed so far, then tells their callers.
void writer::sync_loop() {
  std::deque<settled_batch> taken;
  while (true) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_wake_.wait(lock, [&] { return sync_stopping_ || !settled_.empty(); });
      if (settled_.empty()) return;  // the writer has ended and everything it committed is told
      taken.swap(settled_);
    }
    sync_took_.notify_one();
    const bool any_committed =
        std::any_of(taken.begin(), taken.end(), [](const settled_batch& b) { return b.committed; });
    std::exception_ptr sync_failed;
    if (any_committed) {
      // Every batch taken was committed, its frames written, before this sync starts: it covers them all.
      try {
        db_->sync_commits();
      } catch (...) {
        sync_failed = current_store_error();
      }
    }
    for (auto& b : taken) {
      if (b.committed && sync_failed) {
        auto why = std::make_exception_ptr(
            store_error(store_errc::sqlite, "the commit could not be synced to disk: " + message_of(sync_failed)));
        for (auto& e : b.errors)
          if (!e) e = why;
      }
      finish(b);
    }
    taken.clear();
  }
}

// One job inside its own savepoint. Returns false when SQLite abandoned the whole transaction (after an
// I/O error or a full disk): then nothing of the batch is stored.
bool writer::run_job(request& job, std::exception_ptr& error) {
  auto& db = *db_;
  try {
    detail::statement(db, "SAVEPOINT job")->exec();
    job.run(db);
    detail::statement(db, "RELEASE job")->exec();
    return true;
  } catch (...) {
    error = current_store_error();
  }
  try {
    if (!in_transaction(db)) return false;
    db.exec("ROLLBACK TO job");  // this job's changes only
    db.exec("RELEASE job");
    return true;
  } catch (...) {
    rollback_quietly(db);  // a transaction we cannot roll back to a savepoint cannot be trusted either
    return false;
  }
}

// One job of a pipelined attempt: no savepoint (two statements a job saved), since any failure ends the
// attempt (the batch then runs again without pipelining: attempt()). False when the job failed; the
// transaction is rolled back then.
bool writer::run_pipelined_job(request& job, std::exception_ptr& error) {
  try {
    job.run(*db_);
    return true;
  } catch (...) {
    error = current_store_error();
  }
  rollback_quietly(*db_);
  return false;
}

// BEGIN IMMEDIATE, for as long as another process holds the write lock: a lock held for a while is a
// colleague's import or an open shell, not a broken disk, and the jobs are better late than failed.
// Throws what is not retryable (SQLite busy).
void writer::begin_waiting_for_others() {
  auto& db = *db_;
  const auto started = std::chrono::steady_clock::now();
  bool waited = false;
  while (true) {
    try {
      db.begin_write();
      break;
    } catch (const sql::error& e) {
      if (!e.retryable()) throw;
      waited = true;
      if (hooks_.on_busy) hooks_.on_busy(std::chrono::steady_clock::now() - started, false);
    }
  }
  if (!waited) return;
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  busy_waits_.fetch_add(1);
  busy_micros_.fetch_add(static_cast<std::uint64_t>(took.count() * 1e6));
  if (hooks_.on_busy) hooks_.on_busy(took, true);
}

// The batch, run again on a new connection for as long as the connection is lost under it (writer.hpp).
writer::settled_batch writer::run_batch(std::deque<std::unique_ptr<request>>& batch) {
  settled_batch out;
  out.started = std::chrono::steady_clock::now();
  std::int64_t unresolved = 0;  // the token of an attempt whose COMMIT's result was lost; 0: none
  // The bound covers the whole batch, not each reconnection: a server that takes connections and loses
  // them again (or refuses every write) must not keep the batch forever.
  std::optional<std::chrono::steady_clock::time_point> lost_since;
  bool pipelined = true;  // until an attempt fails for a reason of its own (attempt())
  const auto replace = [&](const std::exception_ptr& why) {
    const auto now = std::chrono::steady_clock::now();
    if (!lost_since) lost_since = now;
    auto policy = hooks_.reconnect;
    const auto left = policy.give_up_after - std::chrono::duration_cast<std::chrono::milliseconds>(now - *lost_since);
    if (left.count() < 0) {
      out.errors.assign(out.errors.size(), std::make_exception_ptr(store_error(
          store_errc::sqlite, "the database kept losing the connection for " +
                                  std::to_string(hooks_.reconnect.give_up_after.count() / 1000) +
                                  " s: " + (why ? message_of(why) : std::string("the connection broke")))));
      out.committed = false;
      return false;
    }
    policy.give_up_after = left;
    return replace_connection(out, why, policy);
  };
  while (true) {
    if (unresolved != 0) {
      // Whether that COMMIT took effect before the primary went: its token is stored, or it is not.
      try {
        detail::statement st(*db_, "SELECT token FROM writer_commit WHERE writer = ?");
        st->bind(1, writer_id_);
        const bool stored = st->executeStep() && st->getColumn(0).getInt64() == unresolved;
        if (stored) {
          out.errors.assign(batch.size(), nullptr);
          out.committed = true;
          commits_.fetch_add(1);
          break;
        }
        unresolved = 0;
      } catch (...) {
        auto why = current_store_error();
        if (!is_connection_lost(why) && !db_->lost()) {
          // Unknown, and no way to know: not acknowledged (the terminals resend; writer.hpp).
          out.errors.assign(batch.size(), why);
          break;
        }
        if (!replace(why)) break;
        continue;
      }
    }
    const std::int64_t token = hooks_.reopen ? ++tokens_ : 0;
    const auto end = attempt(batch, out, token, pipelined);
    if (end == attempt_end::settled) break;
    if (end == attempt_end::unpipelined) {
      unpipelined_.fetch_add(1);
      pipelined = false;
      continue;
    }
    if (end == attempt_end::lost_at_commit) unresolved = token;
    // Nobody of the batch has been told anything: whatever the errors say, they are the connection's.
    std::exception_ptr why;
    for (const auto& e : out.errors)
      if (e && (!why || is_connection_lost(e))) why = e;
    if (!replace(why)) break;
  }
  out.jobs = std::move(batch);
  return out;
}

void writer::write_token(sql::connection& db, std::int64_t token) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  if (token == 1) {  // once a writer: the rows of writers gone (or quiet) for a day
    detail::statement old(db, "DELETE FROM writer_commit WHERE at < ?");
    old->bind(1, static_cast<std::int64_t>(now - 24LL * 3600 * 1000));
    old->exec();
  }
  detail::statement st(db, "INSERT INTO writer_commit (writer, token, at) VALUES (?, ?, ?) "
                           "ON CONFLICT (writer) DO UPDATE SET token = excluded.token, at = excluded.at");
  st->bind(1, writer_id_);
  st->bind(2, token);
  st->bind(3, static_cast<std::int64_t>(now));
  st->exec();
}

// A new connection in place of the lost one (the cache moves with it); false when none could be opened
// within `policy`'s bound (what is left of the batch's): then every job of `out` fails with the reason.
bool writer::replace_connection(settled_batch& out, const std::exception_ptr& why, const reconnect_policy& policy) {
  const std::string reason = why ? message_of(why) : std::string("the connection broke");
  if (hooks_.on_reconnect)
    hooks_.on_reconnect("the database connection was lost (" + reason + "): the batch in flight (" +
                        std::to_string(out.errors.size()) + " requests) is held, not acknowledged, while reconnecting");
  cache_.reset();
  rollback_quietly(*db_);
  try {
    auto fresh = reconnect(hooks_.reopen, policy, hooks_.on_reconnect);
    db_ = std::move(fresh);
  } catch (...) {
    cache_ = std::make_unique<detail::statement_cache>(*db_);
    auto failed = std::make_exception_ptr(store_error(
        store_errc::sqlite, "the database connection was lost (" + reason + ") and no read-write database was reached in " +
                                std::to_string(hooks_.reconnect.give_up_after.count() / 1000) + " s: " + message_of(current_store_error())));
    out.errors.assign(out.errors.size(), failed);
    out.committed = false;
    return false;
  }
  cache_ = std::make_unique<detail::statement_cache>(*db_);
  reconnects_.fetch_add(1);
  return true;
}

// One attempt at the batch in one transaction. `token` (when reconnecting is possible, else 0) goes into
// this writer's row of writer_commit with the batch, so that a COMMIT whose result is lost can be resolved
// afterwards. `pipelined`: the connection pipelines the transaction if it can (writer.hpp).
writer::attempt_end writer::attempt(std::deque<std::unique_ptr<request>>& batch, settled_batch& out,
                                    std::int64_t token, bool pipelined) {
  auto& db = *db_;
  auto& errors = out.errors;
  errors.assign(batch.size(), nullptr);
  out.committed = false;
  auto fail_the_rest = [&](std::exception_ptr why) {
    for (auto& e : errors)
      if (!e) e = why;
  };
  bool open = false, commit_sent = false, piped = false;
  try {
    // The pipeline first: then the transaction's start and the writers' lock, the guard's check and the
    // token are sent with the jobs, and a good batch waits once, at its COMMIT (PostgreSQL).
    piped = pipelined && db.start_pipeline();
    begin_waiting_for_others();
    open = true;
    if (hooks_.guard) hooks_.guard(db);  // a refused batch stores nothing
    if (token != 0) write_token(db, token);
  } catch (...) {
    fail_the_rest(current_store_error());
    if (open || piped) rollback_quietly(db);
    open = false;
  }
  for (std::size_t i = 0; open && i < batch.size(); ++i) {
    if (!(piped ? run_pipelined_job(*batch[i], errors[i]) : run_job(*batch[i], errors[i]))) {
      fail_the_rest(std::make_exception_ptr(
          store_error(store_errc::sqlite, "the batch was rolled back: " + message_of(errors[i]))));
      open = false;
    }
  }
  if (open) {
    try {
      commit_sent = true;
      detail::statement(db, "COMMIT")->exec();
      db.finish_pipeline();  // pipelined, COMMIT was only sent: its result, and every one not read yet
      commits_.fetch_add(1);
      out.committed = true;
    } catch (...) {
      auto why = current_store_error();
      rollback_quietly(db);
      fail_the_rest(why);
    }
  }
  if (out.committed) return attempt_end::settled;
  const bool lost = db.lost() || std::any_of(errors.begin(), errors.end(), [](const auto& e) { return is_connection_lost(e); });
  // A pipelined attempt that failed otherwise is rolled back whole and told nothing: the batch runs again
  // without pipelining, where each statement fails where it runs and each job's savepoint decides.
  if (piped && !lost) return attempt_end::unpipelined;
  if (!hooks_.reopen || !lost) return attempt_end::settled;
  return commit_sent ? attempt_end::lost_at_commit : attempt_end::lost_before_commit;
}

// Tells a settled batch's callers: only now, with the batch durable (or known lost).
void writer::finish(settled_batch& b) {
  if (hooks_.on_batch) hooks_.on_batch(b.jobs.size(), std::chrono::steady_clock::now() - b.started);
  std::uint64_t size = b.jobs.size();
  for (auto seen = largest_batch_.load(); size > seen && !largest_batch_.compare_exchange_weak(seen, size);) {
  }
  for (std::size_t i = 0; i < b.jobs.size(); ++i) {
    jobs_.fetch_add(1);
    if (b.errors[i]) {
      failed_.fetch_add(1);
      b.jobs[i]->failed(b.errors[i]);
    } else {
      b.jobs[i]->committed();
    }
  }
}

}  // namespace cati::store
