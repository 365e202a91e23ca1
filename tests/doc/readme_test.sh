#!/usr/bin/env bash
# The README's console examples, run: every fenced example with `$ ` command lines carries a marker on the
# line before its fence, and this runner executes the ones marked `run` and compares what they print with
# the README, so that the README cannot drift from the program (issue 15, item 17).
#   readme_test.sh SOURCE_DIR BUILD_DIR [README]
#
# Markers (an HTML comment, invisible on GitHub):
#   <!-- doctest: run [fixture=NAME] [until=TEXT] [mask=REGEX]... -->
#   <!-- doctest: not run: REASON -->
# An example without a marker fails the test: a new example is either run or says why it is not.
#
# How a `run` example is run: in a fresh temporary folder holding `build` (a link to BUILD_DIR), `schema`
# (a link to the source's schema/) and an empty `var/`, prepared by its fixture:
#   frame   var/fieldwork.db: the seed study's frame.csv imported (4,000 cases), no users;
#   sim     var/sim/: `cati sim --out var/sim/ --frame-size 600 --interviewers 6 --days 3` (made once per
#           run of this test and copied: about 20 s);
#   broken  broken/: a copy of the seed study with a `relevant` that refers to a later question (q5) and a
#           sector target raised by 2 (97 -> 99).
# Each `$ ` line (with its `\` continuation lines) runs in bash, one after the other in that folder, its
# stdout and stderr together (line-buffered), stdin a stream of one password line repeated (the password
# `users add` asks for). `127.0.0.1:8080` in a command becomes `127.0.0.1:0` (any free port).
# `until=REGEX` (for a server): the command runs until a line matching REGEX (extended, `_` for a space) has
# been printed, then gets SIGTERM; its output is compared up to that line.
#
# Comparison: the example's lines (commands and their output) against the transcript, both masked by these
# rules, in this order:
#   real times in log lines     2026-12-07T03:25:27.890Z          -> <time>
#   ports                       127.0.0.1:43211                   -> 127.0.0.1:<port>
#   process ids                 pid 4711                          -> pid <pid>
#   the network threads count   2 network threads                 -> <n> network threads
#   the temporary folder        /tmp/cati-readme.X1y2/...         -> <tmp>/...
#   each mask=REGEX of the marker (extended regex, `_` for a space, no `/`): the match -> <masked>
#   with the marker's `squeeze-spaces`: runs of spaces -> one space (a table whose column widths follow a
#                               masked value, e.g. the time zone's name in a real date)
# A line `...` in the README stands for any number of lines (an excerpt).
# CATI_README_KEEP=DIR keeps each example's unmasked transcript there (DIR/README.md-LINE.txt), to update
# the README from.
# Exit 0 when every run example matches; otherwise the differences are printed and the exit status is 1.
set -euo pipefail
source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
readme=${3:-$source_dir/README.md}
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC

