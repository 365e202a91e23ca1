#include "store/sql/pg_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <vector>

#include "store/sql/pg_pipeline.hpp"
#include "store/sql/pg_result.hpp"

namespace cati::store::sql {
namespace {

constexpr unsigned int int8_oid = 20, float8_oid = 701, text_oid = 25, bytea_oid = 17;

}  // namespace

// Class 08 (connection exception), 57P01-57P03 (the server shuts down, crashed, cannot take connections
// now) and 25006 (a read-only transaction: the session reaches a server that is not, or no longer, a
// read-write primary), or libpq itself found the connection broken.
bool is_connection_loss(PGconn* conn, std::string_view sqlstate) {
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) return true;
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
         sqlstate == "25006";
}

namespace {

std::string hex_decode(std::string_view text) {
  // bytea's text output: \x followed by hex digits.
  std::string out;
  if (!text.starts_with("\\x")) return std::string(text);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 2; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

class pg_statement final : public statement_impl {
 public:
  pg_statement(pg_connection& conn, std::string_view sql, bool reused) : conn_(conn) {
    int n = 0;
    sql_ = to_pg_placeholders(sql, n);
    values_.resize(static_cast<std::size_t>(n));
    nulls_.assign(static_cast<std::size_t>(n), true);
    types_.assign(static_cast<std::size_t>(n), 0);
    if (reused) name_ = conn.next_statement_name();
  }

  void bind_null(int i) override { set(i, {}, 0, true); }
  void bind_int64(int i, std::int64_t v) override { set(i, std::to_string(v), int8_oid, false); }
  void bind_double(int i, double v) override {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    set(i, std::string(buf, r.ptr), float8_oid, false);
  }
  void bind_text(int i, std::string_view v) override { set(i, std::string(v), text_oid, false); }
  void bind_blob(int i, const void* data, std::size_t size) override {
    static const char digits[] = "0123456789abcdef";
    std::string hex = "\\x";
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t k = 0; k < size; ++k) {
      hex.push_back(digits[p[k] >> 4]);
      hex.push_back(digits[p[k] & 15]);
    }
    set(i, std::move(hex), bytea_oid, false);
  }

  bool step() override {
    if (!res_) run();
    else ++row_;
    return row_ < PQntuples(res_.get());
  }
  int exec() override { return send(); }
  changes send() override {
    if (conn_.pipeline().active()) return changes(send_in_pipeline(false));
    run();
    const char* n = PQcmdTuples(res_.get());
    int changed = (n == nullptr || *n == '\0') ? 0 : std::atoi(n);
    res_.reset();
    return changes(changed);
  }
  void reset() override {
    res_.reset();
    row_ = 0;
  }
  void clear_bindings() override {
    for (std::size_t k = 0; k < values_.size(); ++k) {
      values_[k].clear();
      nulls_[k] = true;
    }
  }
  int column_count() override { return res_ ? PQnfields(res_.get()) : 0; }
  bool is_null(int c) override { return PQgetisnull(current(), row_, c) != 0; }
  std::int64_t get_int64(int c) override {
    if (is_null(c)) return 0;
    const char* v = PQgetvalue(res_.get(), row_, c);
    std::string_view text(v);
    if (text == "t") return 1;
    if (text == "f") return 0;
    std::int64_t out = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return out;
    return static_cast<std::int64_t>(std::strtod(v, nullptr));  // a numeric (sum, avg) with decimals
  }
  double get_double(int c) override { return is_null(c) ? 0.0 : std::strtod(PQgetvalue(current(), row_, c), nullptr); }
  std::string get_text(int c) override {
    if (is_null(c)) return {};
    return std::string(PQgetvalue(current(), row_, c), static_cast<std::size_t>(PQgetlength(res_.get(), row_, c)));
  }
  std::string get_blob(int c) override {
    if (is_null(c)) return {};
    return hex_decode(PQgetvalue(current(), row_, c));
  }

 private:
  void set(int i, std::string v, unsigned int type, bool null) {
    if (i < 1 || static_cast<std::size_t>(i) > values_.size())
      throw error("PostgreSQL: parameter " + std::to_string(i) + " out of range in: " + sql_, 0, "", false);
    auto k = static_cast<std::size_t>(i - 1);
    values_[k] = std::move(v);
    nulls_[k] = null;
    if (!null) types_[k] = type;
  }
  PGresult* current() {
    if (!res_ || row_ >= PQntuples(res_.get())) throw error("PostgreSQL: no row to read in: " + sql_, 0, "", false);
    return res_.get();
  }
  std::vector<const char*> parameters() const {
    std::vector<const char*> params(values_.size());
    for (std::size_t k = 0; k < values_.size(); ++k) params[k] = nulls_[k] ? nullptr : values_[k].c_str();
    return params;
  }
  // Whether the named statement is (or, ahead in the pipeline, will be) prepared in this session. A
  // preparation the pipeline skipped or refused did not happen. One that happened stays, even if its
  // transaction is rolled back: a session's prepared statements are not transactional.
  bool prepared() const { return prepared_ && !(preparing_ && preparing_->not_run()); }
  void run() {
    res_.reset();
    row_ = 0;
    if (conn_.pipeline().active()) {
      // Its rows are wanted now: sent, then waited for with everything sent before it.
      auto pending = send_in_pipeline(true);
      conn_.pipeline().sync();
      res_ = pending->take_rows();
      return;
    }
    const auto params = parameters();
    const int n = static_cast<int>(params.size());
    PGconn* pg = conn_.handle();
    PGresult* r;
    if (name_.empty()) {
      conn_.note_wait();
      r = PQexecParams(pg, sql_.c_str(), n, types_.data(), params.data(), nullptr, nullptr, 0);
    } else {
      if (!prepared()) {
        conn_.note_wait();
        pg_checked(PQprepare(pg, name_.c_str(), sql_.c_str(), n, types_.data()), pg);
        prepared_ = true;
        preparing_.reset();
      }
      conn_.note_wait();
      r = PQexecPrepared(pg, name_.c_str(), n, params.data(), nullptr, nullptr, 0);
    }
    res_ = pg_checked(r, pg);
  }
  // Sends the statement (and its preparation, the first time) in the connection's pipeline; its result
  // comes with the next sync. libpq copies the parameters as it sends them.
  std::shared_ptr<pg_pending> send_in_pipeline(bool keep_rows) {
    auto& pipeline = conn_.pipeline();
    const auto params = parameters();
    const int n = static_cast<int>(params.size());
    PGconn* pg = conn_.handle();
    if (name_.empty()) {
      if (PQsendQueryParams(pg, sql_.c_str(), n, types_.data(), params.data(), nullptr, nullptr, 0) != 1)
        pipeline.send_failed();
      return pipeline.expect(keep_rows);
    }
    if (!prepared()) {
      if (PQsendPrepare(pg, name_.c_str(), sql_.c_str(), n, types_.data()) != 1) pipeline.send_failed();
      prepared_ = true;
      preparing_ = pipeline.expect(false);
    }
    if (PQsendQueryPrepared(pg, name_.c_str(), n, params.data(), nullptr, nullptr, 0) != 1) pipeline.send_failed();
    return pipeline.expect(keep_rows);
  }

  pg_connection& conn_;
  std::string sql_, name_;
  bool prepared_ = false;
  std::shared_ptr<pg_pending> preparing_;  // its preparation, when sent in a pipeline
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<unsigned int> types_;
  pg_result_ptr res_;
  int row_ = 0;
};

void ignore_notice(void*, const char*) {}

}  // namespace

