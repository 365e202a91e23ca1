#include "store/migrations.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <span>

#include "store/error.hpp"

namespace cati::store {
namespace {

struct migration {
  int version;
  const char* what;
  const char* sql;
};

// Version 1: the whole schema of the first fieldwork. Times are UTC milliseconds since the epoch.
// Outcomes are stored by their stable names (core::to_string(outcome)).
constexpr const char* schema_v1 = R"sql(
CREATE TABLE study (
  seq INTEGER PRIMARY KEY,          -- one row per questionnaire version loaded; the last is current
  study_id TEXT NOT NULL,
  version TEXT NOT NULL,
  questionnaire_hash TEXT NOT NULL,
  questionnaire_text TEXT NOT NULL,
  loaded_at INTEGER NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('interviewer', 'supervisor', 'admin')),
  languages TEXT NOT NULL DEFAULT '',   -- comma-separated language codes
  password_hash TEXT NOT NULL,          -- libsodium crypto_pwhash_str (Argon2id)
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at INTEGER NOT NULL
);

-- Contact data (contacts, phones) is kept apart from research data (case_frame, interviews, answers).
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  firm_id TEXT NOT NULL UNIQUE,
  language TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  -- Kept in step with call_attempts by the writer, for cheap listing; the log stays the authority.
  dials INTEGER NOT NULL DEFAULT 0,
  last_call_at INTEGER,
  last_outcome TEXT,
  -- The scheduler's decisions.
  next_call_at INTEGER,
  finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
  held_by INTEGER REFERENCES users(id),
  held_until INTEGER
);

CREATE TABLE case_frame (
  case_id INTEGER NOT NULL REFERENCES cases(id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (case_id, name)
) WITHOUT ROWID;

CREATE TABLE contacts (
  case_id INTEGER NOT NULL REFERENCES cases(id),
  name TEXT NOT NULL,                   -- company, contact_name, ... (contact-data frame variables)
  value TEXT NOT NULL,
  PRIMARY KEY (case_id, name)
) WITHOUT ROWID;

CREATE TABLE phones (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  position INTEGER NOT NULL,            -- dialling order, from 1
  number TEXT NOT NULL UNIQUE,          -- E.164
  UNIQUE (case_id, position)
);

CREATE TABLE call_attempts (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  interviewer_id INTEGER NOT NULL REFERENCES users(id),
  at INTEGER NOT NULL,
  number TEXT NOT NULL,
  outcome TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  interview_id INTEGER REFERENCES interviews(id)
);
CREATE INDEX call_attempts_by_case ON call_attempts (case_id, at);

CREATE TABLE appointments (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  due_at INTEGER NOT NULL,
  made_by INTEGER NOT NULL REFERENCES users(id),
  made_at INTEGER NOT NULL,
  personal INTEGER NOT NULL DEFAULT 0 CHECK (personal IN (0, 1)),
  notes TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'kept', 'missed', 'cancelled')),
  resolved_at INTEGER
);
CREATE INDEX appointments_pending ON appointments (case_id, due_at) WHERE state = 'pending';

CREATE TABLE interviews (
  id INTEGER PRIMARY KEY,
  respondent_id TEXT NOT NULL,          -- random; shared by the interviews of one case
  seed INTEGER NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  interviewer_id INTEGER NOT NULL REFERENCES users(id),
  questionnaire_version TEXT NOT NULL,
  language TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  final_state TEXT,                     -- NULL while open, else an outcome name
  snapshot TEXT NOT NULL DEFAULT ''     -- the engine's saved form, to resume after a restart
);
CREATE INDEX interviews_by_case ON interviews (case_id);
CREATE INDEX interviews_by_respondent ON interviews (respondent_id);

CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  interview_id INTEGER NOT NULL REFERENCES interviews(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  question TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('set', 'drop')),
  value TEXT,                           -- NULL: asked, left unanswered (or a drop)
  at INTEGER NOT NULL,
  answered_by INTEGER NOT NULL REFERENCES users(id),
  UNIQUE (interview_id, seq)            -- a retried answer is recognised, never stored twice
);
CREATE INDEX answers_by_question ON answers (interview_id, question, seq);

-- The logs are append-only: history is never rewritten.
CREATE TRIGGER answers_append_only_u BEFORE UPDATE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;
CREATE TRIGGER answers_append_only_d BEFORE DELETE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;
CREATE TRIGGER call_attempts_append_only_u BEFORE UPDATE ON call_attempts
BEGIN SELECT RAISE(ABORT, 'call attempts are append-only'); END;
CREATE TRIGGER call_attempts_append_only_d BEFORE DELETE ON call_attempts
BEGIN SELECT RAISE(ABORT, 'call attempts are append-only'); END;

CREATE TABLE quota_cells (
  id INTEGER PRIMARY KEY,
  quota TEXT NOT NULL,
  cell_values TEXT NOT NULL,            -- the cell's values, one per quota variable, as a CSV line
  target INTEGER NOT NULL CHECK (target >= 0),
  completes INTEGER NOT NULL DEFAULT 0 CHECK (completes >= 0),
  closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
  UNIQUE (quota, cell_values)
);

