#!/usr/bin/env bash
# tests/cluster/cluster_test.sh sqlite|postgresql: tools/cluster against the built binaries
# (CATI_BUILD_DIR): two cati-servers on one fieldwork (one SQLite file; or a PostgreSQL primary with a
# synchronous replica); /healthz says which is active; after a SIGKILL of the active one the standby serves
# and tools/cluster brings the killed one back as the standby. On PostgreSQL the primary is then killed
# too: tools/cluster promotes the replica and the active server goes on (the same process, reconnected).
# Then a real terminal (cati-term --script, given both servers) logs in and answers through what is
# left. SIGTERM (what Ctrl-C does) stops everything and leaves nothing listening.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:?usage: cluster_test.sh sqlite|postgresql}
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
# A port free now and below the kernel's ephemeral range (ip_local_port_range, 32768 up by default), so
# that the connections other tests open meanwhile (the PostgreSQL side takes half a minute to start)
# cannot take it before tools/cluster binds it.
low_port() { local top; top=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768); ((top > 21000)) || top=32768; echo $((20000 + RANDOM % (top - 20000))); }
free_port() { local p; while :; do p=$(low_port); [ -z "$(healthz $p)" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo $p; return; }; done; }

a=$(free_port) b=$(free_port)
[ "$a" != "$b" ] || b=$((a + 1))
# The PostgreSQL servers' ports name their unix sockets (in tools/cluster's own folders): any two differ.
p=$(low_port)
work=$(mktemp -d /tmp/cati-cluster-test.XXXXXX)
out=$work/out.txt
setsid "$root/tools/cluster" --db "$mode" --ports "$a,$b" --pg-ports "$p,$((p + 1))" --dir "$work/state" >"$out" 2>&1 &
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

if [ "$mode" = postgresql ]; then
  serving_pid=$(pgrep -f -- "--listen 127.0.0.1:$b" | head -1)
  primary_pid=$(sed -n 's/.*Kill -9 the primary (\([0-9]*\)).*/\1/p' "$out")
  [ -n "$primary_pid" ] && [ -n "$serving_pid" ] || fail "no pid printed for the primary, or no server on port $b"
  kill -KILL "$primary_pid"
  wait_for "tools/cluster did not promote the replica" grep -q 'promoted the replica' "$out"
fi

# A real terminal, given both servers, through what is left: a login, a case, the first screens.
awk '$1 == "anna" { print $3 }' "$work/state/users.txt" >"$work/password"
cat >"$work/script" <<'SCRIPT'
login
expect login anna role=interviewer
next
expect case
start
expect screen intro
answer
expect screen s1_decider
answer 1
expect screen s2_fte
logout
SCRIPT
"$CATI_BUILD_DIR/client/cati-term" --server "ws://127.0.0.1:$a,ws://127.0.0.1:$b" --user anna \
  --password-file "$work/password" --journal-dir "$work/journal" --timeout 30000 --script "$work/script" \
  >"$work/term.out" 2>&1 || fail "the terminal's script failed: $(cat "$work/term.out")"
healthz_is "$b" "200 active" || fail "the server that took over is no longer active: $(healthz "$b")"
if [ "$mode" = postgresql ]; then
  # The same process served before and after the promotion: it reconnected instead of exiting.
  [ "$(pgrep -f -- "--listen 127.0.0.1:$b" | head -1)" = "$serving_pid" ] ||
    fail "the active server did not survive the primary's failover"
fi

kill -TERM -- -$runner
wait $runner || true
grep -q 'tools/cluster: stopped' "$out" || fail "tools/cluster did not say it stopped"
[ -z "$(healthz $a)$(healthz $b)" ] || fail "a server still answers after the stop"
echo "PASS ($mode): standby served after the SIGKILL, the killed server came back as the standby,$([ "$mode" = postgresql ] && echo " the replica promoted after the primary's SIGKILL,") a terminal worked, nothing left after SIGTERM"
