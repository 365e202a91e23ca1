# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# 7. Front-end failover (sourced by tools/bench): two cati-servers on one fieldwork, the first active,
# the second `--standby` on its own port; $storm_terms terminals given both URLs (cati-load --mode storm
# --server A,B: they find the active one as the client library does, lib/server_rotation.hpp) in a paced
# Back/Answer loop at $storm_terms/2 requests/s. The active server is killed (kill -9) in the middle of
# the window and not restarted: the standby takes over. Reports how long the standby took to answer
# /healthz "200 active" after the kill, and per terminal the time from losing its connection to being
# back at its screen on the new active server (p50/p99/max). The proof (bench/steps/storm_common.sh): every
# acknowledged answer stored once, nothing stored unacknowledged; a lost or doubled answer is an error.
# Target (issue 16): under 2,000 terminals every terminal back within 5 s; lost 0, doubled 0.

# shellcheck source=bench/steps/storm_common.sh
source bench/steps/storm_common.sh

# GET /healthz on 127.0.0.1:$1: its status code, "" when nothing answers.
healthz_status() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&3 &&
    sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' <&3; exec 3<&-; } 2>/dev/null || true
}

step_failover() {
  local window=15 kill_after=3
  ((quick)) && window=4 kill_after=1
  local rate=$(((storm_terms + 1) / 2))
  start_cati_server
  local active_pid=$server_pid active_port=$server_port server_placement
  server_placement=$(placement "$active_pid")
  # The standby, on the same fieldwork, on a port of its own; at log level info, for the times of its
  # takeover's stages.
  "$build/server/cati-server" --study "$study" --db "$run_db" --listen 127.0.0.1:0 --standby \
    --clock from:2025-10-13T09:00:00+02:00 --log-level info >"$work/standby.out" 2>"$work/standby.err" &
  local standby_pid=$! standby_port=""
  pids+=("$standby_pid")
  for _ in $(seq 600); do
    standby_port=$(sed -n 's/^listening on .*:\([0-9]\{1,5\}\)$/\1/p' "$work/standby.out")
    [ -n "$standby_port" ] && break
    kill -0 "$standby_pid" 2>/dev/null || fail "the standby exited: $(cat "$work/standby.err")"
    sleep 0.1
  done
  [ -n "$standby_port" ] || fail "the standby did not say 'listening on' within 60 s"
  [ "$(healthz_status "$standby_port")" = 503 ] || fail "the second server is not a standby: $(cat "$work/standby.err")"

  local ledger=$work/failover.ledger load_pid load_placement
  start_storm_load failover "ws://127.0.0.1:$active_port,ws://127.0.0.1:$standby_port" "$rate" "$window" "$kill_after"

  # The active server dies; the standby's /healthz is polled every 10 ms until it says it is active.
  local t_kill t_active
  crash "$active_pid"
  until [ "$(healthz_status "$standby_port")" = 200 ]; do
    kill -0 "$standby_pid" 2>/dev/null || fail "the standby exited instead of taking over: $(cat "$work/standby.err")"
    sleep 0.01
  done
  t_active=$(date +%s.%N)
  local takeover_s owner_s serving_s
  takeover_s=$(awk -v a="$t_active" -v b="$t_kill" 'BEGIN { printf "%.3f", a - b }')
  # From the standby's log: when it held the fieldwork (the lock got, the epoch written), and when it
  # served (the fieldwork's state and the sessions restored), in seconds after the kill.
  since_kill() {
    local at
    at=$(grep -m1 "$1" "$work/standby.err" | awk '{ print $1 }')
    [ -n "$at" ] || { echo null; return; }
    awk -v a="$(date -d "$at" +%s.%N)" -v b="$t_kill" 'BEGIN { printf "%.3f", a - b }'
  }
  owner_s=$(since_kill ' as owner, epoch ')
  serving_s=$(since_kill 'took over: serving at ')

  wait "$load_pid" || storm_load_failed failover
  server_pid=$standby_pid
  stop_server
  local json
  json=$(<"$work/failover.out")
  [ "$(field "$json" lost_connection)" = "$storm_terms" ] \
    || fail "failover: $(field "$json" lost_connection) of $storm_terms terminals lost the connection: $json"
  [ "$(field "$json" back)" -ge "$storm_terms" ] || fail "failover: only $(field "$json" back) of $storm_terms terminals came back: $json"

  local n_acked n_stored lost doubled acked stored
  ledger_proof "$ledger" failover
  local p50 p99 max
  p50=$(field "$json" back_p50_ms) p99=$(field "$json" back_p99_ms) max=$(field "$json" back_max_ms)
  results+=("\"failover\": {\"load\": $json, \"terminals\": $storm_terms, \"rate\": $rate, \"window_s\": $window, \"killed_s_into_window\": $kill_after, \"takeover_s\": $takeover_s, \"standby_owner_s\": $owner_s, \"standby_serving_s\": $serving_s, \"back_p50_ms\": $p50, \"back_p99_ms\": $p99, \"back_max_ms\": $max, \"acked\": $n_acked, \"stored\": $n_stored, \"lost\": $lost, \"doubled\": $doubled, \"server_placement\": \"$server_placement\", \"load_placement\": \"$load_placement\"}")
  table+=("$(row "failover ($storm_terms terminals)" "$(field "$json" back)/$storm_terms back" \
    "$(awk -v m="$p50" 'BEGIN { printf "%.0f", m * 1000 }')" "$(awk -v m="$p99" 'BEGIN { printf "%.0f", m * 1000 }')" - \
    "back max $max ms; standby owner $owner_s s, serving $serving_s s, healthz active $takeover_s s after the kill; standby replies $(field "$json" standby_replies); re-logins token $(field "$json" relogin_token)/password $(field "$json" relogin_password); resent $(field "$json" resent); $n_acked acked, lost $lost, doubled $doubled")")
  ledger_ok failover
}
