#!/usr/bin/env bash
# tests/pg/cluster_db_failover_test.sh TOOLS_CLUSTER: the database side of tools/cluster alone. It starts a
# primary and its synchronous replica on their own ports; a libpq client (psql) writes through the
# multi-host URL it prints (target_session_attrs=read-write); the primary's postmaster gets SIGKILL;
# tools/cluster promotes the replica; the same URL then reaches the promoted replica, which has every row
# committed before the kill, and takes new writes. SIGTERM (what Ctrl-C does; a background job of a script
# ignores SIGINT) stops it and leaves no postmaster and no folder behind.
set -euo pipefail
cluster=$1
fail() { echo "FAIL: $*" >&2; [ -f "${out:-}" ] && sed 's/^/  cluster: /' "$out" >&2; exit 1; }

work=$(mktemp -d /tmp/cati-cl-test.XXXXXX)
out=$work/out.txt
setsid "$cluster" --db postgresql --db-only --pg-ports 5451,5452 --dir "$work/state" >"$out" 2>&1 &
runner=$!
trap 'kill -TERM -- -$runner 2>/dev/null || true; wait $runner 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 600); do grep -q '^the database side only' "$out" && break; kill -0 $runner || fail "tools/cluster ended"; sleep 0.1; done
grep -q '^the database side only' "$out" || fail "tools/cluster did not start the database within 60 s"
url=$(sed -n 's/^database: //p' "$out")
primary=$(sed -n 's/^  primary \([^ ]*\) (port 5451).*/\1/p' "$out")
[[ $url == *target_session_attrs=read-write* ]] || fail "not a multi-host read-write URL: $url"
[[ $url == *port=5451,5452* ]] || fail "the URL does not name the two ports: $url"
[ "$(psql "$url" -Atc 'SELECT pg_is_in_recovery()')" = f ] || fail "the URL does not reach the primary"
[ "$(psql "$url" -Atc 'SELECT sync_state FROM pg_stat_replication')" = sync ] || fail "the replica is not synchronous"
[ "$(psql "$url" -Atc 'SHOW synchronous_commit')" = on ] || fail "synchronous_commit is not on"

psql "$url" -qAt -v ON_ERROR_STOP=1 -c 'CREATE TABLE acked (n integer PRIMARY KEY)' \
  -c 'INSERT INTO acked SELECT generate_series(1, 100)' || fail "writing to the primary"

kill -KILL "$(head -1 "$primary/data/postmaster.pid")"
for _ in $(seq 600); do grep -q 'promoted the replica' "$out" && break; sleep 0.1; done
grep -q 'promoted the replica' "$out" || fail "tools/cluster did not promote the replica within 60 s"

ok=no
for _ in $(seq 100); do  # the promotion finishes, then the URL finds a read-write server
  if psql "$url" -qAt -v ON_ERROR_STOP=1 -c 'INSERT INTO acked VALUES (101)' 2>/dev/null; then ok=yes; break; fi
  sleep 0.2
done
[ "$ok" = yes ] || fail "no write through the multi-host URL after the promotion"
[ "$(psql "$url" -Atc 'SELECT count(*), min(n), max(n), pg_is_in_recovery() FROM acked')" = "101|1|101|f" ] ||
  fail "the promoted replica has $(psql "$url" -Atc 'SELECT count(*), min(n), max(n) FROM acked')"

kill -TERM -- -$runner
wait $runner || true
grep -q 'tools/cluster: stopped' "$out" || fail "tools/cluster did not say it stopped"
[ ! -e "$(dirname "$primary")" ] || fail "$(dirname "$primary") is left behind"
pgrep -f "postgres -D $(dirname "$primary")" >/dev/null && fail "a postmaster is left"
echo "PASS: rows committed before the primary's SIGKILL are on the promoted replica; the same URL writes again"