work=$(mktemp -d "${TMPDIR:-/tmp}/cati-readme.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# ---- fixtures -------------------------------------------------------------------------------------------
study=$source_dir/schema/ai_barometer_2025
sim_cache=$work/sim-cache

fixture_frame() {
  "$build_dir/tools/cati" sample import --db var/fieldwork.db --study "$study" "$study/frame.csv" >/dev/null
}
fixture_sim() {
  if [ ! -d "$sim_cache/sim" ]; then
    mkdir -p "$sim_cache"
    (cd "$sim_cache" && "$build_dir/tools/cati" sim --study "$study" --out sim/ --frame-size 600 \
       --interviewers 6 --days 3 >sim.log 2>&1) || { cat "$sim_cache/sim.log"; return 1; }
  fi
  cp -r "$sim_cache/sim" var/sim
  rm -f var/sim/fieldwork.db.owner
}
fixture_broken() {
  cp -r "$study" broken
  local q=broken/questionnaire.textproto
  sed -i '0,/relevant: "${q2_ai_use} >= 1 and ${q2_ai_use} <= 3"/s//relevant: "${q5_potential} >= 1 and ${q2_ai_use} <= 3"/' "$q"
  sed -i 's/cells { values: \["1"\] target: 97 /cells { values: ["1"] target: 99 /' "$q"
}

# ---- masking and matching -------------------------------------------------------------------------------
mask() {  # mask FILE EXTRA_REGEX...
  local file=$1; shift
  local script='s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/<time>/g
s/127\.0\.0\.1:[0-9]+/127.0.0.1:<port>/g
s/pid [0-9]+/pid <pid>/g
s/[0-9]+ network threads/<n> network threads/g'
  script+=$'\n'"s#${block_dir:-/nonexistent}#<tmp>#g"
  local re
  for re in "$@"; do script+=$'\n'"s/${re//_/ }/<masked>/g"; done
  [ "$squeeze" = no ] || script+=$'\n''s/ +/ /g'
  sed -E "$script" "$file"
}

# matches EXPECTED ACTUAL: exit 0 when ACTUAL's lines match EXPECTED's, where a line `...` in EXPECTED
# matches any number of lines.
matches() {
  awk '
    FNR == NR { want[++ne] = $0; next }
    { got[++na] = $0 }
    function m(i, j,   k) {
      while (i <= ne && want[i] != "...") {
        if (j > na || want[i] != got[j]) return 0
        i++; j++
      }
      if (i > ne) return j > na
      for (k = j; k <= na + 1; k++) if (m(i + 1, k)) return 1
      return 0
    }
    END { exit m(1, 1) ? 0 : 1 }
  ' "$1" "$2"
}

# ---- running one example --------------------------------------------------------------------------------
passwords() { while :; do echo "Doc-test-password-1"; done; }

run_command() {  # run_command COMMAND UNTIL: prints the transcript of one command
  local cmd=${1//127.0.0.1:8080/127.0.0.1:0} until=$2
  if [ -z "$until" ]; then
    passwords | stdbuf -oL -eL timeout 120 bash -c "$cmd" 2>&1 || true
    return
  fi
  local out=$block_dir/.until.out
  : >"$out"
  passwords | stdbuf -oL -eL bash -c "exec $cmd" >"$out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + 60)) n
  until n=$(grep -n -m1 -E -- "${until//_/ }" "$out" | cut -d: -f1) && [ -n "$n" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then break; fi
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$n" ]; then head -n "$n" "$out"; else cat "$out"; fi
}

failures=0 ran=0 skipped=0
run_block() {  # run_block LINE OPTIONS... ; the example's lines are in $work/expected
  local line=$1; shift
  local fixture="" until="" masks=() opt squeeze=no
  for opt in "$@"; do
    case $opt in
      fixture=*) fixture=${opt#fixture=} ;;
      until=*) until=${opt#until=} ;;
      mask=*) masks+=("${opt#mask=}") ;;
      squeeze-spaces) squeeze=yes ;;
      *) echo "README.md:$line: unknown doctest option '$opt'"; failures=$((failures + 1)); return ;;
    esac
  done
  local started=$SECONDS
  block_dir=$work/block-$line
  mkdir -p "$block_dir/var"
  ln -s "$build_dir" "$block_dir/build"
  ln -s "$source_dir/schema" "$block_dir/schema"
  (cd "$block_dir" && if [ -n "$fixture" ]; then "fixture_$fixture"; fi) || {
    echo "README.md:$line: fixture '$fixture' failed"; failures=$((failures + 1)); return; }
  # The commands: a `$ ` line and its continuation lines.
  local transcript=$work/actual cmd="" shown=() l
  : >"$transcript"
  flush() {
    if [ -n "$cmd" ]; then
      printf '%s\n' "${shown[@]}" >>"$transcript"
      (cd "$block_dir" && run_command "$cmd" "$until") >>"$transcript"
    fi
    cmd="" shown=()
  }
  local continuing=no
  while IFS= read -r l; do
    if [ "$continuing" = yes ]; then
      shown+=("$l"); cmd+=$'\n'"$l"
      [[ $l == *\\ ]] || continuing=no
    elif [[ $l == '$ '* ]]; then
      flush
      shown=("$l"); cmd=${l#'$ '}
      [[ $l == *\\ ]] && continuing=yes
    fi
  done <"$work/expected"
  flush
  [ -z "${CATI_README_KEEP:-}" ] || cp "$transcript" "$CATI_README_KEEP/README.md-$line.txt"
  mask "$work/expected" "${masks[@]}" >"$work/expected.masked"
  mask "$transcript" "${masks[@]}" >"$work/actual.masked"
  ran=$((ran + 1))
  if matches "$work/expected.masked" "$work/actual.masked"; then
    echo "ok   README.md:$line ($((SECONDS - started)) s)"
  else
    echo "FAIL README.md:$line ($((SECONDS - started)) s): the example differs from what the program prints (- README, + program, masked):"
    diff -u "$work/expected.masked" "$work/actual.masked" | tail -n +3 || true
    failures=$((failures + 1))
  fi
  rm -rf "$block_dir"
}

# ---- the README ------------------------------------------------------------------------------------------
marker="" marker_line=0 in_block=no block_line=0 has_command=no lineno=0
while IFS= read -r text || [ -n "$text" ]; do
  lineno=$((lineno + 1))
  if [ "$in_block" = no ]; then
    if [[ $text =~ ^\<\!--\ doctest:\ (.*)\ --\>$ ]]; then
      marker=${BASH_REMATCH[1]} marker_line=$lineno
    elif [[ $text == '```'* ]]; then
      in_block=yes block_line=$lineno has_command=no
      : >"$work/expected"
      [ "$marker_line" -eq $((lineno - 1)) ] || marker=""
    fi
    continue
  fi
  if [[ $text == '```' ]]; then
    in_block=no
    if [ "$has_command" = yes ]; then
      if [ -z "$marker" ]; then
        echo "FAIL README.md:$block_line: an example with commands and no '<!-- doctest: run -->' or '<!-- doctest: not run: REASON -->' before it"
        failures=$((failures + 1))
      elif [[ $marker == "not run: "* ]]; then
        echo "skip README.md:$block_line: ${marker#not run: }"
        skipped=$((skipped + 1))
      elif [[ $marker == run || $marker == "run "* ]]; then
        read -r -a opts <<<"${marker#run}"
        run_block "$block_line" "${opts[@]}"
      else
        echo "FAIL README.md:$block_line: unknown marker '$marker'"
        failures=$((failures + 1))
      fi
    fi
    marker=""
    continue
  fi
  printf '%s\n' "$text" >>"$work/expected"
  [[ $text == '$ '* ]] && has_command=yes
done <"$readme"

echo "README examples: $ran run, $skipped not run, $failures failed"
[ "$failures" -eq 0 ]
