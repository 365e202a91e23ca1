#!/usr/bin/env bash
# tests/pg/replica_failover_test.sh BENCH_PG TOOLS_PG: a primary and its synchronous streaming replica
# from tools/pg; bench-pg writes through the multi-host URL (target_session_attrs=read-write) while the
# primary gets SIGKILL mid-run; the replica is promoted. Every row bench-pg saw committed is on the
# promoted replica, once; the batch in flight at the kill is there whole or not at all; and bench-pg goes
# on writing through the same URL, now served by the former replica. The groundwork of issue 16's
# database failover: synchronous_commit on + synchronous_standby_names means an acknowledged commit is
# on both machines.
set -euo pipefail
bench=$1 pg=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

primary=$(mktemp -d /tmp/cati-pg-p.XXXXXX)
replica=$(mktemp -d /tmp/cati-pg-r.XXXXXX)
trap '"$pg" stop "$replica"; "$pg" stop "$primary"' EXIT
"$pg" start "$primary" >/dev/null
"$pg" start "$replica" --replica-of "$primary" >/dev/null
url=$("$pg" url "$primary" "$replica")
[ "$(psql "$url" -Atc 'SELECT pg_is_in_recovery()')" = f ] || fail "the multi-host URL does not reach the primary"
[ "$(psql "$("$pg" url "$primary")" -Atc 'SELECT sync_state FROM pg_stat_replication')" = sync ] ||
  fail "the replica is not a synchronous standby"

interviews=8 batch=16
source "$(dirname "$0")/rows_check.sh"

# Writing, and the primary killed 1.5 s in.
out=$(mktemp)
trap 'rm -f "$out"; "$pg" stop "$replica"; "$pg" stop "$primary"' EXIT
"$bench" --url "$url" --setup --method pipeline --batch $batch --interviews $interviews --first-interview 1 \
  --duration 30 >"$out" 2>/dev/null &
writer=$!
sleep 1.5
kill -KILL "$(head -1 "$primary/data/postmaster.pid")"
rc=0
wait "$writer" || rc=$?
cat "$out"
[ "$rc" -eq 1 ] || fail "bench-pg did not notice the primary's death (exit $rc)"
grep -q '"failed": true' "$out" || fail "bench-pg's report does not say it failed"
rows=$(sed -E 's/.*"rows": ([0-9]+).*/\1/' "$out")
[ "$rows" -gt 0 ] || fail "nothing was committed before the kill"

"$pg" promote "$replica"
[ "$(psql "$url" -Atc 'SELECT pg_is_in_recovery()')" = f ] || fail "the multi-host URL does not reach the promoted replica"
# The rows committed before the kill, and the batch in flight whole or not at all.
acked=$(check 1 "$rows")
with_inflight=$(check 1 $((rows + batch)))
[ "$acked" = "t|t|t" ] || [ "$with_inflight" = "t|t|t" ] ||
  fail "after failover: $rows acknowledged rows checked $acked, with the batch in flight $with_inflight"
echo "on the promoted replica: $rows acknowledged rows (+ in-flight batch: $([ "$with_inflight" = "t|t|t" ] && echo stored || echo not stored))"

# And the same URL goes on with the former replica.
json=$("$bench" --url "$url" --method pipeline --batch $batch --interviews $interviews --first-interview 1001 \
         --duration 1)
echo "$json"
rows=$(sed -E 's/.*"rows": ([0-9]+).*/\1/' <<<"$json")
[ "$(check 1001 "$rows")" = "t|t|t" ] || fail "writing after the failover: $(check 1001 "$rows")"
echo "PASS"
