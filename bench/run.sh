#!/usr/bin/env bash
# Benchmarks (docs/performance.md). Builds the server jar and the bench jar, then runs one of:
#   ./bench/run.sh [load] [--clients 32] [--seconds 20] [--warmup 180] [--challenge one-time|static] [--crypto auto|jdk] ...
#   ./bench/run.sh load --postgres [--replicas 2] ...      (a throwaway PostgreSQL cluster started for the run)
#   ./bench/run.sh load --db-url jdbc:postgresql://HOST:PORT/DB --db-user U --db-password-file F [--db-pid PID] ...
#   ./bench/run.sh store-scale [--rows 1000000] [--revoked 100000]
#   ./bench/run.sh jmh [JMH options, e.g. -f 1 -wi 3 -i 5 HotPath]
# Results go to stdout and bench-results/ (gitignored). Not part of 'mvn verify'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  log="$(mktemp)"
  if ! mvn -B -q -Pbench -DskipTests -pl scep-server,bench -am package >"$log" 2>&1; then
    grep -E 'ERROR|BUILD' "$log" >&2 || cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi
case "${1:-}" in
  load|store-scale|jmh) cmd="$1"; shift ;;
  *) cmd=load ;;
esac
# The load generator shares the machine with the server: a small heap and one GC thread keep it out of the way.
exec java -Xmx3g -XX:+UseParallelGC -XX:ParallelGCThreads=1 -Dlogback.configurationFile=bench/logback-bench.xml \
  -jar bench/target/scepca-bench.jar "$cmd" "$@"
