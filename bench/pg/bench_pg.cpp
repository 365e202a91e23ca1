// bench-pg: PostgreSQL's ceiling for cati's answer rows, and the measurement that chooses the client
// library (issue 16). Writes what bench-sqlite writes for one answer (a row in `answers`, the interview's
// snapshot replaced) in transactions of --batch answers, synchronous_commit on, in one of three ways:
//   plain     libpq, one PQexecPrepared per statement (a round trip each), BEGIN/COMMIT around the batch;
//   pipeline  libpq pipeline mode: the whole batch (BEGIN, the statements, COMMIT) sent at once and one
//             sync point, so a transaction costs one round trip and one WAL flush whatever its size;
//   pqxx      libpqxx 6.4 (Debian 12): a prepared statement per statement in one pqxx::work (6.4 has no
//             pipeline mode). Only when built with libpqxx-dev; the other two need libpq alone.
//   pqxx-stream  libpqxx's stream_to (COPY) for the answers, the snapshots as in pqxx.
// The tables are bench-pg's own (`bench_pg` schema, created with --setup), shaped like the server's
// `interviews` and `answers`. Each run writes interviews [--first-interview, +--interviews) round robin,
// answer seq 1, 2, ... for each, value = seq % 97, and the snapshot "seq=<n>" padded to --snapshot-bytes,
// so a test can recompute exactly what must be in the tables (tests/pg/bench_pg_test.sh).
// Prints one JSON object on stdout; exit 1 on an error, saying which. When the writes fail mid-run (the
// server killed), the JSON still reports the rows committed before ("failed": true), then exit 1.
#include <CLI/CLI.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef CATI_HAVE_PQXX
#include <pqxx/pqxx>
#endif

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string url;
  std::string method = "pipeline";
  int batch = 16;
  int interviews = 16;
  std::int64_t first_interview = 1;
  double duration = 5;
  std::int64_t max_rows = 0;  // 0: until --duration
  std::size_t snapshot_bytes = 300;
  bool setup = false;
};

// One answer as the server writes it: the answers row and the interview's new snapshot.
struct answer_row {
  std::string interview_id, seq, value, at, snapshot;
};

constexpr const char* insert_sql =
    "INSERT INTO bench_pg.answers (interview_id, seq, question, kind, value, at, answered_by)"
    " VALUES ($1, $2, 's2_fte', 'set', $3, $4, 1)";
constexpr const char* snapshot_sql = "UPDATE bench_pg.interviews SET snapshot = $2 WHERE id = $1";

constexpr const char* schema_sql = R"(
CREATE SCHEMA IF NOT EXISTS bench_pg;
CREATE TABLE IF NOT EXISTS bench_pg.users (id BIGINT PRIMARY KEY, login TEXT NOT NULL);
INSERT INTO bench_pg.users VALUES (1, 'bench0') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS bench_pg.interviews (
  id BIGINT PRIMARY KEY,
  snapshot TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS bench_pg.answers (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  interview_id BIGINT NOT NULL REFERENCES bench_pg.interviews(id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  question TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('set', 'drop')),
  value TEXT,
  at BIGINT NOT NULL,
  answered_by BIGINT NOT NULL REFERENCES bench_pg.users(id),
  UNIQUE (interview_id, seq)
);
CREATE INDEX IF NOT EXISTS answers_by_question ON bench_pg.answers (interview_id, question, seq);
)";

// libpq, owned.
struct pg_deleter {
  void operator()(PGconn* c) const { PQfinish(c); }
  void operator()(PGresult* r) const { PQclear(r); }
};
using pg_conn = std::unique_ptr<PGconn, pg_deleter>;
using pg_result = std::unique_ptr<PGresult, pg_deleter>;

