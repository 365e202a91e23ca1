# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# 6. Reconnect storm (sourced by tools/bench): $storm_terms terminals in mid-interview (cati-load --mode
# storm, a paced Back/Answer loop at $storm_terms/2 requests/s), the server killed (kill -9) in the middle
# of the window and restarted on the same port and the same fieldwork file. Reports how long the server
# took to say "listening" again, and per terminal the time from losing its connection to being back at
# its screen (p50/p99/max). The proof (bench/steps/storm_common.sh): every acknowledged answer stored once,
# nothing stored unacknowledged; a lost or doubled answer is an error.
# Target (issue 8): 2,000 terminals back at their screens within 5 s of a restart.

# shellcheck source=bench/steps/storm_common.sh
source bench/steps/storm_common.sh

step_storm() {
  local window=15 kill_after=3
  ((quick)) && window=4 kill_after=1
  local rate=$(((storm_terms + 1) / 2))
  start_cati_server
  local port=$server_port server_placement
  server_placement=$(placement "$server_pid")
  local ledger=$work/storm.ledger load_pid load_placement
  start_storm_load storm "ws://127.0.0.1:$port" "$rate" "$window" "$kill_after"

  # The crash, and the restart on the same port and file (polled every 10 ms for "listening on").
  local t_kill t_listen
  crash "$server_pid"
  : >"$work/server.out"
  "$build/server/cati-server" --study "$study" --db "$run_db" --listen "127.0.0.1:$port" \
    --clock from:2025-10-13T09:00:00+02:00 --log-level warn >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  pids+=("$server_pid")
  until grep -q '^listening on ' "$work/server.out"; do
    kill -0 "$server_pid" 2>/dev/null || fail "cati-server did not restart on port $port: $(cat "$work/server.err")"
    sleep 0.01
  done
  t_listen=$(date +%s.%N)
  local restart_s
  restart_s=$(awk -v a="$t_listen" -v b="$t_kill" 'BEGIN { printf "%.3f", a - b }')

  wait "$load_pid" || storm_load_failed storm
  stop_server
  local json
  json=$(<"$work/storm.out")
  [ "$(field "$json" lost_connection)" = "$storm_terms" ] \
    || fail "storm: $(field "$json" lost_connection) of $storm_terms terminals lost the connection: $json"

  local n_acked n_stored lost doubled acked stored
  ledger_proof "$ledger" storm
  local p50 p99 max
  p50=$(field "$json" back_p50_ms) p99=$(field "$json" back_p99_ms) max=$(field "$json" back_max_ms)
  results+=("\"storm\": {\"load\": $json, \"terminals\": $storm_terms, \"rate\": $rate, \"window_s\": $window, \"killed_s_into_window\": $kill_after, \"server_restart_s\": $restart_s, \"back_p50_ms\": $p50, \"back_p99_ms\": $p99, \"back_max_ms\": $max, \"acked\": $n_acked, \"stored\": $n_stored, \"lost\": $lost, \"doubled\": $doubled, \"server_placement\": \"$server_placement\", \"load_placement\": \"$load_placement\"}")
  table+=("$(row "reconnect storm ($storm_terms terminals)" "$(field "$json" back)/$storm_terms back" \
    "$(awk -v m="$p50" 'BEGIN { printf "%.0f", m * 1000 }')" "$(awk -v m="$p99" 'BEGIN { printf "%.0f", m * 1000 }')" - \
    "back max $max ms; restart $restart_s s; re-logins token $(field "$json" relogin_token)/password $(field "$json" relogin_password); resent $(field "$json" resent); $n_acked acked, lost $lost, doubled $doubled")")
  ledger_ok storm
}