-- One lease per interview, on zero or more cells (zero: it falls in no cell but passed the check).
CREATE TABLE quota_leases (
  interview_id INTEGER PRIMARY KEY REFERENCES interviews(id),
  deadline INTEGER NOT NULL
);
CREATE INDEX quota_leases_by_deadline ON quota_leases (deadline);

CREATE TABLE quota_lease_cells (
  interview_id INTEGER NOT NULL REFERENCES quota_leases(interview_id) ON DELETE CASCADE,
  cell_id INTEGER NOT NULL REFERENCES quota_cells(id),
  PRIMARY KEY (interview_id, cell_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id),
  action TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT ''
);
)sql";

// Version 2: reports and `--at` queries walk the call log by time across cases.
constexpr const char* schema_v2 = R"sql(
CREATE INDEX call_attempts_by_time ON call_attempts (at);
)sql";

// Version 3: terminals' session tokens (their SHA-256 digests), so a restart does not log everyone out.
constexpr const char* schema_v3 = R"sql(
CREATE TABLE sessions (
  digest TEXT PRIMARY KEY,              -- lowercase hex SHA-256 of the token; the token itself is not kept
  user_id INTEGER NOT NULL REFERENCES users(id),
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);  -- each login forgets the expired ones
)sql";

// Version 4: who serves the fieldwork (store/ownership.hpp). One row, written by each server that takes
// the file; `epoch` grows by one with every new holder and every write transaction checks it.
constexpr const char* schema_v4 = R"sql(
CREATE TABLE ownership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch INTEGER NOT NULL CHECK (epoch >= 1),
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  address TEXT NOT NULL,                -- where it serves, e.g. 127.0.0.1:8080
  since INTEGER NOT NULL                -- when it took the file
);
)sql";

// Version 5: durable truth (issue 13). Whatever decides who may do what is in the file, written with the
// request that makes it true:
// - case locks: cases.held_by / held_until (columns of version 1, now written by the server with every
//   request that takes, renews or releases a lock). A released lock has held_by NULL and held_until 0;
//   held_until NULL means never recorded (a file from before this version);
// - an open interview's owner and language (interviews.interviewer_id, .language, updated on a takeover
//   or a switch) and its suspension (interviews.suspended, new). Open interviews of an older file count
//   as suspended when a call was logged on their case since they started (what the server guessed so far);
// - the request log: the latest request ids of each user with what they did, so that a repeat gets the
//   original reply after a restart too;
// - respondent ids are UNIQUE (respondents: one id per case, one case per id). An older file in which two
//   cases share a respondent id (a server seeded from a manual clock repeated them, issue 13) keeps the id
//   on the case that got it first; each later case's interviews get "<id>-<case id>", which cannot
//   collide with a drawn id (those have no '-'), and the audit log says which were renamed.
constexpr const char* schema_v5 = R"sql(
ALTER TABLE interviews ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));
UPDATE interviews SET suspended = 1
 WHERE final_state IS NULL
   AND EXISTS (SELECT 1 FROM call_attempts a WHERE a.case_id = interviews.case_id AND a.at >= interviews.started_at);

CREATE TABLE request_log (
  user_id INTEGER NOT NULL REFERENCES users(id),
  request_id INTEGER NOT NULL,          -- the terminal's id (uint64 stored as its int64 bit pattern)
  kind TEXT NOT NULL CHECK (kind IN ('next_case', 'call_result', 'start_interview', 'quota_action')),
  case_id INTEGER NOT NULL DEFAULT 0,
  interview_id INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  PRIMARY KEY (user_id, request_id)
) WITHOUT ROWID;

INSERT INTO audit_log (at, user_id, action, details)
SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, NULL, 'respondent_id_renamed',
       'case ' || i.case_id || ': respondent id ' || i.respondent_id || ' was case ' ||
       (SELECT min(j.case_id) FROM interviews j WHERE j.respondent_id = i.respondent_id) ||
       ' already; now ' || i.respondent_id || '-' || i.case_id
  FROM (SELECT DISTINCT case_id, respondent_id FROM interviews) i
 WHERE EXISTS (SELECT 1 FROM interviews j WHERE j.respondent_id = i.respondent_id AND j.case_id < i.case_id);
UPDATE interviews SET respondent_id = respondent_id || '-' || case_id
 WHERE EXISTS (SELECT 1 FROM interviews j WHERE j.respondent_id = interviews.respondent_id AND j.case_id < interviews.case_id);

