#!/usr/bin/env bash
# bench/pg/choose_client.sh [BENCH_PG] [SECONDS] [RUNS]: the measurement behind the PostgreSQL client
# library's choice (docs/benchmarks.md, "PostgreSQL: choosing the client library"). On a private cluster
# (tools/pg run: fsync and synchronous_commit on), every method of bench-pg at batch sizes 1, 16 and 256,
# RUNS times each (interleaved, so that a noisy moment hits all methods alike), SECONDS a run; prints a
# markdown table of rows/s: the median of the runs and their spread (min-max).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-build/bench/bench-pg}
seconds=${2:-3}
runs=${3:-3}
[ -x "$bench" ] || { echo "choose_client: no $bench (tools/setup bench-pg)" >&2; exit 2; }
export bench seconds runs
exec tools/pg run -- bash -c '
  set -euo pipefail
  methods=$("$bench" --list-methods)
  out=$(mktemp); trap "rm -f $out" EXIT
  first=1 setup=--setup
  for run in $(seq "$runs"); do
    for batch in 1 16 256; do
      for m in $methods; do
        interviews=$(( batch > 16 ? batch : 16 ))
        json=$("$bench" --url "$CATI_PG_URL" $setup --method "$m" --batch "$batch" --interviews "$interviews" \
                 --first-interview "$first" --duration "$seconds")
        setup=
        first=$((first + interviews))
        echo "$m $batch $(sed -E "s/.*\"rows_per_s\": ([0-9.]+).*/\1/" <<<"$json")" >>"$out"
      done
    done
  done
  echo "| method | batch 1 | batch 16 | batch 256 |"
  echo "| --- | ---: | ---: | ---: |"
  for m in $methods; do
    line="| $m |"
    for batch in 1 16 256; do
      mapfile -t v < <(awk -v m="$m" -v b="$batch" "\$1 == m && \$2 == b {print \$3}" "$out" | sort -g)
      n=${#v[@]}
      line+=" $(printf "%.0f" "${v[n/2]}") ($(printf "%.0f" "${v[0]}")-$(printf "%.0f" "${v[n-1]}")) |"
    done
    echo "$line"
  done'
