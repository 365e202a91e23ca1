#include "store/copy.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "core/ports/ownership.hpp"
#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/ownership.hpp"
#include "store/sql/pg_connection.hpp"
#include "store/sql/sql.hpp"

namespace cati::store {
namespace {

using sql::dialect;

// How a column's values are read, written and rendered: by its declared type, the same on both
// backends (SQLite's INTEGER is PostgreSQL's BIGINT, and so on).
enum class value_class { integer, real, text, blob };

struct column_shape {
  std::string name;
  value_class kind = value_class::text;
};

struct table_shape {
  std::string name;
  std::vector<column_shape> columns;   // by name
  std::vector<std::string> key;        // the primary key's columns, in key order
  std::set<std::string> parents;       // tables its foreign keys refer to (itself left out)
};

// Tables a copy leaves out: the live holder's record, and PostgreSQL's stand-in for SQLite's header.
bool copied(const std::string& table) { return table != "ownership" && table != "cati_schema"; }

std::string ident(const std::string& name) { return "\"" + name + "\""; }

bool is_pg(sql::connection& db) { return db.kind() == dialect::postgresql; }

// SQLite's own affinity rules (a declared type containing INT is an integer, ...), which also read
// PostgreSQL's type names (bigint, text, double precision, bytea).
value_class class_of(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  if (type.find("INT") != std::string::npos) return value_class::integer;
  if (type.find("REAL") != std::string::npos || type.find("DOUB") != std::string::npos ||
      type.find("FLOA") != std::string::npos || type.find("NUMERIC") != std::string::npos)
    return value_class::real;
  if (type.find("BLOB") != std::string::npos || type.find("BYTEA") != std::string::npos) return value_class::blob;
  return value_class::text;
}

std::vector<std::string> strings(sql::connection& db, const std::string& query, const std::string& arg = {}) {
  sql::statement st(db, query);
  if (!arg.empty()) st.bind(1, arg);
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

table_shape shape_of(sql::connection& db, const std::string& table) {
  table_shape t{table, {}, {}, {}};
  if (is_pg(db)) {
    sql::statement cols(db,
                        "SELECT column_name::text, data_type::text FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = ?");
    cols.bind(1, table);
    while (cols.executeStep()) t.columns.push_back({cols.getColumn(0).getString(), class_of(cols.getColumn(1).getString())});
    t.key = strings(db,
                    "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                    "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = quote_ident(?)::regclass AND i.indisprimary "
                    "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                    table);
    for (auto& p : strings(db,
                           "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint "
                           "WHERE contype = 'f' AND conrelid = quote_ident(?)::regclass",
                           table))
      t.parents.insert(p);
  } else {
    sql::statement cols(db, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid");
    cols.bind(1, table);
    std::map<int, std::string> key;
    while (cols.executeStep()) {
      t.columns.push_back({cols.getColumn(0).getString(), class_of(cols.getColumn(1).getString())});
      if (int pk = cols.getColumn(2).getInt(); pk > 0) key[pk] = cols.getColumn(0).getString();
    }
    for (auto& [_, name] : key) t.key.push_back(name);
    for (auto& p : strings(db, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", table)) t.parents.insert(p);
  }
  t.parents.erase(table);
  std::sort(t.columns.begin(), t.columns.end(), [](auto& a, auto& b) { return a.name < b.name; });
  if (t.key.empty())  // no primary key: the whole row orders it
    for (auto& c : t.columns) t.key.push_back(c.name);
  return t;
}

// The copied tables of `db`, parents before children (a table comes after every table it refers to).
std::vector<table_shape> tables_of(sql::connection& db) {
  auto names = is_pg(db) ? strings(db,
                                   "SELECT table_name::text FROM information_schema.tables "
                                   "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                                   "ORDER BY table_name")
                         : strings(db,
                                   "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  std::map<std::string, table_shape> pending;
  for (auto& n : names)
    if (copied(n)) pending.emplace(n, shape_of(db, n));
  std::vector<table_shape> ordered;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](auto& entry) {
      return std::none_of(entry.second.parents.begin(), entry.second.parents.end(),
                          [&](const std::string& p) { return pending.count(p) > 0; });
    });
    if (ready == pending.end()) throw store_error(store_errc::invalid, "the tables' foreign keys form a cycle");
    ordered.push_back(std::move(ready->second));
    pending.erase(ready);
  }
  return ordered;
}

// SELECT of every column by name, in key order (PostgreSQL text compared bytewise, as SQLite does).
std::string select_all(sql::connection& db, const table_shape& t) {
  std::string cols, order;
  for (auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + ident(c.name);
  for (auto& k : t.key) {
    auto c = std::find_if(t.columns.begin(), t.columns.end(), [&](auto& col) { return col.name == k; });
    bool text = c != t.columns.end() && c->kind == value_class::text;
    order += (order.empty() ? "" : ", ") + ident(k) + (text && is_pg(db) ? " COLLATE \"C\"" : "");
  }
  return "SELECT " + cols + " FROM " + ident(t.name) + " ORDER BY " + order;
}

// A value as the digest sees it: a tag, then the value (lengths spelled out so that no two rows run
// together the same way).
void render(std::string& out, sql::statement& st, int i, value_class kind) {
  if (st.isColumnNull(i)) {
    out += "N;";
    return;
  }
  auto value = st.getColumn(i);
  switch (kind) {
    case value_class::integer:
      out += "I" + std::to_string(value.getInt64()) + ";";
      return;
    case value_class::real: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "R%.17g;", value.getDouble());
      out += buf;
      return;
    }
    case value_class::text: {
      auto s = value.getString();
      out += "T" + std::to_string(s.size()) + ":" + s + ";";
      return;
    }
    case value_class::blob: {
      auto s = value.getBlob();
      out += "B" + std::to_string(s.size()) + ":" + s + ";";
      return;
    }
  }
}

std::string hex(const unsigned char* data, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

table_digest digest_table(sql::connection& db, const table_shape& t) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  table_digest d{t.name, 0, {}};
  sql::statement st(db, select_all(db, t));
  std::string row;
  while (st.executeStep()) {
    row.clear();
    for (std::size_t i = 0; i < t.columns.size(); ++i) render(row, st, static_cast<int>(i), t.columns[i].kind);
    row += "\n";
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(row.data()), row.size());
    ++d.rows;
  }
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, out);
  d.sha256 = hex(out, sizeof out);
  return d;
}

// Inserts every row of `t` from `from` into `to`, ids included, in key order. ON CONFLICT DO NOTHING keeps
// a row a trigger of `to` made already (a respondent registered by its interview); the digests check it.
void copy_rows(sql::connection& from, sql::connection& to, const table_shape& t) {
  std::string cols, params;
  for (auto& c : t.columns) {
    cols += (cols.empty() ? "" : ", ") + ident(c.name);
    params += params.empty() ? "?" : ", ?";
  }
  auto insert = to.prepare("INSERT INTO " + ident(t.name) + " (" + cols + ") VALUES (" + params + ") ON CONFLICT DO NOTHING", true);
  sql::statement rows(from, select_all(from, t));
  while (rows.executeStep()) {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const int c = static_cast<int>(i);
      const int p = c + 1;
      if (rows.isColumnNull(c)) {
        insert->bind_null(p);
        continue;
      }
      auto v = rows.getColumn(c);
      switch (t.columns[i].kind) {
        case value_class::integer: insert->bind_int64(p, v.getInt64()); break;
        case value_class::real: insert->bind_double(p, v.getDouble()); break;
        case value_class::text: insert->bind_text(p, v.getString()); break;
        case value_class::blob: {
          auto b = v.getBlob();
          insert->bind_blob(p, b.data(), b.size());
          break;
        }
      }
    }
    insert->exec();
    insert->reset();
  }
}

// PostgreSQL: every identity column's sequence so that its next value is past the largest copied id.
void advance_identities(sql::connection& db, const table_shape& t) {
  for (auto& col : strings(db,
                           "SELECT column_name::text FROM information_schema.columns WHERE table_schema = "
                           "current_schema() AND table_name = ? AND is_identity = 'YES'",
                           t.name)) {
    sql::statement st(db, "SELECT setval(pg_get_serial_sequence(quote_ident(?), ?), coalesce(max(" + ident(col) +
                              "), 0) + 1, false) FROM " + ident(t.name));
    st.bind(1, t.name);
    st.bind(2, col);
    st.executeStep();
  }
}

bool holds_rows(sql::connection& db, const table_shape& t) {
  return db.execAndGet("SELECT EXISTS (SELECT 1 FROM " + ident(t.name) + ")").getInt() != 0;
}

[[noreturn]] void refuse_held(const std::string& db, const std::string& label) {
  auto holder = live_holder(db);
  throw store_error(store_errc::held_elsewhere,
                    label + " is held by a running cati-server" +
                        (holder && holder->holder ? ": " + core::describe(*holder->holder)
                                                  : std::string(" or another cati db copy")) +
                        "; stop it first (nothing was copied)");
}

void refuse_if_held(const std::string& db, const std::string& label) {
  if (live_holder(db)) refuse_held(db, label);
}

[[noreturn]] void refuse_same(const std::string& from, const std::string& to) {
  throw store_error(store_errc::invalid, "--from " + from + " and --to " + to +
                                             " are the same fieldwork: copy into a new file or an empty database");
}

// A fieldwork's ownership lock, taken by the copy for its whole run (copy.hpp): the one a cati-server
// takes exclusively, so that a server starting meanwhile finds the fieldwork held.
class fieldwork_lock {
 public:
  // A SQLite file's: its "<db>.owner" file, created as a cati-server creates it.
  explicit fieldwork_lock(const std::string& db) : path_(owner_lock_path(db)) {
    created_ = !std::filesystem::exists(path_);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw store_error(store_errc::sqlite, path_.string() + ": cannot open the ownership lock: " + std::strerror(errno));
  }
  // A PostgreSQL database's: the session advisory lock, on the copy's own connection to it (which
  // releases it when it closes).
  explicit fieldwork_lock(sql::connection& session) : session_(&session) {}
  ~fieldwork_lock() {
    if (fd_ >= 0) ::close(fd_);
  }
  fieldwork_lock(const fieldwork_lock&) = delete;
  fieldwork_lock& operator=(const fieldwork_lock&) = delete;