CREATE TABLE respondents (
  respondent_id TEXT PRIMARY KEY,
  case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id)
) WITHOUT ROWID;
INSERT INTO respondents (respondent_id, case_id)
SELECT respondent_id, min(case_id) FROM interviews GROUP BY respondent_id;
-- Every interview's respondent id is its case's: the first interview of a case registers it, and an id
-- that is another case's is refused (the primary key), as is a second id for one case.
CREATE TRIGGER interviews_respondent BEFORE INSERT ON interviews
BEGIN
  SELECT RAISE(ABORT, 'respondent id belongs to another case')
   WHERE EXISTS (SELECT 1 FROM respondents r WHERE r.respondent_id = NEW.respondent_id AND r.case_id <> NEW.case_id);
  SELECT RAISE(ABORT, 'the case has another respondent id')
   WHERE EXISTS (SELECT 1 FROM respondents r WHERE r.case_id = NEW.case_id AND r.respondent_id <> NEW.respondent_id);
  INSERT INTO respondents (respondent_id, case_id)
  SELECT NEW.respondent_id, NEW.case_id WHERE NOT EXISTS (SELECT 1 FROM respondents WHERE case_id = NEW.case_id);
END;
)sql";

// Version 6: sample released in replicates. Replicate 0 is the whole frame as imported, always
// released (a fieldwork that never splits its sample works as before); a case in replicate k > 0 is in the
// field once k has a release row. Releases are never undone: the table is append-only.
constexpr const char* schema_v6 = R"sql(
ALTER TABLE cases ADD COLUMN replicate INTEGER NOT NULL DEFAULT 0 CHECK (replicate >= 0);
-- An interviewer's skills, comma-separated: "converter" calls soft refusals back (refusal conversion).
ALTER TABLE users ADD COLUMN skills TEXT NOT NULL DEFAULT '';
CREATE TABLE replicate_releases (
  replicate INTEGER PRIMARY KEY CHECK (replicate > 0),
  released_at INTEGER NOT NULL,
  released_by INTEGER REFERENCES users(id)
);
CREATE TRIGGER replicate_releases_append_only_u BEFORE UPDATE ON replicate_releases
BEGIN SELECT RAISE(ABORT, 'replicate releases are never changed'); END;
CREATE TRIGGER replicate_releases_append_only_d BEFORE DELETE ON replicate_releases
BEGIN SELECT RAISE(ABORT, 'replicate releases are never undone'); END;
)sql";

// Version 7: the language an interview started in. interviews.language is the one it ends in (a takeover or
// a resumption in another language rewrites it); start_language is written once, by the INSERT that opens the
// interview. NULL for interviews opened before this version: their start language was never kept.
constexpr const char* schema_v7 = R"sql(
ALTER TABLE interviews ADD COLUMN start_language TEXT;
)sql";

constexpr migration migrations[] = {
    {1, "the fieldwork schema", schema_v1},
    {2, "index call attempts by time", schema_v2},
    {3, "session tokens", schema_v3},
    {4, "the serving server's ownership record", schema_v4},
    {5, "durable locks, owners, suspensions, request log; unique respondent ids", schema_v5},
    {6, "sample replicates, interviewer skills", schema_v6},
    {7, "the language an interview started in", schema_v7},
};

int application_id(SQLite::Database& db) { return db.execAndGet("PRAGMA application_id").getInt(); }

bool has_tables(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").getInt() > 0;
}

void check_is_fieldwork(SQLite::Database& db, const std::string& label, int version) {
  int app = application_id(db);
  if (app == cati_application_id) return;
  if (app != 0 || version != 0 || has_tables(db))
    throw store_error(store_errc::not_a_fieldwork,
                      label + " is not a cati fieldwork file (it is some other SQLite database)");
}

}  // namespace

void check_readable(SQLite::Database& db, const std::string& label) {
  try {
    int version = schema_version(db);
    check_is_fieldwork(db, label, version);
    if (version == 0) throw store_error(store_errc::not_found, label + " holds no fieldwork yet");
    if (version > latest_schema_version())
      throw store_error(store_errc::schema_too_new,
                        label + " is at schema version " + std::to_string(version) + "; this cati knows up to " +
                            std::to_string(latest_schema_version()) + ": upgrade cati");
  } catch (const SQLite::Exception& e) {
    throw store_error(store_errc::sqlite, label + ": " + e.what());
  }
}

int latest_schema_version() { return std::span(migrations).back().version; }

int schema_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db, const std::string& label, int target) {
  try {
    int version = schema_version(db);
    check_is_fieldwork(db, label, version);
    if (version > latest_schema_version())
      throw store_error(store_errc::schema_too_new,
                        label + " is at schema version " + std::to_string(version) + "; this cati knows up to " +
                            std::to_string(latest_schema_version()) + ": upgrade cati");
    for (const auto& m : migrations) {
      if (m.version <= version || m.version > target) continue;
      // BEGIN IMMEDIATE: another process opening the same new file waits instead of migrating it too;
      // the version is re-read under the lock for that case.
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      if (schema_version(db) >= m.version) continue;
      db.exec(m.sql);
      db.exec("PRAGMA application_id = " + std::to_string(cati_application_id));
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    }
  } catch (const SQLite::Exception& e) {
    throw store_error(store_errc::sqlite, label + ": cannot upgrade the schema: " + e.what());
  }
}

}  // namespace cati::store
