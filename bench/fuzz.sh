#!/usr/bin/env bash
# Fuzzing soak (docs/fuzzing.md; docs/security.md "Fuzzing"): runs each Jazzer target in fuzzing mode for a time budget, one
# after the other, and prints per target the executions, executions per second and findings.
#   ./bench/fuzz.sh [--seconds 300] [--heap 1g] [--rss-mb 2560] [--timeout 20] [Class#method ...]
#                                                         (default: every target, 300 s each, one at a time)
#   ./bench/fuzz.sh --list
#   ./bench/fuzz.sh --totals [runs.tsv ...]              (executions per target summed over recorded runs;
#                                                         default docs/fuzzing-runs.tsv)
# A finding (exception, 500, hang past the target's @Timeout, Java OutOfMemoryError within --heap, RSS past
# --rss-mb) stops that target; Jazzer writes the input as crash-* next to the target's regression inputs
# (scep-server/src/test/resources/.../<Class>Inputs/<method>/), where 'mvn verify' replays it from then on.
# The corpus each run grows is kept in scep-server/.cifuzz-corpus/ (gitignored), so a later run continues from it.
# Logs: bench-results/fuzz/<target>.log; each run adds a line to bench-results/fuzz/runs.tsv (the ledger's format).
# Not part of 'mvn verify' (which replays the regression inputs only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

all=(
  ScepRequestFuzzTest#pkiMessage ScepRequestFuzzTest#envelopedContent
  RequestParametersFuzzTest#scepQuery RequestParametersFuzzTest#base64Spellings RequestParametersFuzzTest#ocspGetPath
  OcspResponderFuzzTest#derRequest OcspResponderFuzzTest#ourCertIds
  AdminBodiesFuzzTest#jsonBody
  AcmeRequestFuzzTest#jwsBody AcmeRequestFuzzTest#signedRequest EstEnrollFuzzTest#enrollRequest EstEnrollFuzzTest#csrDer
  HttpServerFuzzTest#publicPort HttpServerFuzzTest#caFilePath HttpServerFuzzTest#adminPort
)
seconds=300
heap=1g
rss_mb=2560
timeout=20
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --rss-mb) rss_mb="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --list) printf '%s\n' "${all[@]}"; exit 0 ;;
    --totals)
      shift
      [ $# -gt 0 ] || set -- docs/fuzzing-runs.tsv
      # Columns: started, commit, target, executions, seconds, findings, note. A row per run (one per target sums
      # the runs from before the ledger began), so the totals the docs quote can be added up again from the file.
      awk -F'\t' '!/^#/ && NF >= 6 && $4 ~ /^[0-9]+$/ { n[$3] += $4; runs[$3]++; f[$3] += $6 }
        END { for (t in n) printf "%-44s %12d %5d %9d  %s\n", t, n[t], runs[t], f[t], (n[t] >= 10000000 ? "reached" : "below 10^7") }' "$@" |
        sort -k2,2nr | { printf '%-44s %12s %5s %9s  %s\n' target executions rows findings "10^7"; cat; }
      exit 0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *#*) targets+=("$1"); shift ;;
    *) echo "unknown argument: $1 (targets look like Class#method; see --list)" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

mvn_flags=(-B ${FUZZ_MVN_FLAGS:-})
out=bench-results/fuzz
mkdir -p "$out"
echo "building test classes..." >&2
if ! mvn "${mvn_flags[@]}" -q test-compile -pl scep-server -am >"$out/build.log" 2>&1; then
  grep -E 'ERROR|BUILD' "$out/build.log" >&2 || cat "$out/build.log" >&2
  exit 1
fi

printf '%-40s %12s %8s %7s %8s %8s  %s\n' target executions exec/s seconds "slowest" "peak-rss" "findings; outcomes"
status=0
for t in "${targets[@]}"; do
  name="${t/\#/.}"
  stats="scep-server/target/fuzz-stats/$name.txt"
  rm -f "$stats"
  started="$(date -u +%FT%TZ)"
  # The commit this run's classes are built from, taken now: the checkout may move on while a long run goes on.
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo -)"
  log="$out/$name.log"
  rc=0
  # One target per JVM (Jazzer fuzzes one test per run). The heap limit makes an unbounded allocation a finding
  # (OutOfMemoryError); libFuzzer's RSS limit catches native growth; -timeout makes one input running longer a hang.
  # JUnit's own @Timeout is for regression runs: in fuzzing mode it would apply to the whole run, so it is off.
  # Low priority: the machine is shared. test-compile before surefire:test makes Maven put the reactor's target/classes
  # on the class path (surefire:test alone takes acme, est and ca-core from ~/.m2, possibly stale, and Jazzer only
  # instruments class directories, so those modules would get no coverage feedback).
  # H2 runs without its internal assertions (surefire enables all of them), as in the server, which runs without -ea:
  # they re-check H2's own bookkeeping, and two of them walk every chunk of the file or every page of a map on each
  # commit, so a fuzzing JVM slowed down as its database grew (a fifth of the main thread's samples when profiling
  # signedRequest). Our own assertions stay on.
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" JAVA_TOOL_OPTIONS="-Xmx$heap -da:org.h2..." \
    nice -n 10 mvn "${mvn_flags[@]}" test-compile surefire:test -pl scep-server -am -Dtest="$t" \
      -Dscepca.test.forks=1 -Dsurefire.failIfNoSpecifiedTests=false -Djunit.jupiter.execution.timeout.mode=disabled \
      -Djazzer.internal.arg.0=scepca-fuzz -Djazzer.internal.arg.1=-rss_limit_mb="$rss_mb" \
      -Djazzer.internal.arg.2=-timeout="$timeout" -Djazzer.internal.arg.3=-print_final_stats=1 >"$log" 2>&1 || rc=$?
  if [ -f "$stats" ]; then
    line="$(cat "$stats")"
    execs="$(sed -E 's/.*executions=([0-9]+).*/\1/' <<<"$line")"
    rate="$(sed -E 's/.*execs_per_second=([0-9]+).*/\1/' <<<"$line")"
    secs="$(sed -E 's/.*seconds=([0-9]+).*/\1/' <<<"$line")"
    outcomes="$(sed -E 's/.*outcomes=//' <<<"$line")"
  else
    execs=0 rate=0 secs=0 outcomes="(no statistics: see $log)"
  fi
  if [ "$rc" -eq 0 ]; then
    findings="0 findings"
  else
    status=1
    # The next run of the target writes the same log: keep this one, with the server's log lines around the finding.
    kept="$out/$name.$(date -u +%Y%m%dT%H%M%SZ).finding.log"
    cp "$log" "$kept"
    finding="$(grep -m1 -E 'FuzzTestFindingException|Caused by: |AssertionError|OutOfMemory|timeout after|rss limit' "$log" || true)"
    findings="FINDING: ${finding:-exit $rc, see $kept}"
  fi
  slowest="$(sed -nE 's/^stat::slowest_unit_time_sec: *([0-9]+).*/\1 s/p' "$log" | tail -1)"
  peak="$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+).*/\1 MB/p' "$log" | tail -1)"
  printf '%-40s %12s %8s %7s %8s %8s  %s; %s\n' "$t" "$execs" "$rate" "$secs" "${slowest:--}" "${peak:--}" "$findings" \
    "$outcomes"
  # The run's line for the ledger (docs/fuzzing-runs.tsv keeps the runs the documented totals add up).
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$started" "$commit" "$t" "$execs" \
    "$secs" "$([ "$rc" -eq 0 ] && echo 0 || echo 1)" "${findings:0:160}" >> "$out/runs.tsv"
done
exit $status
