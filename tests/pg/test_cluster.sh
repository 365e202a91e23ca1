#!/usr/bin/env bash
# tests/pg/test_cluster.sh start|stop DIR TOOLS_PG: the CTest fixture pg_test_cluster (tests/CMakeLists.txt).
# start: a private PostgreSQL cluster in DIR through tools/pg (fsync on), watched by ctest itself (this
# script's parent): if ctest dies, tools/pg's watchdog stops the cluster and removes DIR. A cluster left
# in DIR by an earlier run is stopped first. stop: stops it and removes DIR, whatever the tests did.
# The tests reach it as CATI_TEST_PG (tests/store/backends.hpp), each in a schema of its own.
set -euo pipefail
cmd=$1 dir=$2 pg=$3
case $cmd in
  start)
    "$pg" stop "$dir"
    "$pg" start "$dir" --watch "$PPID"
    ;;
  stop) "$pg" stop "$dir" ;;
  *) echo "usage: $0 start|stop DIR TOOLS_PG" >&2; exit 2 ;;
esac