  bool take(bool shared) {
    if (session_)
      return session_->execAndGet(std::string("SELECT pg_try_advisory_lock") + (shared ? "_shared(" : "(") +
                                  sql::ownership_lock_key + ")")
                 .getInt() != 0;
    return ::flock(fd_, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0;
  }
  void release() {
    if (session_)
      session_->exec(std::string("SELECT pg_advisory_unlock_all()"));
    else
      ::flock(fd_, LOCK_UN);
  }
  // Removes the lock file if this object created it (with a destination that is removed again).
  void remove_if_created() {
    if (!created_) return;
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

 private:
  std::filesystem::path path_;
  bool created_ = false;
  int fd_ = -1;
  sql::connection* session_ = nullptr;
};

std::unique_ptr<fieldwork_lock> lock_of(const std::string& db, sql::connection& session) {
  return is_pg(session) ? std::make_unique<fieldwork_lock>(session) : std::make_unique<fieldwork_lock>(db);
}

// The destination's lock, exclusive. When it is taken already, the destination may be the source under
// another name (a path through a link, another spelling of a URL): the source's own lock is let go to
// tell the two apart.
void lock_destination(fieldwork_lock& target, fieldwork_lock& source, const std::string& from, const std::string& to) {
  if (target.take(false)) return;
  source.release();
  if (target.take(false)) refuse_same(from, to);
  refuse_held(to, "--to " + to);
}

// The source, read-only, checked to be a fieldwork at this cati's schema version.
std::unique_ptr<sql::connection> open_source(const std::string& from) {
  const std::string label = "--from " + from;
  open_options options;
  options.path = from;
  options.create = false;
  options.read_only = true;
  std::unique_ptr<sql::connection> source;
  try {
    source = open_read_connection(options);
  } catch (const store_error& e) {
    throw store_error(e.code(), std::string("--from ") + e.what());
  }
  check_readable(*source, label);
  if (int v = schema_version(*source); v != latest_schema_version())
    throw store_error(store_errc::invalid,
                      label + " is at schema version " + std::to_string(v) + "; cati db copy copies a fieldwork at " +
                          "this cati's version (" + std::to_string(latest_schema_version()) +
                          "): upgrade it first (start this cati's cati-server on it once, which migrates it, and " +
                          "stop it), then copy");
  return source;
}

// Refuses a destination that holds a fieldwork already: an older or newer one, or one with rows.
void refuse_if_not_new(sql::connection& target, const std::string& to) {
  const std::string advice = ": copy into a new file or an empty database";
  if (int v = schema_version(target); v != 0 && v != latest_schema_version())
    throw store_error(store_errc::conflict,
                      "--to " + to + " already holds a fieldwork (schema version " + std::to_string(v) + ")" + advice);
  if (schema_version(target) == 0) return;
  for (auto& t : tables_of(target))
    if (holds_rows(target, t))
      throw store_error(store_errc::conflict, "--to " + to + " already holds a fieldwork (rows in " + t.name + ")" + advice);
}

// A SQLite destination that exists already is looked at read-only first: opening it for writing would
// switch it to WAL mode, a change to a file that may then be refused (another application's database).
void refuse_existing_file_if_not_new(const std::string& to) {
  if (is_postgresql(to) || !std::filesystem::exists(to)) return;
  open_options options;
  options.path = to;
  options.create = false;
  options.read_only = true;
  auto db = open_read_connection(options);
  try {
    check_readable(*db, "--to " + to);
  } catch (const store_error& e) {
    if (e.code() == store_errc::not_found) return;  // an empty file: as good as a new one
    throw;
  }
  refuse_if_not_new(*db, to);
}

// The copy itself, in one read transaction of the source and one write transaction of the target.
copy_result copy_tables(sql::connection& source, sql::connection& target, const std::string& to,
                        const std::function<void()>& while_copying) {
  copy_result result;
  source.begin_read();
  try {
    const auto tables = tables_of(source);
    target.begin_write();
    try {
      refuse_if_not_new(target, to);  // again, inside the transaction: nothing came in since
      for (auto& t : tables) {
        try {
          copy_rows(source, target, t);
          if (is_pg(target)) advance_identities(target, t);
        } catch (const sql::error& e) {
          throw store_error(store_errc::sqlite, "copying " + t.name + " into --to " + to + ": " + e.what());
        }
      }
      if (while_copying) while_copying();
      for (auto& t : tables)
        result.tables.push_back({t.name, digest_table(source, t), digest_table(target, shape_of(target, t.name))});
      result.committed = std::all_of(result.tables.begin(), result.tables.end(), [](auto& t) { return t.matches(); });
      if (result.committed)
        target.commit();
      else
        target.rollback_quietly();
    } catch (...) {
      target.rollback_quietly();
      throw;
    }
  } catch (...) {
    source.rollback_quietly();
    throw;
  }
  source.rollback_quietly();
  return result;
}

// A SQLite destination the copy created, removed again after a failure: with its WAL files.
void remove_sqlite_files(const std::string& db) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(db + suffix, ignored);
}

}  // namespace

std::vector<table_digest> digest_tables(sql::connection& db) {
  auto tables = tables_of(db);
  std::sort(tables.begin(), tables.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::vector<table_digest> out;
  for (auto& t : tables) out.push_back(digest_table(db, t));
  return out;
}

copy_result copy_fieldwork(const std::string& from, const std::string& to, const std::function<void()>& while_copying) {
  if (sodium_init() < 0) throw store_error(store_errc::invalid, "libsodium cannot start");
  if (from == to)
    throw store_error(store_errc::invalid,
                      "--from and --to name the same database (" + from + "): copy into a new file or an empty database");
  refuse_if_held(from, "--from " + from);
  refuse_if_held(to, "--to " + to);

  auto source = open_source(from);
  auto source_lock = lock_of(from, *source);
  if (!source_lock->take(true)) refuse_held(from, "--from " + from);

  if (!is_postgresql(from) && !is_postgresql(to) && std::filesystem::exists(from) && std::filesystem::exists(to) &&
      std::filesystem::equivalent(from, to))
    refuse_same(from, to);  // a PostgreSQL database under two URLs is told by its lock (lock_destination)
  refuse_existing_file_if_not_new(to);
  const bool to_pg = is_postgresql(to);
  const bool created = !to_pg && !std::filesystem::exists(to);
  std::unique_ptr<fieldwork_lock> target_lock;
  std::unique_ptr<sql::connection> target;
  auto discard = [&] {  // a failed copy leaves no file behind that it created
    if (!created) return;
    target.reset();
    remove_sqlite_files(to);
    if (target_lock) target_lock->remove_if_created();
  };
  try {
    // A SQLite destination is locked before it is opened (which would create it), a PostgreSQL one on the
    // copy's own session.
    if (!to_pg) {
      target_lock = std::make_unique<fieldwork_lock>(to);
      lock_destination(*target_lock, *source_lock, from, to);
    }
    open_options options;
    options.path = to;
    options.create = true;
    target = open_write_connection(options);
    if (to_pg) {
      target_lock = std::make_unique<fieldwork_lock>(*target);
      lock_destination(*target_lock, *source_lock, from, to);
    }
    refuse_if_not_new(*target, to);
    migrate(*target, "--to " + to);
    auto result = copy_tables(*source, *target, to, while_copying);
    if (!result.committed) discard();
    return result;
  } catch (...) {
    discard();
    throw;
  }
}

}  // namespace cati::store
