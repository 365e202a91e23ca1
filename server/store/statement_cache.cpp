#include "store/statement_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace cati::store::detail {
namespace {

thread_local statement_cache* active = nullptr;

}  // namespace

statement_cache::statement_cache(SQLite::Database& db) : db_(db), outer_(active) { active = this; }

statement_cache::~statement_cache() { active = outer_; }

statement::statement(SQLite::Database& db, std::string_view sql) {
  if (active != nullptr && &active->db_ == &db) {
    auto& e = active->entries_[std::string(sql)];
    if (!e.in_use) {
      if (!e.prepared) e.prepared = std::make_unique<SQLite::Statement>(db, std::string(sql));
      e.in_use = true;
      cached_ = &e;
      st_ = e.prepared.get();
      return;
    }
  }
  owned_ = std::make_unique<SQLite::Statement>(db, std::string(sql));
  st_ = owned_.get();
}

statement::~statement() {
  if (cached_ == nullptr) return;
  st_->tryReset();  // the last step's error, if any, was reported to whoever stepped it
  try {
    st_->clearBindings();
  } catch (...) {  // cannot fail on a valid statement; a bad one is dropped and prepared anew
    cached_->prepared.reset();
  }
  cached_->in_use = false;
}

}  // namespace cati::store::detail