pg_conn connect(const std::string& url) {
  pg_conn c{PQconnectdb(url.c_str())};
  if (!c || PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error(url + ": " + (c ? PQerrorMessage(c.get()) : "out of memory"));
  return c;
}

void check(PGconn* c, const pg_result& r, ExecStatusType expected, const char* what) {
  if (!r || PQresultStatus(r.get()) != expected)
    throw std::runtime_error(std::string(what) + ": " + (r ? PQresultErrorMessage(r.get()) : PQerrorMessage(c)));
}

void exec(PGconn* c, const char* sql) { check(c, pg_result{PQexec(c, sql)}, PGRES_COMMAND_OK, sql); }

void prepare(PGconn* c) {
  check(c, pg_result{PQprepare(c, "insert", insert_sql, 4, nullptr)}, PGRES_COMMAND_OK, "prepare insert");
  check(c, pg_result{PQprepare(c, "snapshot", snapshot_sql, 2, nullptr)}, PGRES_COMMAND_OK, "prepare snapshot");
}

class writer {
 public:
  virtual ~writer() = default;
  // Writes the rows in one transaction; returns once it is committed (durably: synchronous_commit on).
  virtual void write(std::span<const answer_row> rows) = 0;
};

class plain_writer final : public writer {
 public:
  explicit plain_writer(const std::string& url) : conn_(connect(url)) { prepare(conn_.get()); }

  void write(std::span<const answer_row> rows) override {
    PGconn* c = conn_.get();
    exec(c, "BEGIN");
    for (const auto& r : rows) {
      const char* insert_params[] = {r.interview_id.c_str(), r.seq.c_str(), r.value.c_str(), r.at.c_str()};
      check(c, pg_result{PQexecPrepared(c, "insert", 4, insert_params, nullptr, nullptr, 0)}, PGRES_COMMAND_OK,
            "insert");
      const char* snapshot_params[] = {r.interview_id.c_str(), r.snapshot.c_str()};
      check(c, pg_result{PQexecPrepared(c, "snapshot", 2, snapshot_params, nullptr, nullptr, 0)},
            PGRES_COMMAND_OK, "snapshot");
    }
    exec(c, "COMMIT");
  }

 private:
  pg_conn conn_;
};

// Pipeline mode, blocking connection: the batch is queued, flushed with one sync, then its results are
// read in order (each statement's result, a NULL after it, then PGRES_PIPELINE_SYNC). Blocking is safe
// because the server's replies to a batch (a few dozen bytes a statement) fit in the socket's buffer while
// we are still sending; the server's adapter will run it non-blocking on its own thread.
class pipeline_writer final : public writer {
 public:
  explicit pipeline_writer(const std::string& url) : conn_(connect(url)) {
    prepare(conn_.get());
    if (PQenterPipelineMode(conn_.get()) != 1)
      throw std::runtime_error(std::string("cannot enter pipeline mode: ") + PQerrorMessage(conn_.get()));
  }

  void write(std::span<const answer_row> rows) override {
    PGconn* c = conn_.get();
    send(PQsendQueryParams(c, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0), "BEGIN");
    for (const auto& r : rows) {
      const char* insert_params[] = {r.interview_id.c_str(), r.seq.c_str(), r.value.c_str(), r.at.c_str()};
      send(PQsendQueryPrepared(c, "insert", 4, insert_params, nullptr, nullptr, 0), "insert");
      const char* snapshot_params[] = {r.interview_id.c_str(), r.snapshot.c_str()};
      send(PQsendQueryPrepared(c, "snapshot", 2, snapshot_params, nullptr, nullptr, 0), "snapshot");
    }
    send(PQsendQueryParams(c, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0), "COMMIT");
    send(PQpipelineSync(c), "sync");

    // 2 statements a row, BEGIN and COMMIT: each a result and a NULL. The first failure aborts the rest of
    // the pipeline (PGRES_PIPELINE_ABORTED) up to the sync; we report the failure itself.
    std::string failure;
    const std::size_t statements = 2 * rows.size() + 2;
    for (std::size_t i = 0; i < statements; ++i) {
      pg_result r{PQgetResult(c)};
      if (!r) throw std::runtime_error(std::string("pipeline: missing result: ") + PQerrorMessage(c));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && failure.empty())
        failure = PQresultStatus(r.get()) == PGRES_PIPELINE_ABORTED ? "pipeline aborted"
                                                                     : PQresultErrorMessage(r.get());
      if (pg_result end{PQgetResult(c)}; end)
        throw std::runtime_error("pipeline: an extra result after statement " + std::to_string(i));
    }
    pg_result sync{PQgetResult(c)};
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC)
      throw std::runtime_error(std::string("pipeline: no sync result: ") + PQerrorMessage(c));
    if (!failure.empty()) throw std::runtime_error("pipeline: " + failure);
  }

 private:
  void send(int ok, const char* what) {
    if (ok != 1) throw std::runtime_error(std::string(what) + ": " + PQerrorMessage(conn_.get()));
  }
  pg_conn conn_;
};

