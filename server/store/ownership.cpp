#include "store/ownership.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/pg_ownership.hpp"
#include "store/sql/sql.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

core::time_point now_ms() { return std::chrono::floor<milliseconds>(system_clock::now()); }

std::string errno_text() { return std::strerror(errno); }

// A write transaction, however long another process holds the write lock (see writer.cpp for why), or
// however often PostgreSQL finds the advisory lock contended.
void begin_write_waiting(sql::connection& db) {
  while (true) {
    try {
      db.begin_write();
      return;
    } catch (const sql::error& e) {
      if (!e.retryable()) throw;
      db.rollback_quietly();
    }
  }
}

// When the lock file was last touched by its holder's heartbeat; nullopt when it cannot be read.
std::optional<system_clock::time_point> last_beat(const std::filesystem::path& lock) {
  struct stat st {};
  if (::stat(lock.c_str(), &st) != 0) return std::nullopt;
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

bool process_alive(std::int64_t pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// The record of the file at `options.path`, read on a connection of its own; nullopt when there is no
// file, no record, or it cannot be read (the caller is only naming a holder).
std::optional<core::ownership_record> stored_record(const open_options& options) {
  if (!std::filesystem::exists(options.path)) return std::nullopt;
  try {
    auto db = open_read_connection(options);
    return read_ownership(*db);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::filesystem::path owner_lock_path(const std::filesystem::path& db) {
  auto p = db;
  p += ".owner";
  return p;
}

std::optional<core::ownership_record> read_ownership(sql::connection& db) {
  try {
    const char* has_table = db.kind() == sql::dialect::postgresql
                                ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                                  "AND table_name = 'ownership'"
                                : "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'ownership'";
    if (db.execAndGet(has_table).getInt() == 0) return std::nullopt;
    sql::statement st(db, "SELECT host, pid, address, since, epoch FROM ownership WHERE id = 1");
    if (!st.executeStep()) return std::nullopt;
    core::ownership_record r;
    r.holder.host = st.getColumn(0).getString();
    r.holder.pid = st.getColumn(1).getInt64();
    r.holder.address = st.getColumn(2).getString();
    r.since = core::time_point(milliseconds(st.getColumn(3).getInt64()));
    r.epoch = static_cast<std::uint64_t>(st.getColumn(4).getInt64());
    return r;
  } catch (...) {
    rethrow_as_store_error();
  }
}

std::unique_ptr<store_ownership> make_ownership(store_ownership::options o) {
  if (is_postgresql(o.file)) return std::make_unique<pg_ownership>(std::move(o));
  return std::make_unique<sqlite_ownership>(std::move(o));
}

std::optional<core::ownership_refused> live_holder(const std::filesystem::path& db) {
  if (is_postgresql(db.native())) return pg_live_holder(db.native());
  const auto lock = owner_lock_path(db);
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // never served
  // A shared lock conflicts only with a holder's exclusive one, and is dropped at once.
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  if (!held) return std::nullopt;
  open_options options;
  options.path = db;
  return core::ownership_refused{stored_record(options)};
}

sqlite_ownership::sqlite_ownership(options o) : store_ownership(std::move(o)) {
  const auto lock = owner_lock_path(options_.file.path);
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw store_error(store_errc::sqlite, lock.string() + ": cannot open the ownership lock: " + errno_text());
}

sqlite_ownership::~sqlite_ownership() {
  stop_heartbeat();
  ::close(fd_);  // releases the flock
}

bool sqlite_ownership::try_lock() {
  if (locked_) return true;
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) return false;
  locked_ = true;
  return true;
}

core::result<core::ownership_record, core::ownership_refused> sqlite_ownership::claim(const core::owner_identity& me) {
  if (!try_lock()) return core::ownership_refused{stored_record(options_.file)};
  // Free lock, but a holder that took over from a hung process may not have got the lock yet: it is
  // alive (on this host) and beating.
  if (auto holder = stored_record(options_.file);
      holder && holder->holder.host == me.host && holder->holder.pid != me.pid && process_alive(holder->holder.pid)) {
    auto beat = last_beat(owner_lock_path(options_.file.path));
    if (beat && system_clock::now() - *beat < 3 * options_.heartbeat) {
      ::flock(fd_, LOCK_UN);
      locked_ = false;
      return core::ownership_refused{holder};
    }
  }
  ::futimens(fd_, nullptr);
  start_heartbeat();  // from now: a long migration must not look like a hung holder
  return write_claim(me);
}

core::ownership_record sqlite_ownership::take_over(const core::owner_identity& me, std::chrono::milliseconds silent_for,
                                                   const std::function<void(const core::ownership_refused&)>& waiting) {
  const auto lock = owner_lock_path(options_.file.path);
  bool told = false;
  while (true) {
    if (try_lock()) {
      // The holder ended. (One that took over without the lock and still beats keeps it: see claim().)
      auto holder = stored_record(options_.file);
      auto beat = last_beat(lock);
      bool other_alive = holder && holder->holder.host == me.host && holder->holder.pid != me.pid &&
                         process_alive(holder->holder.pid) && beat &&
                         system_clock::now() - *beat < 3 * options_.heartbeat;
      if (!other_alive) break;
      ::flock(fd_, LOCK_UN);
      locked_ = false;
    } else if (auto beat = last_beat(lock); beat && system_clock::now() - *beat > silent_for) {
      break;  // alive but silent: paused or hung. The epoch shuts it out; its lock comes when it ends.
    }
    if (!told && waiting) waiting(core::ownership_refused{stored_record(options_.file)});
    told = true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ::futimens(fd_, nullptr);
  start_heartbeat();
  return write_claim(me);
}

core::ownership_record sqlite_ownership::write_claim(const core::owner_identity& me) {
  auto record = write_record(me, options_.file.path.filename().string());
  ::futimens(fd_, nullptr);
  return record;
}

std::optional<core::ownership_record> sqlite_ownership::current() { return stored_record(options_.file); }

core::ownership_record store_ownership::write_record(const core::owner_identity& me, const std::string& label) {
  auto db = open_write_connection(options_.file);
  migrate(*db, label);
  core::ownership_record record{me, now_ms(), 0};
  try {
    begin_write_waiting(*db);
    auto previous = read_ownership(*db);
    record.epoch = (previous ? previous->epoch : 0) + 1;
    sql::statement st(*db,
                      "INSERT INTO ownership (id, epoch, host, pid, address, since) VALUES (1, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, host = excluded.host, "
                      "pid = excluded.pid, address = excluded.address, since = excluded.since");
    st.bind(1, static_cast<std::int64_t>(record.epoch));
    st.bind(2, me.host);
    st.bind(3, me.pid);
    st.bind(4, me.address);
    st.bind(5, static_cast<std::int64_t>(record.since.time_since_epoch().count()));
    st.exec();
    db->commit();
  } catch (...) {
    db->rollback_quietly();
    rethrow_as_store_error();
  }
  epoch_ = record.epoch;
  return record;
}

void store_ownership::announce(const std::string& address) {
  auto db = open_write_connection(options_.file);
  try {
    begin_write_waiting(*db);
    check_epoch(*db);
    sql::statement st(*db, "UPDATE ownership SET address = ? WHERE id = 1");
    st.bind(1, address);
    st.exec();
    db->commit();
  } catch (...) {
    db->rollback_quietly();
    rethrow_as_store_error();
  }
}

std::function<void(sql::connection&)> store_ownership::write_guard() {
  return [this](sql::connection& db) { check_epoch(db); };
}

void store_ownership::check_epoch(sql::connection& db) {
  if (db.pipelining() && !lost_) {
    // Pipelined (PostgreSQL): sent, not waited for. When the stored epoch is not this server's the
    // statement fails by itself (1 / 0 rows), which dooms the transaction: nothing sent with it commits.
    // The writer then runs the batch again unpipelined, where the read below says who took over.
    detail::statement st(db, "SELECT 1 / count(*) FROM ownership WHERE id = 1 AND epoch = ?");
    st->bind(1, static_cast<std::int64_t>(epoch_.load()));
    st->exec();  // not read
    return;
  }
  std::optional<std::uint64_t> stored;
  {
    detail::statement st(db, "SELECT epoch FROM ownership WHERE id = 1");
    if (st->executeStep()) stored = static_cast<std::uint64_t>(st->getColumn(0).getInt64());
  }
  if (stored == epoch_.load() && !lost_) return;
  auto now = read_ownership(db);
  lost(now);
  throw store_error(store_errc::ownership_lost,
                    "another server took this fieldwork over" + (now ? ": " + core::describe(*now) : std::string()) +
                        "; this one (epoch " + std::to_string(epoch_.load()) + ") must not write any more");
}

void store_ownership::lost(const std::optional<core::ownership_record>& now) {
  lost_ = true;
  std::call_once(lost_once_, [&] {
    if (options_.on_lost) options_.on_lost(now);
  });
}

void store_ownership::start_heartbeat() {
  if (heartbeat_.joinable()) return;
  heartbeat_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_.wait_for(lock, options_.heartbeat, [&] { return stopping_; })) {
      lock.unlock();
      beat();
      lock.lock();
    }
  });
}

void store_ownership::stop_heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

// Once claimed: whether the stored epoch is still this holder's (calls lost() when not). A file that
// cannot be read just now counts as ours: the writer's own errors tell what is wrong with it.
bool sqlite_ownership::still_ours() {
  try {
    if (!beat_db_) beat_db_ = open_read_connection(options_.file);
    auto now = read_ownership(*beat_db_);
    if (now && now->epoch == epoch_.load()) return true;
    lost(now);
    return false;
  } catch (const std::exception&) {
    beat_db_.reset();
    return true;
  }
}

void sqlite_ownership::beat() {
  if (lost_) return;
  if (epoch_.load() != 0 && !still_ours()) return;
  ::futimens(fd_, nullptr);
  if (!locked_) try_lock();  // took over from a paused process: its lock comes when it ends
}

}  // namespace cati::store
