# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# 5. Capacity (sourced by tools/bench): $idle_terms logged-in terminals that sit idle. Reports the
# server's resident memory (VmRSS) before and while they are connected, its cost per terminal, the
# server's CPU while nothing happens, how long the logins took, and the load client's own RSS.
# Target (issue 8): 10,000 idle terminals in under 1 GiB of server RSS.

# A process's VmRSS (or another /proc/PID/status field), in KiB.
proc_kib() { awk -v f="${2:-VmRSS}:" '$1 == f { print $2 }' "/proc/$1/status"; }

step_idle() {
  local idle_window=10
  ((quick)) && idle_window=2
  start_cati_server
  local server_placement rss_before
  server_placement=$(placement "$server_pid")
  sleep 0.2  # past the server's startup allocations
  rss_before=$(proc_kib "$server_pid")

  "$build/bench/cati-load" --server "ws://127.0.0.1:$server_port" --mode idle --connections "$idle_terms" \
    --duration "$idle_window" --password-file "$work/password" >"$work/load.out" 2>"$work/load.err" &
  local load_pid=$!
  pids+=("$load_pid")
  local load_placement
  load_placement=$(placement "$load_pid")
  # Wait for "all logged in" (cati-load says so on stderr when its idle window starts).
  while ! grep -q '^cati-load: idle:' "$work/load.err"; do
    kill -0 "$load_pid" 2>/dev/null \
      || { wait "$load_pid" || true; fail "cati-load --mode idle failed: $(cat "$work/load.err") $(cat "$work/load.out")"; }
    sleep 0.05
  done
  # Sample the server over the middle of the idle window.
  local settle=0.2 sample
  sample=$(awk -v w="$idle_window" 'BEGIN { printf "%.2f", w - 0.6 }')
  sleep "$settle"
  local t0 t1 s0 s1
  t0=$(cpu_ticks "$server_pid") s0=$(date +%s.%N)
  sleep "$sample"
  t1=$(cpu_ticks "$server_pid") s1=$(date +%s.%N)
  local rss_idle hwm_idle
  rss_idle=$(proc_kib "$server_pid")
  hwm_idle=$(proc_kib "$server_pid" VmHWM)
  wait "$load_pid" || fail "cati-load --mode idle failed: $(cat "$work/load.err") $(cat "$work/load.out")"
  stop_server
  local json
  json=$(<"$work/load.out")
  local idle_cpu per_term setup client_rss
  idle_cpu=$(awk -v a="$t1" -v b="$t0" -v t="$ticks_per_s" -v s="$s0" -v e="$s1" \
    'BEGIN { printf "%.3f", (a - b) / t / (e - s) }')
  per_term=$(awk -v a="$rss_idle" -v b="$rss_before" -v n="$idle_terms" 'BEGIN { printf "%.1f", (a - b) / n }')
  setup=$(field "$json" setup_s)
  client_rss=$(field "$json" client_rss_kib)
  results+=("\"idle\": {\"load\": $json, \"terminals\": $idle_terms, \"idle_window_s\": $idle_window, \"server_rss_before_kib\": $rss_before, \"server_rss_idle_kib\": $rss_idle, \"server_vmhwm_kib\": $hwm_idle, \"server_rss_per_terminal_kib\": $per_term, \"server_idle_cpu_cores\": $idle_cpu, \"setup_s\": $setup, \"client_rss_kib\": $client_rss, \"server_placement\": \"$server_placement\", \"load_placement\": \"$load_placement\"}")
  table+=("$(row "idle ($idle_terms terminals)" "$(awk -v k="$rss_idle" 'BEGIN { printf "%.1f MiB", k / 1024 }')" - - - \
    "server RSS $per_term KiB/terminal (from $(awk -v k="$rss_before" 'BEGIN { printf "%.1f", k / 1024 }') MiB), idle CPU $idle_cpu cores; logins ${setup} s; client RSS $(awk -v k="$client_rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB")")
}
