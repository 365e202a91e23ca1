# tests/pg/e2e_lib.sh: what the end-to-end tests on PostgreSQL share (server_sim_test.sh, db_copy_sim_test.sh).
# Sourced after `set -euo pipefail`, with $build (the build folder) and $src (the checkout) set.
#   fail MESSAGE...           says FAIL: MESSAGE on stderr and exits 1
#   pg_test_schema NAME       a schema of the test's own in the test cluster (CATI_TEST_PG, the CTest fixture
#                             pg_test_cluster) and a work folder: sets schema, url (CATI_TEST_PG with that
#                             search_path) and work; both go, and the server start_server started is stopped,
#                             whatever happens
#   start_server LOG ARGS...  cati-server on the seed study and $url, listening on a free port, ARGS added, in
#                             the background: sets server (its pid) and port once it listens
fail() { echo "FAIL: $*" >&2; exit 1; }

pg_test_cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$CATI_TEST_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}

pg_test_schema() {
  [ -n "${CATI_TEST_PG:-}" ] || fail "CATI_TEST_PG is not set (run through ctest: the fixture pg_test_cluster sets it)"
  schema="$1$$"
  url="$CATI_TEST_PG&options=-csearch_path%3D$schema"
  work=$(mktemp -d "/tmp/cati-pg-$1.XXXXXX")
  server=""
  trap pg_test_cleanup EXIT
  psql "$CATI_TEST_PG" -qc "CREATE SCHEMA $schema"
}

start_server() {
  local log=$1
  shift
  "$build/server/cati-server" --study "$src/schema/ai_barometer_2025" --db "$url" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server=$!
  port=""
  for _ in $(seq 100); do
    port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "the server did not start: $(cat "$log")"
}
