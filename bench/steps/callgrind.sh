# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# 7. CPU cost per answer, in instructions (sourced by tools/bench): cati-server under valgrind's callgrind,
# driven by one terminal in a closed loop that stops after exactly N acknowledged steps (cati-load
# --answers N). The counters are zeroed once the terminal is logged in and the work its login caused has
# settled, and dumped when the N steps are done: startup (the study, 4,000 firms) and login are left out,
# and Ir / N is the server's instructions per answer (all threads), a figure that does not depend on the
# machine's speed or load, for regression tracking. Every run is the same terminal going on with the same
# interview (no run pays for picking a case, whose cost depends on the state of the sample). Periodic
# work (timers, WAL checkpoints) only adds to a run: the figure is the cleanest of R runs, and their
# spread is printed. The top functions come from the last run.

# Starts cati-server under callgrind on a fresh copy of the fieldwork; like start_cati_server, but
# valgrind's startup is slow: allows 5 minutes.
start_callgrind_server() {
  fresh_db
  : >"$work/server.out"
  valgrind --tool=callgrind --callgrind-out-file="$1" \
    "$build/server/cati-server" --study "$study" --db "$run_db" --listen 127.0.0.1:0 \
    --clock from:2025-10-13T09:00:00+02:00 --log-level warn >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 3000); do
    server_port=$(sed -n 's/^listening on .*:\([0-9]\{1,5\}\)$/\1/p' "$work/server.out")
    [ -n "$server_port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || fail "cati-server under callgrind exited: $(tail -5 "$work/server.err")"
    sleep 0.1
  done
  fail "cati-server under callgrind did not say 'listening on' within 300 s: $(tail -5 "$work/server.err")"
}

# The instructions (Ir) a callgrind out file counted in total.
callgrind_total() {
  local ir
  ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  [ -n "$ir" ] || fail "$1: no totals/summary line"
  echo "$ir"
}

# The top N functions of a callgrind dump, "Ir<TAB>function" lines. $3 = self: by self cost (a dump taken
# after zeroing lists the threads' entry points with their whole cost even then: those, and entries above
# half of the total, are left out); $3 = cati: the server's own functions by inclusive cost.
callgrind_top() {
  local total
  total=$(callgrind_total "$1")
  callgrind_annotate --inclusive="$([ "$3" = cati ] && echo yes || echo no)" --threshold=100 "$1" 2>/dev/null |
    awk -v n="$2" -v total="$total" -v mode="$3" '
      /file:function/ { body = 1; next }
      body && k < n && NF >= 2 && $1 ~ /^[0-9,]+$/ {
        ir = $1; gsub(",", "", ir); sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "")
        sub(/ \[[^]]*\]$/, "")  # the object file
        sub(/^[^ :]*:/, "")       # the source file
        if (mode == "self" && (ir + 0 > total / 2 || $0 ~ /_State_impl|^clone$|^start_thread$/)) next
        if (mode == "cati" && $0 !~ /^cati::/) next
        if (length($0) > 110) $0 = substr($0, 1, 107) "..."
        print ir "\t" $0
        k++  # and read on: leaving early would kill callgrind_annotate with SIGPIPE (pipefail)
      }'
}

# "Ir<TAB>function" lines as a JSON array of {"ir": N, "function": "..."}.
top_json() {
  awk -F '\t' 'BEGIN { printf "[" }
    { f = $2; gsub(/\\/, "\\\\", f); gsub(/"/, "\\\"", f); printf "%s{\"ir\": %s, \"function\": \"%s\"}", (NR > 1 ? ", " : ""), $1, f }
    END { printf "]" }' <<<"$1"
}

# Waits until the server has no WebSocket connection open (its /metrics gauge), so that the next run's
# login is not taken for a second terminal of the same user.
await_no_connections() {
  for _ in $(seq 300); do
    [ "$(metric_value "$(scrape_metrics)" cati_connections)" = 0 ] && { sleep 0.2; return 0; }
    sleep 0.1
  done
  fail "the server still has connections open 30 s after the load client ended"
}

