// The single writer: one thread owns the fieldwork's only write connection. Jobs queue up; the thread
// takes every queued job (up to a batch limit), runs them in one transaction, commits, and only then
// tells each job's caller (group commit: one fsync for the whole batch). So a caller that was told
// "done" knows its change is on disk.
//
// Each job runs inside its own SAVEPOINT: a job that throws has only its own changes rolled back and its
// caller gets the exception; the other jobs of the batch still commit. If SQLite itself abandons the
// transaction (an I/O error, a full disk), every job of the batch fails with that error and nothing of
// the batch is stored.
//
// Pipelining (PostgreSQL; sql.hpp): each batch is first tried with its transaction pipelined. Its
// statements go to the server without waiting for their results, except where a job reads a result (a
// SELECT, a changed-row count it branches on), and COMMIT is followed by one sync and one wait that
// checks every result not read yet. The pipeline starts before BEGIN, so the transaction's start, the
// writers' lock and the guard's epoch check go with the jobs: a batch whose jobs read nothing waits
// once, at its COMMIT, instead of once per statement. Such an
// attempt runs without the jobs' savepoints, and any failure in it (a job's own exception, a statement's
// error surfacing at a later job or at COMMIT, the epoch check refusing) rolls it back whole, tells
// nobody anything, and runs the batch again without pipelining: there each statement fails where it
// runs and each job's savepoint decides, exactly as on a backend that does not pipeline (SQLite). The
// jobs run again on the state before the batch, as after a lost connection (below), so the second
// attempt's outcome is the one the batch would have had alone; a lost connection in a pipelined attempt
// takes the reconnecting path below like any other. Acknowledged still means committed: nobody is told
// before the COMMIT's own result (read after every result before it) came back OK.
//
// A job is a callable `R(sql::connection&)` run on the writer thread. It must not begin, commit or roll
// back transactions itself (nested SAVEPOINTs are fine) and must not wait for other writer jobs.
//
// Synced commits (sync_commits, what fieldwork_store asks for with synchronous=FULL): the connection is
// switched to synchronous=NORMAL, so that COMMIT writes the WAL frames without waiting for the disk, and a
// second thread, the syncer, syncs the WAL (sql::connection::sync_commits: SQLite's own file object, so
// through the file's VFS)
// and only then tells the batch's callers. While it waits for the disk the writer thread already runs
// the next batch: the commit's fsync, the long part, overlaps the next batch's work instead of following
// it. One sync covers every batch committed before it started, so batches that pile up behind a slow
// disk share it. The writer runs at most one batch ahead of the syncer (it waits for the syncer to take
// the last one before it takes new jobs): jobs queue meanwhile and the next batch is larger. Acknowledged
// still means on disk: no caller is told before the sync that covers its commit has returned. A failed
// sync fails every job of the batches it covered (their frames may reach the file later: like a commit
// whose sync failed, they were not acknowledged).
//
// A lost connection (PostgreSQL: its primary died, was shut down or is no longer read-write; issue 16) is
// not a failure either when the owner gave `writer_hooks::reopen`. Nobody of the batch in flight is told
// anything yet; the writer opens a new connection through the same (multi-host) connection string, which
// finds the promoted replica, retrying up to reconnect_policy::give_up_after (store/reconnect.hpp), and
// runs the batch again from its start. Each batch writes a token of its own into this writer's row of
// writer_commit in its transaction: when the connection broke after COMMIT was sent (its result lost), the
// token read on the new connection says whether that COMMIT took effect (then the batch is acknowledged
// as it is) or not (then it runs again). With synchronous_commit=on and a synchronous replica, a COMMIT
// that returned is on the replica, so nothing acknowledged is lost by the failover; and nothing is
// written twice, since a batch runs again only when its token proves it did not commit. (Should the
// writer give up instead, its callers get the error and cati-server stops; the terminals resend what was
// not acknowledged to the next server, which recognises what was stored after all by the request ids and
// answer sequence numbers it keeps in the same transactions: core/fieldwork/fieldwork.hpp.) The epoch
// check (`guard`) runs in every attempt: a server that another one took over from meanwhile writes
// nothing.
//
// Another process holding the file's write lock (an open `sqlite3` shell, a large `cati sample import`)
// is not a failure: BEGIN IMMEDIATE waits the connection's busy timeout, and the writer retries for as
// long as it takes, telling `on_busy` each time. Only a real error (I/O, a full disk) fails a batch.
//
// Thread-safety: submit() and post() may be called from any thread. Completions run on the writer
// thread (on the syncer thread with sync_commits), in commit order: keep them short, and never wait there
// for another write (that would deadlock).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/util/result.hpp"
#include "store/reconnect.hpp"

