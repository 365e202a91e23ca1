// Copying a whole fieldwork from one database to another (`cati db copy`, issue 16): SQLite to
// PostgreSQL, back, or SQLite to SQLite, while no cati-server holds either.
//
// - The tables are read from the source's catalogue (sqlite_schema / information_schema), never from a
//   hand-kept list, so a migration that adds a table is copied without a change here. Left out: the
//   ownership record (the copy has no holder; the first server to claim it writes its own) and
//   PostgreSQL's cati_schema (the schema version, which the destination gets from its own migrations).
// - The destination is brought to the latest schema by the same numbered migrations (store/migrations),
//   then every table's rows are inserted with their ids, parents before children (by the foreign keys),
//   each in primary-key order, all in one write transaction. A row the destination's own triggers made
//   already (interviews register their respondent) is kept, not inserted twice: the digests prove it is
//   the source's. On PostgreSQL every identity column's sequence is then set past the largest id, so
//   that the next insert (a cati-server serving the copy) does not collide with a copied row.
// - Before that transaction commits, every table of the destination is digested the same way as the
//   source's (table_digest): a mismatch rolls the whole copy back.
// - For the whole copy the source's ownership lock (SQLite: the "<db>.owner" flock; PostgreSQL: the
//   session advisory lock a cati-server takes) is held shared, and a PostgreSQL destination's exclusive:
//   a cati-server started meanwhile finds the fieldwork held and does not write what the copy would miss.
//   A SQLite destination is guarded by the copy's own write transaction.
// - Refusals change nothing. A failure after the destination was created or migrated (a mismatch, a
//   database error) removes a SQLite destination the copy created; a PostgreSQL one keeps the empty,
//   migrated schema, which a new copy accepts.
//
// Thread-safety: plain functions; each opens and closes its own connections.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// One table's content, summarized the same way on both backends: its row count and the SHA-256 (hex)
// of its rows in primary-key order (text keys compared bytewise), each value rendered by its column's
// type class (integer, real, text, blob; NULL distinct from 0 and ""), the columns in name order.
struct table_digest {
  std::string table;
  std::int64_t rows = 0;
  std::string sha256;
  bool operator==(const table_digest&) const = default;
};

// The digests of every copied table of `db` (all but the ownership record and cati_schema), by table
// name. Run it inside a transaction for a consistent picture.
std::vector<table_digest> digest_tables(sql::connection& db);

struct copy_result {
  struct table {
    std::string name;
    table_digest source, copy;
    bool matches() const { return source.rows == copy.rows && source.sha256 == copy.sha256; }
  };
  std::vector<table> tables;  // in copy order
  bool committed = false;     // false: a mismatch rolled the copy back (nothing of it is kept)
};

// Copies the fieldwork `from` into `to` (each a --db string: a SQLite path or a PostgreSQL URL).
// Throws store_error, changing nothing, each message naming the option and the database:
// held_elsewhere (a live cati-server holds either; it is named), not_found (no file or no fieldwork in
// `from`), invalid (`from` is not at the latest schema version, with how to upgrade it; `to` is
// `from`), conflict (`to` already holds a fieldwork), not_a_fieldwork (either is another application's
// database), schema_too_new, sqlite (either database failed; the copy's transaction is rolled back).
// `while_copying`: called once every row is in, inside the copy's transactions with both locks held, before
// the digests are compared (the tests start a server there, which must find both sides held).
copy_result copy_fieldwork(const std::string& from, const std::string& to,
                           const std::function<void()>& while_copying = {});

}  // namespace cati::store
