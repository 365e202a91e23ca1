#!/usr/bin/env bash
# tests/pg/bench_pg_test.sh BENCH_PG TOOLS_PG: the private PostgreSQL cluster and bench-pg, for real.
#  1. tools/pg starts a cluster; bench-pg writes answer rows for a second with each of its methods (its own
#     interviews each); every row it reported is in the table exactly once, with the value it wrote, and
#     each interview's snapshot is its last answer's: compared as counts and md5 digests of the table
#     against the rows recomputed from bench-pg's own report. The cluster runs with fsync and
#     synchronous_commit on. The check itself is shown to see a changed value, a lost row and a stale
#     snapshot. tools/pg stops the cluster and removes its folder.
#  2. A caller of `tools/pg start` killed with SIGKILL leaves no postmaster and no folder (the watchdog).
#  3. `tools/pg run` killed with SIGKILL leaves no postmaster and no folder either.
set -euo pipefail
bench=$1 pg=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
export PGUSER=cati PGDATABASE=cati  # psql below; the URL names them too

# Polls (up to 20 s) until process $1 is gone; fails naming $2 otherwise.
wait_gone() {
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  fail "$2: process $1 still runs"
}

# 1. The rows, exactly once.
dir=$(mktemp -d /tmp/cati-pg-test.XXXXXX)
trap '"$pg" stop "$dir"' EXIT
url=$("$pg" start "$dir")
[ "$url" = "postgresql:///cati?host=$dir&user=cati" ] || fail "tools/pg start printed '$url'"
[ "$(psql "$url" -Atc 'SHOW fsync')" = on ] || fail "fsync is not on"
[ "$(psql "$url" -Atc 'SHOW synchronous_commit')" = on ] || fail "synchronous_commit is not on"
[ "$(psql "$url" -Atc "SHOW listen_addresses")" = "" ] || fail "the cluster listens on TCP"

interviews=8

source "$(dirname "$0")/rows_check.sh"  # check FIRST ROWS

first=1
setup=--setup
for method in $("$bench" --list-methods); do
  json=$("$bench" --url "$url" $setup --method "$method" --batch 16 --interviews $interviews \
           --first-interview $first --duration 1)
  setup=
  echo "$json"
  rows=$(sed -E 's/.*"rows": ([0-9]+).*/\1/' <<<"$json")
  [ "$rows" -gt 0 ] || fail "$method wrote no rows"
  result=$(check $first "$rows")
  [ "$result" = "t|t|t" ] || fail "$method: count, digest, snapshots = $result (expected t|t|t)"
  last_first=$first last_rows=$rows
  first=$((first + 1000))
done
# The check can fail: a row changed, a row lost and a snapshot changed are each seen.
psql "$url" -q -v ON_ERROR_STOP=1 -c "UPDATE bench_pg.answers SET value = 'x' WHERE interview_id = $last_first AND seq = 1"
[ "$(check $last_first "$last_rows")" = "t|f|t" ] || fail "a changed value went unseen"
psql "$url" -q -v ON_ERROR_STOP=1 -c "DELETE FROM bench_pg.answers WHERE interview_id = $last_first AND seq = 1"
[ "$(check $last_first "$last_rows")" = "f|f|t" ] || fail "a lost row went unseen"
psql "$url" -q -v ON_ERROR_STOP=1 -c "UPDATE bench_pg.interviews SET snapshot = 'seq=1' WHERE id = $last_first"
[ "$(check $last_first "$last_rows")" = "f|f|f" ] || fail "a stale snapshot went unseen"
[ "$(psql "$url" -Atc 'SELECT count(*) FROM bench_pg.answers')" -gt 0 ] || fail "no rows at all"
postmaster=$(head -1 "$dir/data/postmaster.pid")
"$pg" stop "$dir"
wait_gone "$postmaster" "tools/pg stop"
[ ! -e "$dir" ] || fail "tools/pg stop left $dir"
trap - EXIT

# 2. The caller of `tools/pg start` killed: the watchdog stops the cluster.
dir=$(mktemp -d /tmp/cati-pg-test.XXXXXX)
setsid bash -c '"$1" start "$2" >/dev/null && touch "$2.up" && exec sleep 300' runner "$pg" "$dir" \
  </dev/null >/dev/null 2>&1 &
runner=$!
trap 'kill -KILL $runner 2>/dev/null || true; "$pg" stop "$dir"; rm -f "$dir.up"' EXIT
for _ in $(seq 300); do [ -e "$dir.up" ] && break; sleep 0.1; done
[ -e "$dir.up" ] || fail "the cluster of the runner did not start"
postmaster=$(head -1 "$dir/data/postmaster.pid")
kill -0 "$postmaster" || fail "no postmaster for the runner"
kill -KILL "$runner"
wait "$runner" 2>/dev/null || true
wait_gone "$postmaster" "after its caller was killed, the postmaster"
for _ in $(seq 50); do [ -e "$dir" ] || break; sleep 0.1; done
[ ! -e "$dir" ] || fail "after its caller was killed, $dir is left"
rm -f "$dir.up"
trap - EXIT

# 3. `tools/pg run` killed.
mark=$(mktemp /tmp/cati-pg-test-run.XXXXXX)
# The command writes its pid and the cluster's folder; killing `run` orphans it, so the test ends it too.
setsid "$pg" run -- bash -c 'echo "$$ $PGHOST" >"$1"; exec sleep 300' cmd "$mark" </dev/null >/dev/null 2>&1 &
run=$!
trap 'kill -KILL $run 2>/dev/null || true; [ ! -s "$mark" ] || kill "$(cut -d" " -f1 "$mark")" 2>/dev/null || true
      rm -f "$mark"' EXIT
for _ in $(seq 300); do [ -s "$mark" ] && break; sleep 0.1; done
[ -s "$mark" ] || fail "tools/pg run did not start its command"
dir=$(cut -d" " -f2 "$mark")
postmaster=$(head -1 "$dir/data/postmaster.pid")
kill -0 "$postmaster" || fail "no postmaster for tools/pg run"
kill -KILL "$run"
wait "$run" 2>/dev/null || true
wait_gone "$postmaster" "after tools/pg run was killed, the postmaster"
for _ in $(seq 50); do [ -e "$dir" ] || break; sleep 0.1; done
[ ! -e "$dir" ] || fail "after tools/pg run was killed, $dir is left"
kill "$(cut -d" " -f1 "$mark")"
rm -f "$mark"
trap - EXIT
echo "PASS"