std::string to_pg_placeholders(std::string_view sql, int& params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote != 0) {
      out.push_back(c);
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    std::size_t j = i + 1;
    int number = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') number = number * 10 + (sql[j++] - '0');
    if (j == i + 1) number = highest + 1;  // a bare `?`: the next after the highest so far, as in SQLite
    if (number > highest) highest = number;
    out += "$" + std::to_string(number);
    i = j - 1;
  }
  params = highest;
  return out;
}

pg_connection::pg_connection(const std::string& conninfo, bool read_only) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ == nullptr ? "out of memory" : pg_trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    // Lost in the sense of sql::error: nothing to use, only a later attempt may succeed (store/reconnect.hpp).
    throw error("cannot connect to PostgreSQL: " + why, 0, "", false, true);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);  // "relation exists, skipping" and the like
  pipeline_ = std::make_shared<pg_pipeline>(conn_);
  try {
    exec(read_only ? "SET default_transaction_read_only = on" : "SET default_transaction_read_only = off");
  } catch (...) {
    PQfinish(conn_);
    throw;
  }
}

pg_connection::~pg_connection() { PQfinish(conn_); }

std::string pg_connection::next_statement_name() { return "cati_" + std::to_string(++prepared_); }

void pg_connection::exec(std::string_view sql) {
  if (pipeline_->active()) {
    // Not sent in the pipeline (it may hold several statements, which only the simple protocol runs): run
    // on its own once everything sent before it is done, a failure dooming the pipeline's transaction.
    pipeline_->finish();
    try {
      ++waits_;
      pg_checked(PQexec(conn_, std::string(sql).c_str()), conn_);
    } catch (const error& e) {
      pipeline_->enter();
      pipeline_->record(e);
      throw;
    }
    pipeline_->enter();
    return;
  }
  ++waits_;
  pg_checked(PQexec(conn_, std::string(sql).c_str()), conn_);
}

bool pg_connection::in_transaction() { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

bool pg_connection::lost() { return PQstatus(conn_) == CONNECTION_BAD; }

void pg_connection::begin_write() {
  static const std::string lock = std::string("SELECT pg_advisory_xact_lock(") + writer_lock_key + ")";
  if (pipeline_->active()) {
    // In a pipeline both are sent, not waited for: the lock is taken before anything sent after it runs,
    // and a failure of either dooms the transaction at the next wait, as any statement's does.
    send_unread("BEGIN");
    send_unread(lock.c_str());
    return;
  }
  // One round trip: the simple-query protocol runs both.
  static const std::string sql = "BEGIN; " + lock;
  ++waits_;
  pg_checked(PQexec(conn_, sql.c_str()), conn_);
}

void pg_connection::send_unread(const char* sql) {
  if (PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) pipeline_->send_failed();
  pipeline_->expect(false);  // checked at the next sync, like every result the pipeline expects
}

void pg_connection::begin_read() { exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

void pg_connection::rollback_quietly() noexcept {
  if (conn_ == nullptr) return;
  pipeline_->abandon();
  if (!in_transaction()) return;
  ++waits_;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

bool pg_connection::start_pipeline() {
  pipeline_->enter();
  return true;
}

void pg_connection::finish_pipeline() {
  if (pipeline_->active()) pipeline_->finish();
}

bool pg_connection::pipelining() const { return pipeline_->active(); }

std::uint64_t pg_connection::round_trips() const { return pipeline_->round_trips() + waits_; }

std::unique_ptr<statement_impl> pg_connection::prepare(std::string_view sql, bool reused) {
  return std::make_unique<pg_statement>(*this, sql, reused);
}

std::unique_ptr<connection> open_pg_connection(const std::string& conninfo, bool read_only) {
  return std::make_unique<pg_connection>(conninfo, read_only);
}

}  // namespace cati::store::sql
