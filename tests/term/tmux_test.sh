#!/usr/bin/env bash
# cati-term on a real screen: a real cati-server (fresh SQLite file, seed study, port 0) and cati-term in
# a detached tmux session at 80x24, driven with send-keys and checked with capture-pane.
#   tmux_test.sh interview|offline CATI_SERVER CATI_TERM CATI SOURCE_DIR
# interview: log in (the password is not echoed), take a case and record a busy outcome, take another and
#   run the whole interview: a constraint refused inline, the language switched, one step back (PgUp)
#   with the earlier answer shown, to the end (complete, counted in the status bar).
# offline: the server is stopped mid-interview; the status bar says so, an answer typed meanwhile is
#   kept ("offline, 1 answer waiting"); the server is restarted on the same port, the answer goes
#   through and the interview completes.
# screenout, screenout-wide (80x24, 100x30): a wrong server address is refused at once; "not the right
#   person" shows its whole text and keeps the case for an appointment, each refused time says its rule
#   (lunch break, after hours, weekend, after the fieldwork), the confirmation repeats the time taken and
#   the file holds one call attempt for the screen-out and its appointment; codes typed with commas; a long
#   open answer keeps its end in view; Ctrl-C asks before quitting;
#   meanwhile `cati-term --supervisor` in a window of the same size fits it and redraws in place.
# Every wait polls capture-pane with a generous deadline; nothing depends on how fast the machine is.
set -euo pipefail
mode=$1 server_bin=$2 term_bin=$3 cati_bin=$4 source_dir=$5
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (tools/setup installs it)"; exit 77; }

study=$source_dir/schema/ai_barometer_2025
work=$(mktemp -d "${TMPDIR:-/tmp}/cati-term-test.XXXXXX")
sock=$work/tmux.sock
db=$work/fieldwork.db
server_pid=""
export LANG=C.UTF-8 LC_ALL=C.UTF-8

tm() { tmux -S "$sock" "$@"; }
screen() { tm capture-pane -p -t term 2>/dev/null || true; }

cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "--- last screen:"; screen
    echo "--- server log:"; tail -n 20 "$work/server.log" 2>/dev/null || true
  fi
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  tm kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }

# Polls the screen until it matches the extended regex, for up to 30 s (a deadline, not a pace).
wait_for() {
  local pattern=$1 deadline=$((SECONDS + 30))
  until screen | grep -Eq -- "$pattern"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the screen never showed /$pattern/"
    sleep 0.1
  done
}
expect_screen() { screen | grep -Eq -- "$1" || fail "the screen does not show /$1/"; }
expect_not_screen() { ! screen | grep -Eq -- "$1" || fail "the screen shows /$1/"; }
keys() { tm send-keys -t term "$@"; }
type_text() { tm send-keys -t term -l -- "$1"; }

