#!/usr/bin/env bash
# tests/pg/db_copy_sim_test.sh BUILD_DIR SOURCE_DIR: `cati db copy` (issue 16) on a simulated fieldwork.
# `cati sim --frame-size 300 --days 2` makes a real fieldwork file through a real cati-server (calls,
# appointments, interviews, answers, quota cells, replicates, a session, the request log). It is copied into
# a schema of its own in the test cluster (CATI_TEST_PG, the CTest fixture pg_test_cluster) and back into a
# new file: both copies exit 0 with every table matching, and the final file's rows are the original's, byte
# for byte as the sqlite3 shell dumps them (the ownership record left out). A cati-server started on the
# PostgreSQL copy serves it at once (epoch 1, active), and while it runs a copy from it is refused, naming
# it, and creates nothing; so is a copy into a database that holds a fieldwork already. The schema, the
# server and the files go whatever happens.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/e2e_lib.sh"
pg_test_schema copy
cati="$build/tools/cati"

"$cati" sim --study "$src/schema/ai_barometer_2025" --frame-size 300 --days 2 --seed 5 --out "$work/sim" \
  >"$work/sim.log" 2>&1 || fail "cati sim: $(cat "$work/sim.log")"
original="$work/sim/fieldwork.db"
rows_of() { sqlite3 -readonly "$1" .dump | grep '^INSERT INTO' | grep -v '^INSERT INTO ownership' || true; }
rows_of "$original" >"$work/original.sql"
for table in answers call_attempts interviews sessions request_log quota_cells; do
  grep -q "^INSERT INTO $table VALUES" "$work/original.sql" || fail "the simulated fieldwork has no rows in $table"
done

copy() {  # FROM TO LOG: a copy that must succeed, every table matching
  "$cati" db copy --from "$1" --to "$2" >"$3" 2>&1 || fail "cati db copy --from $1 --to $2: $(cat "$3")"
  ! grep -q MISMATCH "$3" || fail "a digest differs: $(cat "$3")"
  grep -q "every row count and digest matches" "$3" || fail "no summary: $(cat "$3")"
}
copy "$original" "$url" "$work/to_pg.log"
copy "$url" "$work/back.db" "$work/back.log"
rows_of "$work/back.db" >"$work/back.sql"
cmp -s "$work/original.sql" "$work/back.sql" || fail "the round trip changed rows: $(diff "$work/original.sql" "$work/back.sql" | head -5)"
# The digests printed for the two copies are the same, table by table.
diff <(grep -E '^[a-z_]+ +[0-9]+ +[0-9]+ ' "$work/to_pg.log") <(grep -E '^[a-z_]+ +[0-9]+ +[0-9]+ ' "$work/back.log") >/dev/null ||
  fail "the digests differ between the two copies"

# A server serves the PostgreSQL copy at once.
start_server "$work/server.log" --clock manual:2025-10-15T09:00:00+02:00
grep -q "as owner, epoch 1" "$work/server.log" || fail "the copy had an owner already: $(cat "$work/server.log")"
grep -q "fieldwork loaded: 300 cases" "$work/server.log" || fail "the server did not load the copy: $(cat "$work/server.log")"

set +e
"$cati" db copy --from "$url" --to "$work/while_served.db" >"$work/served.log" 2>&1
served=$?
"$cati" db copy --from "$original" --to "$work/back.db" >"$work/full.log" 2>&1
full=$?
set -e
[ "$served" = 1 ] || fail "a copy from a served database exited $served: $(cat "$work/served.log")"
grep -q "is held by a running cati-server: host .*listening on ws://127.0.0.1:$port" "$work/served.log" ||
  fail "the refusal did not name the server: $(cat "$work/served.log")"
[ ! -e "$work/while_served.db" ] || fail "a refused copy created its destination"
[ "$full" = 1 ] || fail "a copy into a fieldwork exited $full: $(cat "$work/full.log")"
grep -q "already holds a fieldwork" "$work/full.log" || fail "$(cat "$work/full.log")"
cmp -s "$work/original.sql" <(rows_of "$work/back.db") || fail "a refused copy changed its destination"
echo "ok: $(tail -1 "$work/back.log")"
