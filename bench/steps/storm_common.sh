# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# What the storm and failover steps share (sourced by them): their load, and its proof.
#
# start_storm_load NAME SERVERS RATE WINDOW KILL_AFTER: cati-load --mode storm with $storm_terms terminals
# against SERVERS (one ws:// URL, or several comma-separated), its JSON in $work/NAME.out, its ledger in
# $work/NAME.ledger; returns once the terminals are set up and KILL_AFTER seconds into the window. Sets
# load_pid and load_placement (declare them local in the step). storm_load_failed NAME fails the run with
# cati-load's output. crash PID: kill -9 of a server, reaped; sets t_kill (declare it local), the moment
# the times after the crash count from.
#
# The proof: every AnswerAck the terminals got (the ledger) against the rows in `answers` for those
# interviews. lost = an acknowledged answer not stored; doubled = stored twice, or stored but never
# acknowledged (after the window every in-flight request was resent and acknowledged, so the two must be
# equal, row for row). ledger_proof LEDGER NAME sets n_acked, n_stored, lost, doubled and the files
# acked, stored (declare them local in the step); ledger_ok NAME fails the run unless lost and doubled
# are 0.

crash() {
  kill -9 "$1"
  wait "$1" 2>/dev/null || true
  t_kill=$(date +%s.%N)
}

storm_load_failed() { fail "cati-load --mode storm ($1) failed: $(cat "$work/$1.err") $(cat "$work/$1.out")"; }

start_storm_load() {
  local name=$1 servers=$2 rate=$3 window=$4 kill_after=$5
  "$build/bench/cati-load" --server "$servers" --mode storm --connections "$storm_terms" --rate "$rate" \
    --duration "$window" --password-file "$work/password" --ledger "$work/$name.ledger" \
    >"$work/$name.out" 2>"$work/$name.err" &
  load_pid=$!
  pids+=("$load_pid")
  load_placement=$(placement "$load_pid")
  # Set up, in the window (cati-load says so on stderr), then a little into it.
  while ! grep -q '^cati-load: storm window starts' "$work/$name.err"; do
    kill -0 "$load_pid" 2>/dev/null || { wait "$load_pid" || true; storm_load_failed "$name"; }
    sleep 0.05
  done
  sleep "$kill_after"
}
ledger_proof() {
  local ledger=$1 name=$2
  # `answers.seq` is the store's row number, not the request's seq: a Back stores no row. So per
  # interview: the acknowledged answers that store a row (ledger lines with a question), each seq once, in
  # seq order, against the stored rows in row order, as "interview rank question".
  acked=$work/$name.acked stored=$work/$name.stored
  LC_ALL=C sort -u "$ledger" | awk 'NF == 3' | sort -k1,1n -k2,2n \
    | awk '{ n[$1]++; print $1, n[$1], $3 }' | LC_ALL=C sort >"$acked"
  db_rows "SELECT interview_id, question FROM answers ORDER BY interview_id, seq" \
    | awk 'NR == FNR { ids[$1] = 1; next } ($1 in ids) { n[$1]++; print $1, n[$1], $2 }' "$ledger" - \
    | LC_ALL=C sort >"$stored"
  n_acked=$(wc -l <"$acked")
  n_stored=$(wc -l <"$stored")
  lost=$(LC_ALL=C comm -23 "$acked" "$stored" | wc -l)
  doubled=$(LC_ALL=C comm -13 "$acked" "$stored" | wc -l)
  ((n_acked > 0)) || fail "$name: the ledger is empty"
}

ledger_ok() {
  ((lost == 0 && doubled == 0)) ||
    fail "$1: $lost acknowledged answers lost, $doubled doubled: $(LC_ALL=C comm -3 "$acked" "$stored" | head -5 | tr '\n\t' ';.')"
}