# Starts cati-server on 127.0.0.1:$1 (0: any free port) and sets $port from its announcement.
start_server() {
  : >"$work/server.out"
  "$server_bin" --study "$study" --db "$db" --listen "127.0.0.1:$1" --clock from:2025-10-13T09:00:00+02:00 \
    --log-level warn >"$work/server.out" 2>>"$work/server.log" &
  server_pid=$!
  local deadline=$((SECONDS + 60))
  until grep -q '^listening on ' "$work/server.out"; do
    kill -0 "$server_pid" 2>/dev/null || fail "cati-server exited: $(cat "$work/server.log")"
    [ "$SECONDS" -lt "$deadline" ] || fail "cati-server did not start listening"
    sleep 0.1
  done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

# Answers the question on screen once its header shows QUESTION: types VALUE, then Enter.
answer() {
  wait_for "^ $1 +question [0-9]+ of"
  [ -z "$2" ] || type_text "$2"
  keys Enter
}

# --- a fresh fieldwork: the seed study's frame and an interviewer -------------------------------------
"$cati_bin" sample import --db "$db" --study "$study" "$study/frame.csv" >/dev/null
printf 'anna-secret-pw\n' | "$cati_bin" users add anna --role interviewer --languages nl,fr --db "$db" >/dev/null
printf 'sara-secret-pw\n' | "$cati_bin" users add sara --role supervisor --db "$db" >/dev/null
start_server 0

cols=80 rows=24
[ "$mode" != screenout-wide ] || { cols=100 rows=30; }
if [ "$mode" = screenout ] || [ "$mode" = screenout-wide ]; then
  # A wrong address: "connection refused" at once, not a login timeout after the password (on a real
  # terminal: with stdin not a terminal cati-term would run a script).
  printf 'anna-secret-pw\n' >"$work/password"
  started=$SECONDS
  tm -f /dev/null new-session -d -s refused -x "$cols" -y "$rows" \
    "'$term_bin' --server ws://127.0.0.1:1 --user anna --password-file '$work/password' --journal-dir '$work/j2'; echo cati-term exited \$?; sleep 600"
  until tm capture-pane -p -t refused | grep -q "cati-term exited"; do
    [ $((SECONDS - started)) -lt 10 ] || fail "cati-term took over 10 s to say the port is closed: $(tm capture-pane -p -t refused)"
    sleep 0.1
  done
  tm capture-pane -p -t refused | grep -q "cati-term exited 1" || fail "$(tm capture-pane -p -t refused)"
  tm capture-pane -p -t refused | grep -qi "connection refused" || fail "no 'connection refused': $(tm capture-pane -p -t refused)"
  tm kill-session -t refused
fi

tm -f /dev/null new-session -d -s term -x "$cols" -y "$rows" \
  "'$term_bin' --server ws://127.0.0.1:$port --user anna --journal-dir '$work/journal'; echo cati-term exited \$?; sleep 600"
wait_for "password for anna at ws://127.0.0.1:$port"
type_text anna-secret-pw
expect_not_screen "anna-secret-pw"  # typed without echo
keys Enter
wait_for "No case held"
expect_screen "cati-term  anna  AI barometer"
expect_screen "^ online  calls 0  completes 0 .*Mon 13 Oct 09:0"
expect_not_screen "anna-secret-pw"

first_case() {
  keys n
  wait_for "^ Case [0-9]+ "
  screen | sed -n 's/^ Case \([0-9]*\) .*/\1/p' | head -n 1
}

if [ "$mode" = interview ]; then
  # A case, and a busy line.
  busy=$(first_case)
  expect_screen "attempt 1 of 8"
  expect_screen "^ Dial +\+32"
  expect_screen "Call history: first call"
  expect_screen " b busy "
  keys b
  wait_for "case $busy: busy recorded"
  expect_screen "calls 1  completes 0"
  expect_screen "No case held"

  # Another case: the interview.
  keys n
  wait_for "^ Case [0-9]+ "
  case_id=$(screen | sed -n 's/^ Case \([0-9]*\) .*/\1/p' | head -n 1)
  [ "$case_id" != "$busy" ] || fail "the busy case $busy came back at once"
  keys Enter
  wait_for "^ intro +question 1 of"
  expect_screen "Interviewer: "
  expect_screen "\(read it out, Enter to go on\)"
  # The language switch: F2 until the interview is in English.
  for _ in 1 2 3; do
    screen | grep -q "\[en\]" && break
    before=$(screen | grep -Eo "\[(nl|fr)\]" | head -n 1)
    keys F2
    wait_for "language: (fr|en)"
    wait_for "question 1 of [0-9]+  \[(fr|en)\]"
    [ "$(screen | grep -Eo "\[(nl|fr|en)\]" | head -n 1)" != "$before" ] || fail "F2 did not change the language"
  done
  wait_for "question 1 of [0-9]+  \[en\]"
  expect_screen "Hello, my name is"
  answer intro ""
  answer s1_decider 1
  wait_for "^ s2_fte "
  # A constraint refused by the server is shown under the answer line, and the answer comes back.
  type_text 900
  keys Enter
  wait_for "! .*(Enter a whole number from 0 to 500|than 20|at most)"
  wait_for "^ > 900"
  keys C-u
  answer s2_fte 5
  answer s3_sector 1
  answer q1_market 2
  # One step back: q1_market again, with its answer ready to correct.
  wait_for "^ q2_ai_use +question"
  expect_screen "progress \[#+\.*\] [0-9]+/[0-9]+ +PgUp: back"
  keys PPage
  wait_for "^ q1_market +question"
  wait_for "^ > 2"
  keys C-u
  answer q1_market 3
  answer q2_ai_use 1
  answer q3_ai_areas "1 6"
  answer q3_other "chatbots for quotes"
  answer q4_ai_tasks "1 4"
  answer q5_potential 1
  answer q6_attitude 2
  answer q7_fin_value 1
  answer q8_bank_ai 2
  answer q9_bank_domains "1 3"
  answer end ""
  wait_for "interview ended: complete \(AAPOR 1\.1\)"
  expect_screen "calls 2  completes 1"
  expect_screen "No case held"
  # The help screen, and back.
  keys "?"
  wait_for "PgUp back one question"
  expect_screen "F6 break-off"
  keys Escape
  wait_for "No case held"
  keys q
  wait_for "Quit cati-term\? y/n"
  keys y
  wait_for "cati-term exited 0"
  echo "PASS: interview (case $busy busy, case $case_id complete)"
  exit 0
fi

if [ "$mode" = screenout ] || [ "$mode" = screenout-wide ]; then
  # Whole screen as one line: a wrapped text reads whole again.
  flat() { screen | tr '\n' ' ' | tr -s ' '; }
  expect_flat() { flat | grep -Eq -- "$1" || fail "the screen does not show /$1/ (even wrapped)"; }
  # The supervisor's terminal view beside it, in a window of the same size.
  printf 'sara-secret-pw\n' >"$work/sara-password"
  tm new-session -d -s sup -x "$cols" -y "$rows" \
    "'$term_bin' --supervisor --server ws://127.0.0.1:$port --user sara --password-file '$work/sara-password'; sleep 600"
  case_id=$(first_case)
  keys Enter
  answer intro ""
  answer s1_decider 2
  # The screen-out text to read out, whole, and the appointment entry for the right person.
  wait_for "Appointment with the right person"
  expect_flat "(Dank u\. Dan bel ik graag terug|Merci\. Je rappellerai donc|Thank you\. In that case)"
  expect_flat "(Maak zo mogelijk een afspraak met de juiste persoon|Si possible, fixez un rendez-vous avec la bonne personne|If possible, make an appointment with the right person)\.\]"
  expect_screen "^ Case $case_id "
  # Each refused time says which rule refused it, and the next calling time.
  try_time() { keys C-u; type_text "$1"; keys Enter; wait_for "$2"; }
  try_time "14/10 12:30" "12:30 is in the break between morning and"
  expect_flat "the next calling time is Tue 14 Oct 13:30"
  try_time "18/10 10:00" "no calls on Saturdays"
  expect_flat "the next calling time is Mon 20 Oct 09:00"
  try_time "14/10 17:30" "is after calling hours"
  try_time "24/10 10:00" "is after the fieldwork"
  try_time "2025-10-14 10:15" "on 2025-10-14 10:15 recorded"
  expect_screen "No case held"
  # One call: the screen-out's call-back carries the appointment, no second attempt is logged.
  calls=$(sqlite3 -readonly "$db" "SELECT count(*) FROM call_attempts WHERE case_id = $case_id")
  [ "$calls" = 1 ] || { echo "FAIL: $calls call attempts for the screen-out and its appointment, not 1"; exit 1; }
  appts=$(sqlite3 -readonly "$db" "SELECT count(*) FROM appointments p JOIN call_attempts a ON a.case_id = p.case_id AND a.at = p.made_at WHERE p.case_id = $case_id")
  [ "$appts" = 1 ] || { echo "FAIL: the appointment is not on the screen-out's call ($appts)"; exit 1; }

  # Codes with commas, and a long open answer (q3_other) that stays visible while typed.
  keys n
  wait_for "^ Case [0-9]+ "
  keys Enter
  answer intro ""
  answer s1_decider 1
  answer s2_fte 5
  answer s3_sector 1
  answer q1_market 2
  answer q2_ai_use 1
  answer q3_ai_areas "1,6"
  wait_for "^ q3_other +question"
  long="we use a chatbot that drafts quotes for customers, a planning tool for the vans and a translation service for our website THE-END"
  type_text "$long"
  wait_for "THE-END"
  expect_screen "^ > <"

  # The supervisor view followed every change (cases taken, calls, an appointment) redrawn in place: no
  # row wider than the window (-J joins what tmux wrapped), and nothing scrolled into the history.
  tm capture-pane -p -t sup | grep -Eq "^quota +cell" || fail "no supervisor view: $(tm capture-pane -p -t sup)"
  tm capture-pane -p -t sup | grep -Eq "^region +VLA Flanders" || fail "$(tm capture-pane -p -t sup)"
  widest=$(tm capture-pane -p -J -t sup | awk '{ sub(/ +$/, ""); if (length($0) > m) m = length($0) } END { print m + 0 }')
  [ "$widest" -le "$cols" ] || fail "a supervisor row is $widest columns wide in $cols: $(tm capture-pane -p -J -t sup)"
  kept=$(tm capture-pane -p -S - -t sup | wc -l)
  [ "$kept" -le "$rows" ] || fail "the supervisor view scrolled: $kept lines in the history"
  # A narrower window: redrawn to its width at once, without waiting for the next change (at 70 columns
  # the bars no longer fit, so a redrawn view has no "progress" column; a merely cut one still has it).
  tm capture-pane -p -t sup | grep -q "progress" || fail "no bars at $cols columns: $(tm capture-pane -p -t sup)"
  tm resize-window -t sup -x 70 -y "$rows"
  deadline=$((SECONDS + 15))
  until [ "$(tm capture-pane -p -J -t sup | awk '{ sub(/ +$/, ""); if (length($0) > m) m = length($0) } END { print m + 0 }')" -le 70 ] &&
        tm capture-pane -p -t sup | grep -Eq "^quota +cell" && ! tm capture-pane -p -t sup | grep -q "progress"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the supervisor view did not fit 70 columns: $(tm capture-pane -p -J -t sup)"
    sleep 0.2
  done

  # Ctrl-C asks, says how long the case stays locked; n goes on, a second Ctrl-C quits.
  keys C-c
  wait_for "Quit in the middle of the interview\?"
  expect_flat "stays locked to you for 30 minutes"
  keys n
  wait_for "cancelled"
  expect_screen "THE-END"
  keys C-c
  wait_for "Quit in the middle"
  keys C-c
  wait_for "cati-term exited 0"
  echo "PASS: $mode (${cols}x$rows: screen-out, appointment rules, commas, long answer, Ctrl-C)"
  exit 0
fi

[ "$mode" = offline ] || fail "unknown mode $mode"
case_id=$(first_case)
keys Enter
answer intro ""
answer s1_decider 1
wait_for "^ s2_fte +question"

# The server goes away mid-interview.
stop_server
wait_for "offline, 0 answers waiting"
type_text 5
keys Enter
wait_for "offline, 1 answer waiting"
wait_for "answer saved on this terminal"
expect_screen "^ s2_fte +question"
type_text 1  # typed ahead while waiting: kept
keys Enter
wait_for "offline: the answer is saved"

# Back on the same port: the journaled answer goes through and the interview moves on.
start_server "$port"
wait_for "^ online "
wait_for "^ s3_sector +question"
wait_for "^ > 1"
keys Enter
answer q1_market 1
answer q2_ai_use 5
answer q5_potential 1
answer q6_attitude 3
answer q7_fin_value 2
answer q8_bank_ai 1
answer q9_bank_domains 2
answer end ""
wait_for "interview ended: complete \(AAPOR 1\.1\)"
expect_screen "^ online  calls 1  completes 1"
echo "PASS: offline (case $case_id complete after a server restart)"
