#include "store/writer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include "store/error.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {
namespace {

// SQLITE_BUSY: another connection (another process) holds the lock past the busy timeout.
bool is_busy(const SQLite::Exception& e) { return (e.getErrorCode() & 0xff) == SQLITE_BUSY; }

bool in_transaction(SQLite::Database& db) { return sqlite3_get_autocommit(db.getHandle()) == 0; }

// After a failure that already doomed the transaction; a second failure here changes nothing.
void rollback_quietly(SQLite::Database& db) noexcept {
  if (in_transaction(db)) sqlite3_exec(db.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

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

// The connection commits without syncing: the syncer does it (see writer.hpp). In WAL mode NORMAL keeps
// the file consistent (SQLite still syncs the WAL before each checkpoint and the WAL header when it
// restarts the log); only durability waits for the syncer.
std::unique_ptr<SQLite::Database> commit_without_sync(std::unique_ptr<SQLite::Database> db, bool yes) {
  if (yes) db->exec("PRAGMA synchronous = NORMAL");
  return db;
}

}  // namespace

writer::writer(std::unique_ptr<SQLite::Database> db, std::size_t max_batch, writer_hooks hooks, bool sync_commits)
    : db_(commit_without_sync(std::move(db), sync_commits)), max_batch_(max_batch == 0 ? 1 : max_batch),
      sync_commits_(sync_commits), hooks_(std::move(hooks)),
      syncer_(sync_commits ? std::thread([this] { sync_loop(); }) : std::thread()), thread_([this] { loop(); }) {}

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
          largest_batch_.load(), busy_waits_.load(), static_cast<double>(busy_micros_.load()) / 1e6};
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
  detail::statement_cache cache(*db_);  // gone before the connection closes: stop() joins this thread
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
    int rc = SQLITE_OK;
    if (any_committed) {
      // The WAL's file object as SQLite opened it (through the connection's VFS). Every batch taken was
      // committed, its frames written, before this sync starts: the sync covers them all.
      sqlite3_file* wal = nullptr;
      rc = sqlite3_file_control(db_->getHandle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
      if (rc == SQLITE_OK && (wal == nullptr || wal->pMethods == nullptr)) rc = SQLITE_IOERR_FSYNC;
      if (rc == SQLITE_OK) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    }
    for (auto& b : taken) {
      if (b.committed && rc != SQLITE_OK) {
        auto why = std::make_exception_ptr(store_error(
            store_errc::sqlite, std::string("the commit could not be synced to disk: ") + sqlite3_errstr(rc)));
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

// BEGIN IMMEDIATE, for as long as another process holds the write lock: a lock held for a while is a
// colleague's import or an open shell, not a broken disk, and the jobs are better late than failed.
// Throws what is not SQLITE_BUSY.
void writer::begin_waiting_for_others() {
  auto& db = *db_;
  const auto started = std::chrono::steady_clock::now();
  bool waited = false;
  while (true) {
    try {
      detail::statement(db, "BEGIN IMMEDIATE")->exec();
      break;
    } catch (const SQLite::Exception& e) {
      if (!is_busy(e)) throw;
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

writer::settled_batch writer::run_batch(std::deque<std::unique_ptr<request>>& batch) {
  auto& db = *db_;
  settled_batch out;
  out.started = std::chrono::steady_clock::now();
  auto& errors = out.errors;
  errors.resize(batch.size());
  auto fail_the_rest = [&](std::exception_ptr why) {
    for (auto& e : errors)
      if (!e) e = why;
  };
  bool open = false;
  try {
    begin_waiting_for_others();
    open = true;
    if (hooks_.guard) hooks_.guard(db);  // a refused batch stores nothing
  } catch (...) {
    fail_the_rest(current_store_error());
    if (open) rollback_quietly(db);
    open = false;
  }
  for (std::size_t i = 0; open && i < batch.size(); ++i) {
    if (!run_job(*batch[i], errors[i])) {
      fail_the_rest(std::make_exception_ptr(
          store_error(store_errc::sqlite, "the batch was rolled back: " + message_of(errors[i]))));
      open = false;
    }
  }
  if (open) {
    try {
      detail::statement(db, "COMMIT")->exec();
      commits_.fetch_add(1);
      out.committed = true;
    } catch (...) {
      auto why = current_store_error();
      rollback_quietly(db);
      fail_the_rest(why);
    }
  }
  out.jobs = std::move(batch);
  return out;
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
