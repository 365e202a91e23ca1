#include "store/pg_ownership.hpp"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {
namespace {

using std::chrono::milliseconds;

std::optional<core::ownership_record> stored_record(const std::string& url) {
  try {
    sql::pg_connection db(url, true);
    return read_ownership(db);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<core::ownership_refused> pg_live_holder(const std::string& url) {
  try {
    sql::pg_connection db(url, true);
    // A shared lock conflicts only with a holder's exclusive one, and is dropped at once.
    if (db.execAndGet(std::string("SELECT pg_try_advisory_lock_shared(") + sql::ownership_lock_key + ")").getInt() != 0) {
      db.exec(std::string("SELECT pg_advisory_unlock_shared(") + sql::ownership_lock_key + ")");
      return std::nullopt;
    }
    return core::ownership_refused{read_ownership(db)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

pg_ownership::pg_ownership(options o) : store_ownership(std::move(o)) {
  session_ = std::make_unique<sql::pg_connection>(options_.file.path.native(), false);
}

pg_ownership::~pg_ownership() {
  stop_heartbeat();
  session_.reset();  // ends the session: the lock goes with it
}

bool pg_ownership::try_lock() {
  if (locked_) return true;
  std::lock_guard lock(session_mutex_);
  if (!session_) return false;  // broken: reopened by the caller's loop first
  if (session_->execAndGet(std::string("SELECT pg_try_advisory_lock(") + sql::ownership_lock_key + ")").getInt() == 0)
    return false;
  locked_ = true;
  return true;
}

void pg_ownership::say(const std::string& what) const {
  if (options_.file.on_reconnect) options_.file.on_reconnect(what);
}

void pg_ownership::session_broke(const std::string& why) {
  session_.reset();  // with it the lock, if this process held it
  locked_ = false;
  say("the ownership's lock session was lost (" + why + "): reconnecting");
}

bool pg_ownership::reopen_session() {
  try {
    session_ = std::make_unique<sql::pg_connection>(options_.file.path.native(), false);
    return true;
  } catch (const std::exception&) {
    return false;  // no read-write primary yet: the caller tries again later
  }
}

core::result<core::ownership_record, core::ownership_refused> pg_ownership::claim(const core::owner_identity& me) {
  if (!try_lock()) return core::ownership_refused{stored_record(options_.file.path.native())};
  start_heartbeat();  // from now: a long migration must not look like a hung holder
  return write_claim(me);
}

core::ownership_record pg_ownership::take_over(const core::owner_identity& me, std::chrono::milliseconds silent_for,
                                               const std::function<void(const core::ownership_refused&)>& waiting) {
  bool told = false;
  const auto url = options_.file.path.native();
  // After the database failed over, the holder gets this long to take its lock again on the new primary
  // before a standby tries (the holder's session was lost like this one's; it reconnects at its next beat).
  const auto holder_grace = 3 * options_.heartbeat;
  auto not_before = std::chrono::steady_clock::now();
  while (true) {
    try {
      {
        std::lock_guard lock(session_mutex_);
        if (!session_) {
          if (!reopen_session()) {
            std::this_thread::sleep_for(milliseconds(200));
            continue;
          }
          say("the standby's lock session reconnected; the holder gets " +
              std::to_string(holder_grace.count()) + " ms to take its lock again");
          not_before = std::chrono::steady_clock::now() + holder_grace;
        }
      }
      if (std::chrono::steady_clock::now() >= not_before && try_lock()) break;
      look_for_a_silent_holder(silent_for);
    } catch (const sql::error& e) {
      if (!e.connection_lost()) throw;
      std::lock_guard lock(session_mutex_);
      session_broke(e.what());
      continue;
    }
    if (!told && waiting) waiting(core::ownership_refused{stored_record(url)});
    told = true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  end_a_paused_writer(silent_for);
  start_heartbeat();
  return write_claim(me);
}

namespace {

// The sessions holding the advisory lock `key` (an SQL expression) granted, in one of `states`, silent
// for more than `silent_ms`: their pids.
std::vector<std::int64_t> silent_holders(sql::connection& db, const char* key, const char* states,
                                         std::int64_t silent_ms) {
  sql::statement st(db,
                    "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock'"
                    "   AND l.classid::bigint = ((" + std::string(key) + ") >> 32) & 4294967295"
                    "   AND l.objid::bigint = (" + key + ") & 4294967295"
                    "   AND a.state IN (" + states + ")"
                    "   AND (extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::bigint > ?");
  st.bind(1, silent_ms);
  std::vector<std::int64_t> pids;
  while (st.executeStep()) pids.push_back(st.getColumn(0).getInt64());
  return pids;
}

void terminate(sql::connection& db, std::int64_t pid) {
  sql::statement kill(db, "SELECT pg_terminate_backend(CAST(? AS integer))");
  kill.bind(1, pid);
  kill.executeStep();
}

}  // namespace

void pg_ownership::look_for_a_silent_holder(std::chrono::milliseconds silent_for) {
  // The holder's lock session, if it has been silent for longer than silent_for (paused or hung): end
  // it, which frees the lock; the epoch shuts the old holder out of the fieldwork.
  std::lock_guard lock(session_mutex_);
  if (!session_) return;
  for (const auto pid : silent_holders(*session_, sql::ownership_lock_key, "'idle'", silent_for.count()))
    terminate(*session_, pid);
}

void pg_ownership::end_a_paused_writer(std::chrono::milliseconds silent_for) {
  // A holder paused in the middle of a write transaction keeps the writers' lock on its writer session,
  // idle in its transaction and never to commit: the claim this standby is about to write would wait for
  // it for ever. Its writer fell silent up to a beat after its lock session did, so it is waited for here,
  // once the fieldwork's lock is this standby's: a session idle inside a write transaction is ended once
  // it has been silent for silent_for (no live writer sits idle in its transaction that long), one that
  // goes on (a live `cati` command's) is left to finish.
  static constexpr const char* idle_in_transaction = "'idle in transaction', 'idle in transaction (aborted)'";
  std::lock_guard lock(session_mutex_);
  while (session_ && !silent_holders(*session_, sql::writer_lock_key, idle_in_transaction, 0).empty()) {
    for (const auto pid : silent_holders(*session_, sql::writer_lock_key, idle_in_transaction, silent_for.count()))
      terminate(*session_, pid);
    std::this_thread::sleep_for(milliseconds(100));
  }
}

core::ownership_record pg_ownership::write_claim(const core::owner_identity& me) {
  return write_record(me, "the database");
}

std::optional<core::ownership_record> pg_ownership::current() { return stored_record(options_.file.path.native()); }

// On the lock session: its activity is the beat a standby watches. A session lost with the database's
// primary (a failover) is opened again, one attempt a beat, through the same multi-host URL, and the lock
// taken again: if another server holds it by then, or the stored epoch is not this one's any more, this
// server has lost the fieldwork (on_lost: it stops, fenced). Meanwhile the writer's epoch check keeps it
// from writing over a new holder. Any other failure of the session counts as lost, as before.
void pg_ownership::beat() {
  if (lost_ || epoch_.load() == 0) return;
  std::optional<core::ownership_record> now;
  try {
    std::lock_guard lock(session_mutex_);
    if (!session_) {
      if (!reopen_session()) return;  // no primary yet: next beat
      if (session_->execAndGet(std::string("SELECT pg_try_advisory_lock(") + sql::ownership_lock_key + ")").getInt() == 0) {
        now = read_ownership(*session_);
        say("the fieldwork's lock is held by another server now");
        lost(now);
        return;
      }
      locked_ = true;
      now = read_ownership(*session_);
      if (now && now->epoch == epoch_.load())
        say("took the fieldwork's lock again on a new session (epoch " + std::to_string(epoch_.load()) + ")");
    } else {
      now = read_ownership(*session_);
    }
  } catch (const sql::error& e) {
    if (e.connection_lost()) {
      std::lock_guard lock(session_mutex_);
      session_broke(e.what());
      return;
    }
    lost(stored_record(options_.file.path.native()));
    return;
  } catch (const std::exception&) {
    lost(stored_record(options_.file.path.native()));  // the session, and with it the lock, is gone
    return;
  }
  if (!now || now->epoch != epoch_.load()) lost(now);
}

}  // namespace cati::store