namespace cati::store::detail {
class statement_cache;
}

namespace cati::store {

// What a job's completion gets: its value (core::ok_t for a job returning void) or its exception.
template <class R>
using job_result = core::result<std::conditional_t<std::is_void_v<R>, core::ok_t, R>, std::exception_ptr>;

struct writer_stats {
  std::uint64_t jobs = 0;         // finished, committed or failed
  std::uint64_t failed_jobs = 0;
  std::uint64_t commits = 0;      // transactions committed
  std::uint64_t largest_batch = 0;
  std::uint64_t busy_waits = 0;   // transactions that had to wait for another process's write lock
  double busy_wait_seconds = 0;   // the time those waits took, in all
  std::uint64_t reconnects = 0;   // new connections after a lost one (reopen)
  std::uint64_t unpipelined = 0;  // pipelined attempts that failed, their batch run again without pipelining
};

// What the writer tells its owner, and the check it runs in every transaction. All run on the writer
// thread (on_batch on the syncer thread with sync_commits); all may be empty.
struct writer_hooks {
  // After each transaction (committed or not): its number of jobs and how long it took from BEGIN to
  // the end of COMMIT (with sync_commits: to the end of the sync that made it durable). Must be quick and
  // must not call into the store.
  std::function<void(std::size_t jobs, std::chrono::duration<double> took)> on_batch;
  // Another process holds the write lock: called after each attempt that found it held (`over` false,
  // the time waited so far), then once when the lock was got (`over` true, the whole wait).
  std::function<void(std::chrono::duration<double> waited, bool over)> on_busy;
  // Run first in every write transaction, before any job: throws (a store_error) to refuse the whole
  // batch. The ownership's epoch check (store/ownership.hpp).
  std::function<void(sql::connection&)> guard;
  // A new write connection like the first (not migrated again): set, a lost connection is replaced and the
  // batch in flight run again (see above); empty (SQLite), a lost connection fails the batch.
  std::function<std::unique_ptr<sql::connection>()> reopen;
  reconnect_policy reconnect{};
  // What the reconnection is doing, for the log (store/reconnect.hpp). May be empty.
  std::function<void(const std::string&)> on_reconnect;
};

class writer {
 public:
  // Takes ownership of the write connection (opened and migrated) and starts the thread. With
  // sync_commits, commits are synced by the syncer thread (see above) when the connection can defer its
  // syncs (sql::connection::defer_commit_sync: SQLite in WAL mode); otherwise each COMMIT syncs itself.
  writer(std::unique_ptr<sql::connection> db, std::size_t max_batch, writer_hooks hooks = {},
         bool sync_commits = false);
  // Stops: runs and commits every job queued so far, then joins the thread.
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  // Queues `work`; the future is ready after the commit, or holds the job's exception (store_error
  // shut_down if the writer had stopped).
  template <class F>
  auto submit(F work) -> std::future<std::invoke_result_t<F&, sql::connection&>>;

  // Queues `work`; `done(job_result<R>)` runs on the writer thread after the commit, or after the job
  // failed. If the writer had stopped, `done` runs at once on the calling thread with shut_down.
  template <class F, class Done>
  void post(F work, Done done);

  // Refuses new jobs from now on, finishes the queued ones and joins. Idempotent.
  void stop();

  writer_stats stats() const;

 private:
  // A queued job, type-erased.
  class request {
   public:
    virtual ~request() = default;
    virtual void run(sql::connection& db) = 0;  // inside the job's savepoint; throws on failure
    virtual void committed() noexcept = 0;
    virtual void failed(std::exception_ptr error) noexcept = 0;
  };

  template <class F, class Done>
  class request_of;