# One measured run: cati-load for $1 answers (the same terminal each time: it logs in, finds its
# interview where the last run left it and goes on), the counters zeroed once its setup is done and the
# work the login caused has settled, dumped when it ends. Sets cg_file to the dump (numbered:
# $work/callgrind.out.1, .2, ...).
cg_dumps=0
callgrind_run() {
  await_no_connections
  "$build/bench/cati-load" --server "ws://127.0.0.1:$server_port" --mode cati --connections 1 --answers "$1" \
    --settle 3 --password-file "$work/password" --setup-timeout 300 >"$work/load.out" 2>"$work/load.err" &
  local load_pid=$!
  pids+=("$load_pid")
  until grep -q '^cati-load: set up' "$work/load.err"; do
    kill -0 "$load_pid" 2>/dev/null || { wait "$load_pid" || true; fail "cati-load --answers $1 ended before its window: $(cat "$work/load.err")"; }
    sleep 0.05
  done
  sleep 1.5  # the login's coalesced status update (0.5 s later) is done; the window starts at 3 s
  callgrind_control --zero "$server_pid" >/dev/null 2>&1 || fail "callgrind_control --zero $server_pid failed"
  wait "$load_pid" || fail "cati-load --answers $1 failed: $(cat "$work/load.err") $(cat "$work/load.out")"
  load_json=$(cat "$work/load.out")
  [ "$(field "$load_json" acks)" = "$1" ] || fail "cati-load --answers $1: $(field "$load_json" acks) acks: $load_json"
  callgrind_control --dump "$server_pid" >/dev/null 2>&1 || fail "callgrind_control --dump $server_pid failed"
  cg_dumps=$((cg_dumps + 1))
  cg_file=$work/callgrind.out.$cg_dumps
  for _ in $(seq 100); do [ -s "$cg_file" ] && grep -q '^totals:' "$cg_file" && return 0; sleep 0.1; done
  fail "callgrind wrote no $cg_file"
}

min_of() { printf '%s\n' "$@" | awk 'NR == 1 || $1 < m { m = $1 } END { print m }'; }
max_of() { printf '%s\n' "$@" | awk 'NR == 1 || $1 > m { m = $1 } END { print m }'; }

step_callgrind() {
  if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
    results+=("\"callgrind\": {\"skipped\": \"valgrind not installed\"}")
    table+=("$(row "callgrind (instructions/answer)" - - - - "SKIPPED: valgrind is not installed (tools/setup installs it)")")
    return 0
  fi
  local answers=300 rounds=3
  ((quick)) && answers=40 rounds=2
  start_callgrind_server "$work/callgrind.out"
  # Warm-up: takes the case and starts the interview the measured runs go on with; first-use costs
  # (prepared statements, lazy tables) belong to no answer.
  run_load --mode cati --connections 1 --answers 10 --password-file "$work/password" --setup-timeout 300
  local runs=() r ir
  for ((r = 1; r <= rounds; r++)); do
    callgrind_run "$answers"
    ir=$(callgrind_total "$cg_file")
    runs+=("$(awk -v a="$ir" -v n="$answers" 'BEGIN { printf "%.0f", a / n }')")
  done
  stop_server
  # CATI_BENCH_CALLGRIND_OUT=FILE: keep the last run's dump there, for callgrind_annotate by hand.
  if [ -n "${CATI_BENCH_CALLGRIND_OUT:-}" ]; then cp "$cg_file" "$CATI_BENCH_CALLGRIND_OUT"; fi
  # Periodic work (lease sweeps, the look for new cases, WAL checkpoints) only ever adds instructions to
  # a run: the cleanest run is the smallest, and the spread shows how much the periodic work moved.
  local per_answer high spread
  per_answer=$(min_of "${runs[@]}")
  high=$(max_of "${runs[@]}")
  spread=$(awk -v a="$per_answer" -v b="$high" 'BEGIN { printf "%.2f", 100 * (b - a) / a }')
  ir_big=$ir
  # CATI_BENCH_CALLGRIND_OUT=file keeps the last run's dump, for callgrind_annotate by hand.
  [ -z "${CATI_BENCH_CALLGRIND_OUT:-}" ] || cp "$cg_file" "$CATI_BENCH_CALLGRIND_OUT"
  local top_self top_incl
  top_self=$(callgrind_top "$cg_file" 8 self)
  top_incl=$(callgrind_top "$cg_file" 12 cati)
  results+=("\"callgrind\": {\"answers_per_run\": $answers, \"rounds\": $rounds, \"ir_per_answer\": $per_answer, \"ir_per_answer_runs\": [$(IFS=,; echo "${runs[*]}")], \"spread_pct\": $spread, \"ir_last_run\": $ir_big, \"top_self\": $(top_json "$top_self"), \"top_inclusive\": $(top_json "$top_incl")}")
  table+=("$(row "callgrind (1 terminal)" "$per_answer Ir/ans" - - - "cleanest of $rounds runs of $answers answers: ${runs[*]} (spread ${spread} %)")")
  table+=("" "callgrind, the last run ($answers answers, login excluded): top functions by self cost (Ir, % of ${ir_big})")
  while IFS=$'\t' read -r ir f; do
    table+=("$(awk -v i="$ir" -v t="$ir_big" -v f="$f" 'BEGIN { printf "  %14s %5.1f %%  %s", i, 100 * i / t, f }')")
  done <<<"$top_self"
  table+=("callgrind, the same run: the server's own functions by inclusive cost")
  while IFS=$'\t' read -r ir f; do
    table+=("$(awk -v i="$ir" -v t="$ir_big" -v f="$f" 'BEGIN { printf "  %14s %5.1f %%  %s", i, 100 * i / t, f }')")
  done <<<"$top_incl"
}