#ifdef CATI_HAVE_PQXX
class pqxx_writer final : public writer {
 public:
  explicit pqxx_writer(const std::string& url) : conn_(url) {
    conn_.prepare("insert", insert_sql);
    conn_.prepare("snapshot", snapshot_sql);
  }

  void write(std::span<const answer_row> rows) override {
    pqxx::work w{conn_};
    for (const auto& r : rows) {
      w.exec_prepared0("insert", r.interview_id, r.seq, r.value, r.at);
      w.exec_prepared0("snapshot", r.interview_id, r.snapshot);
    }
    w.commit();
  }

 private:
  pqxx::connection conn_;
};

// libpqxx's stream_to (COPY ... FROM STDIN) for the answers, then the snapshots as prepared statements:
// the same work, with the inserts as one COPY. (A COPY cannot skip a retried answer the way the server's
// INSERT must, so this only says whether COPY would be worth that trouble.)
class pqxx_stream_writer final : public writer {
 public:
  explicit pqxx_stream_writer(const std::string& url) : conn_(url) {
    conn_.prepare("snapshot", snapshot_sql);
    pqxx::nontransaction{conn_}.exec0("SET search_path = bench_pg");
  }

  void write(std::span<const answer_row> rows) override {
    pqxx::work w{conn_};
    {
      pqxx::stream_to copy{w, "answers", columns_};
      for (const auto& r : rows)
        copy << std::make_tuple(r.interview_id, r.seq, "s2_fte", "set", r.value, r.at, "1");
      copy.complete();
    }
    for (const auto& r : rows) w.exec_prepared0("snapshot", r.interview_id, r.snapshot);
    w.commit();
  }

 private:
  pqxx::connection conn_;
  const std::vector<std::string> columns_{"interview_id", "seq", "question", "kind", "value", "at", "answered_by"};
};
#endif

std::unique_ptr<writer> make_writer(const options& o) {
  if (o.method == "plain") return std::make_unique<plain_writer>(o.url);
  if (o.method == "pipeline") return std::make_unique<pipeline_writer>(o.url);
#ifdef CATI_HAVE_PQXX
  if (o.method == "pqxx") return std::make_unique<pqxx_writer>(o.url);
  if (o.method == "pqxx-stream") return std::make_unique<pqxx_stream_writer>(o.url);
#else
  if (o.method.starts_with("pqxx")) throw std::runtime_error("--method " + o.method + ": built without libpqxx (libpqxx-dev)");
#endif
  throw std::runtime_error("--method: " + o.method + " is not plain, pipeline, pqxx or pqxx-stream");
}