  // A transaction the writer thread is done with: its jobs, each one's error (null: committed), and
  // whether COMMIT succeeded (then, with sync_commits, it waits for the syncer's sync).
  struct settled_batch {
    std::deque<std::unique_ptr<request>> jobs;
    std::vector<std::exception_ptr> errors;
    bool committed = false;
    std::chrono::steady_clock::time_point started;
  };

  void enqueue(std::unique_ptr<request> r);
  void loop();
  void sync_loop();
  // How one attempt at a batch ended: settled (committed, or failed for its own reasons), or with the
  // connection lost before COMMIT was sent (nothing stored) or at COMMIT (stored or not: the token says).
  // Or, pipelined, failed for a reason of its own: rolled back, to run again without pipelining.
  enum class attempt_end { settled, lost_before_commit, lost_at_commit, unpipelined };
  settled_batch run_batch(std::deque<std::unique_ptr<request>>& batch);
  attempt_end attempt(std::deque<std::unique_ptr<request>>& batch, settled_batch& out, std::int64_t token,
                      bool pipelined);
  void write_token(sql::connection& db, std::int64_t token);
  bool replace_connection(settled_batch& out, const std::exception_ptr& why, const reconnect_policy& policy);
  void finish(settled_batch& b);
  bool run_job(request& job, std::exception_ptr& error);
  bool run_pipelined_job(request& job, std::exception_ptr& error);
  void begin_waiting_for_others();

  std::unique_ptr<sql::connection> db_;
  std::unique_ptr<detail::statement_cache> cache_;  // db_'s, on the writer thread
  std::string writer_id_;                           // this writer's row of writer_commit: random
  std::int64_t tokens_ = 0;                         // the last batch's token (a count), writer thread
  const std::size_t max_batch_;
  const bool sync_commits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<request>> queue_;
  bool stopping_ = false;
  // The syncer's queue (sync_commits): batches committed, not yet taken by the syncer.
  std::mutex sync_mutex_;
  std::condition_variable sync_wake_;  // the syncer: a batch came or the writer ended
  std::condition_variable sync_took_;  // the writer: the syncer took what was waiting
  std::deque<settled_batch> settled_;
  bool sync_stopping_ = false;
  std::atomic<std::uint64_t> jobs_{0}, failed_{0}, commits_{0}, largest_batch_{0}, busy_waits_{0}, busy_micros_{0},
      reconnects_{0}, unpipelined_{0};
  writer_hooks hooks_;
  std::thread syncer_;  // with sync_commits; ends when the writer thread has ended (stop() joins both)
  std::thread thread_;  // last: starts after everything it uses is built
};

// ---- implementation of the templates ----

template <class F, class Done>
class writer::request_of final : public writer::request {
  using raw = std::invoke_result_t<F&, sql::connection&>;
  using value = std::conditional_t<std::is_void_v<raw>, core::ok_t, raw>;

 public:
  request_of(F work, Done done) : work_(std::move(work)), done_(std::move(done)) {}

  void run(sql::connection& db) override {
    if constexpr (std::is_void_v<raw>) {
      work_(db);
      value_.emplace(core::ok);
    } else {
      value_.emplace(work_(db));
    }
  }
  void committed() noexcept override { done_(job_result<raw>(std::move(*value_))); }
  void failed(std::exception_ptr error) noexcept override { done_(job_result<raw>(std::move(error))); }

 private:
  F work_;
  Done done_;
  std::optional<value> value_;
};

template <class F, class Done>
void writer::post(F work, Done done) {
  enqueue(std::make_unique<request_of<F, Done>>(std::move(work), std::move(done)));
}

template <class F>
auto writer::submit(F work) -> std::future<std::invoke_result_t<F&, sql::connection&>> {
  using raw = std::invoke_result_t<F&, sql::connection&>;
  auto promise = std::make_shared<std::promise<raw>>();
  auto future = promise->get_future();
  post(std::move(work), [promise](job_result<raw> r) {
    if (!r) {
      promise->set_exception(r.err());
    } else if constexpr (std::is_void_v<raw>) {
      promise->set_value();
    } else {
      promise->set_value(std::move(r).value());
    }
  });
  return future;
}

}  // namespace cati::store
