// Prepared statements kept across jobs on the writer thread. Preparing (parsing and planning) the few
// statements every answer runs cost about as much CPU as running them: the writer keeps one prepared
// copy of each and resets it after use.
//
// statement_cache: while one exists on a thread, `statement`s made on that thread for its connection
// are taken from it (prepared on first use). The writer creates one for its connection at the start of
// its thread and drops it before the connection closes.
// statement: a prepared statement for one use. Cached when this thread has a cache for `db` and the same
// SQL is not in use already (a nested use gets its own copy); otherwise prepared for this use only. On
// destruction a cached statement is reset and its bindings cleared.
//
// Thread-safety: a cache belongs to the thread that made it; a statement lives on one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace cati::store::detail {

class statement_cache {
 public:
  explicit statement_cache(SQLite::Database& db);
  ~statement_cache();
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

 private:
  friend class statement;
  struct entry {
    std::unique_ptr<SQLite::Statement> prepared;
    bool in_use = false;
  };
  SQLite::Database& db_;
  std::unordered_map<std::string, entry> entries_;
  statement_cache* outer_;  // the cache this one hides on its thread (normally none)
};

class statement {
 public:
  statement(SQLite::Database& db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  SQLite::Statement& operator*() const { return *st_; }
  SQLite::Statement* operator->() const { return st_; }

 private:
  std::unique_ptr<SQLite::Statement> owned_;
  statement_cache::entry* cached_ = nullptr;
  SQLite::Statement* st_ = nullptr;
};

}  // namespace cati::store::detail
