#!/usr/bin/env bash
# tests/cluster/cluster_sqlite_test.sh: tools/cluster's default mode against the built binaries
# (CATI_BUILD_DIR): two cati-servers on one SQLite file; /healthz says which is active; after a SIGKILL of
# the active one the standby serves and tools/cluster brings the killed one back as the standby; SIGTERM
# (what Ctrl-C does) stops everything and leaves nothing listening.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${CATI_BUILD_DIR:?set CATI_BUILD_DIR to the build folder}"
fail() { echo "FAIL: $*" >&2; [ -f "${out:-}" ] && sed 's/^/  cluster: /' "$out" >&2; exit 1; }

# GET /healthz on 127.0.0.1:$1: "STATUS BODY" (the body's first line), "" when nothing answers.
healthz() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3 &&
            cat <&3) 2>/dev/null | tr -d '\r') || true
  [ -n "$reply" ] || return 0
  echo "$(sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' <<<"$reply") $(sed -n '/^$/{n;p;q}' <<<"$reply")"
}
healthz_is() { [ "$(healthz "$1")" = "$2" ]; }
wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 60 s
  local what=$1
  shift
  for _ in $(seq 300); do "$@" && return 0; sleep 0.2; done
  fail "$what"
}
free_port() { local p; while :; do p=$((20000 + RANDOM % 20000)); [ -z "$(healthz $p)" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo $p; return; }; done; }

a=$(free_port) b=$(free_port)
[ "$a" != "$b" ] || b=$((a + 1))
work=$(mktemp -d /tmp/cati-cluster-test.XXXXXX)
out=$work/out.txt
setsid "$root/tools/cluster" --ports "$a,$b" --dir "$work/state" >"$out" 2>&1 &
runner=$!
trap 'kill -TERM -- -$runner 2>/dev/null || true; wait $runner 2>/dev/null || true; rm -rf "$work"' EXIT

wait_for "tools/cluster did not start both servers" grep -q 'Ctrl-C stops everything' "$out"
grep -q -- "--server ws://127.0.0.1:$a,ws://127.0.0.1:$b" "$out" || fail "it does not print the terminals' server list"
[ "$(healthz $a)" = "200 active" ] || fail "the first server: $(healthz $a)"
[ "$(healthz $b)" = "503 standby: the active server is at ws://127.0.0.1:$a" ] || fail "the standby: $(healthz $b)"

active_pid=$(sed -n 's/.*(GET \/healthz: 200 active; pid \([0-9]*\)).*/\1/p' "$out")
[ -n "$active_pid" ] || fail "no pid printed for the active server"
kill -KILL "$active_pid"
wait_for "the standby did not take over" healthz_is "$b" "200 active"
wait_for "the killed server did not come back as the standby" \
  healthz_is "$a" "503 standby: the active server is at ws://127.0.0.1:$b"
grep -q "cati-server 0 (ws://127.0.0.1:$a) ended (status 137); starting it again as the standby" "$out" ||
  fail "tools/cluster did not say what it did"

kill -TERM -- -$runner
wait $runner || true
grep -q 'tools/cluster: stopped' "$out" || fail "tools/cluster did not say it stopped"
[ -z "$(healthz $a)$(healthz $b)" ] || fail "a server still answers after the stop"
echo "PASS: standby served after the SIGKILL, the killed server came back as the standby, nothing left after SIGTERM"
