#!/usr/bin/env bash
# tests/pg/server_sim_test.sh BUILD_DIR SOURCE_DIR: a real cati-server on PostgreSQL (issue 16), end to end.
# In a schema of its own in the test cluster (CATI_TEST_PG, the CTest fixture pg_test_cluster):
# `cati sample import --db postgresql://...`, cati-server --db postgresql://... on a manual clock, and
# `cati sim` driving four simulated interviewers over WebSocket through one fieldwork day. Every answer
# the server acknowledged is in the answers table exactly once (the simulation's own count, "lost 0,
# doubled 0"), no quota cell is over its target; a second server on the same database exits 4 naming
# the first; `cati report` reads the database. The schema is dropped and the server stopped whatever
# happens.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/e2e_lib.sh"
pg_test_schema sim

head -1501 "$src/schema/ai_barometer_2025/frame.csv" >"$work/frame.csv"
"$build/tools/cati" sample import --db "$url" --study "$src/schema/ai_barometer_2025" "$work/frame.csv" >"$work/import.log" 2>&1 ||
  fail "import: $(cat "$work/import.log")"

start_server "$work/server.log" --clock manual:2025-10-13T09:00:00+02:00

set +e
"$build/server/cati-server" --study "$src/schema/ai_barometer_2025" --db "$url" --listen 127.0.0.1:0 >"$work/second.log" 2>&1
second=$?
set -e
[ "$second" = 4 ] || fail "a second server on the database exited $second, not 4: $(cat "$work/second.log")"
grep -q "is served by cati-server on" "$work/second.log" || fail "the second server did not name the holder: $(cat "$work/second.log")"

"$build/tools/cati" sim --study "$src/schema/ai_barometer_2025" --server "ws://127.0.0.1:$port" --db "$url" \
  --interviewers 4 --days 1 --seed 11 --out "$work/sim" >"$work/sim.log" 2>&1 || fail "cati sim: $(cat "$work/sim.log")"
grep -q "answers lost 0, doubled 0" "$work/sim.log" || fail "answers lost or doubled: $(cat "$work/sim.log")"
grep -q "No cell went over its target." "$work/sim/report.md" || fail "a cell went over its target"
rows=$(psql "$url" -Atc "SELECT count(*) FROM answers")
[ "$rows" -gt 0 ] || fail "no answers stored"
"$build/tools/cati" report --db "$url" --study "$src/schema/ai_barometer_2025" --by overall >"$work/report.txt" 2>&1 ||
  fail "cati report: $(cat "$work/report.txt")"
grep -q "complete interview" "$work/report.txt" || fail "the report has no dispositions: $(cat "$work/report.txt")"
echo "ok: $(tail -1 "$work/sim.log")"