// Creates the run's interviews; they must be new, so that the rows of a run are exactly known.
void create_interviews(const options& o) {
  auto c = connect(o.url);
  if (o.setup) exec(c.get(), schema_sql);
  const std::string first = std::to_string(o.first_interview);
  const std::string last = std::to_string(o.first_interview + o.interviews - 1);
  const char* params[] = {first.c_str(), last.c_str()};
  pg_result r{PQexecParams(c.get(), "INSERT INTO bench_pg.interviews (id) SELECT generate_series($1::bigint, $2::bigint)",
                           2, nullptr, params, nullptr, nullptr, 0)};
  check(c.get(), r, PGRES_COMMAND_OK, "creating the interviews (--first-interview must name new ones)");
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"bench-pg: write answer rows as cati-server does, as fast as PostgreSQL allows"};
  app.add_option("--url", o.url, "a libpq connection string or URI (tools/pg prints one); required");
  app.add_option("--method", o.method, "plain, pipeline, pqxx or pqxx-stream");
  app.add_option("--batch", o.batch, "answers per transaction")->check(CLI::Range(1, 1024));
  app.add_option("--interviews", o.interviews, "interviews written round robin")->check(CLI::Range(1, 100000));
  app.add_option("--first-interview", o.first_interview, "id of the first interview (they must be new)")
      ->check(CLI::PositiveNumber);
  app.add_option("--duration", o.duration, "seconds")->check(CLI::PositiveNumber);
  app.add_option("--rows", o.max_rows, "stop after this many answers (0: after --duration)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--snapshot-bytes", o.snapshot_bytes, "size of the interview snapshot written with each answer");
  app.add_flag("--setup", o.setup, "create bench-pg's tables when missing");
  bool list_methods = false;
  app.add_flag("--list-methods", list_methods, "print the methods this build has, one a line, and exit");
  CLI11_PARSE(app, argc, argv);
  if (list_methods) {
    std::puts("plain\npipeline");
#ifdef CATI_HAVE_PQXX
    std::puts("pqxx\npqxx-stream");
#endif
    return 0;
  }

  if (o.url.empty()) {
    std::fprintf(stderr, "bench-pg: --url is required\n");
    return 1;
  }
  try {
    create_interviews(o);
    auto w = make_writer(o);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string at = std::to_string(now_ms);
    std::vector<std::int64_t> seq(static_cast<std::size_t>(o.interviews), 0);
    std::vector<answer_row> batch(static_cast<std::size_t>(o.batch));
    std::uint64_t rows = 0, commits = 0;
    std::size_t next = 0;
    std::string failure;
    const auto start = clock_type::now();
    const auto end = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration));
    auto finished = start;
    while ((finished = clock_type::now()) < end || o.max_rows > 0) {
      std::size_t n = batch.size();
      if (o.max_rows > 0) {
        const auto left = static_cast<std::uint64_t>(o.max_rows) - rows;
        if (left == 0) break;
        n = std::min<std::size_t>(n, left);
      }
      for (std::size_t i = 0; i < n; ++i, next = (next + 1) % seq.size()) {
        auto& r = batch[i];
        const auto s = ++seq[next];
        r.interview_id = std::to_string(o.first_interview + static_cast<std::int64_t>(next));
        r.seq = std::to_string(s);
        r.value = std::to_string(s % 97);
        r.at = at;
        r.snapshot = "seq=" + r.seq;
        if (r.snapshot.size() < o.snapshot_bytes) r.snapshot.resize(o.snapshot_bytes, 'x');
      }
      try {
        w->write(std::span<const answer_row>(batch.data(), n));
      } catch (const std::exception& e) {
        // The connection or the server failed mid-run (a failover test kills it): what was committed
        // before is reported all the same, and this batch is in doubt (stored whole or not at all).
        failure = e.what();
        break;
      }
      rows += n;
      ++commits;
    }
    const double seconds = std::chrono::duration<double>(finished - start).count();
    std::printf("{\"method\": \"%s\", \"batch\": %d, \"interviews\": %d, \"first_interview\": %lld, "
                "\"snapshot_bytes\": %zu, \"duration_s\": %.2f, \"rows\": %llu, \"commits\": %llu, "
                "\"rows_per_s\": %.1f, \"failed\": %s}\n",
                o.method.c_str(), o.batch, o.interviews, static_cast<long long>(o.first_interview),
                o.snapshot_bytes, seconds, static_cast<unsigned long long>(rows),
                static_cast<unsigned long long>(commits), seconds > 0 ? static_cast<double>(rows) / seconds : 0.0,
                failure.empty() ? "false" : "true");
    if (!failure.empty()) {
      std::fprintf(stderr, "bench-pg: after %llu committed rows: %s\n", static_cast<unsigned long long>(rows),
                   failure.c_str());
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-pg: %s\n", e.what());
    return 1;
  }
  return 0;
}
