// Whether a logged call is a partial interview (AAPOR 1.2), as SQL over call_attempts aliased `a`.
//
// Since schema version 10 the fieldwork service records it with the call (call_attempts.partial, decided
// when the break-off happens: core::call_attempt::partial). A file at an older version, read as it is by a
// read-only command (which never migrates), and migration 10's backfill of such a file, derive it instead
// by the rule readers used before: a break-off once an interview of the case had answered the study's
// partial_after question (the line `partial_after: "NAME"` of the questionnaire text last loaded).
// The derived rule is spelled once per dialect here, as string literals that migrations.cpp pastes into
// its (constant) migration text.
#pragma once

#include <string>

namespace cati::store::sql {
class connection;
}

// SQLite: the study's partial question from its questionnaire text, then any earlier answer row to it.
#define CATI_DERIVED_PARTIAL_SQLITE                                                                          \
  "(a.outcome = 'break_off' AND EXISTS ("                                                                    \
  " SELECT 1 FROM answers pa JOIN interviews pi ON pi.id = pa.interview_id"                                  \
  " WHERE pi.case_id = a.case_id AND pa.kind = 'set' AND pa.at <= a.at"                                      \
  " AND pa.question = (SELECT substr(rest, 1, instr(rest, '\"') - 1)"                                        \
  "   FROM (SELECT substr(t, instr(t, char(10) || 'partial_after: \"') + 17) AS rest"                        \
  "     FROM (SELECT char(10) || questionnaire_text AS t FROM study ORDER BY seq DESC LIMIT 1)"              \
  "     WHERE instr(t, char(10) || 'partial_after: \"') > 0))))"

// PostgreSQL: the same, the question taken with a regular expression.
#define CATI_DERIVED_PARTIAL_PG                                                                              \
  "(a.outcome = 'break_off' AND EXISTS ("                                                                    \
  " SELECT 1 FROM answers pa JOIN interviews pi ON pi.id = pa.interview_id"                                  \
  " WHERE pi.case_id = a.case_id AND pa.kind = 'set' AND pa.at <= a.at"                                      \
  " AND pa.question = (SELECT substring(E'\\n' || questionnaire_text FROM E'\\npartial_after: \"([^\"]*)\"')" \
  "   FROM study ORDER BY seq DESC LIMIT 1)))"

namespace cati::store {

// An integer column expression (1 partial, 0 not) over call_attempts `a`: a.partial on a file at schema
// version 10 or later, the derived rule above on an older one.
std::string call_partial_sql(sql::connection& db);

}  // namespace cati::store
