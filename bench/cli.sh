#!/usr/bin/env bash
# CLI latency: how long read-only commands take from the shell, JVM start included (docs/cli.md "Speed",
# docs/performance.md). Creates a throwaway CA with one issued certificate, then runs each command N times and prints
# the median and 90th percentile of wall and CPU (user+sys) time.
#
#   bench/cli.sh [N]                       # ./scepca (AppCDS archive + C1 for short commands), N=20
#   CLI="java @scep-server/jvm.options -jar OLD/scepca.jar" bench/cli.sh   # any other build, for a before/after
#
# Wall time depends on what else the machine runs; CPU time less so. Both are printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-20}"
cli="${CLI:-$here/scepca}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
# The passphrase is in the environment for the set-up (and for builds whose listings still need it).
export SCEPCA_PASSPHRASE="bench-cli-passphrase-0123"
$cli init --data "$data" --root-key-bits 2048 >/dev/null
$cli cert issue-server --data "$data" --dns bench.example --out "$work/tls" >"$work/issued.txt"
serial="$(sed -n 's/^issued server certificate \([0-9a-f]*\) .*/\1/p' "$work/issued.txt")"
$cli cert list --data "$data" >/dev/null # first run after a build records the class-sharing archive

measure() {
  local label="$1"; shift
  local times="$work/times.txt"
  : >"$times"
  for _ in $(seq "$n"); do
    /usr/bin/time -f "%e %U %S" -o "$work/one.txt" $cli "$@" --data "$data" >/dev/null
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$work/one.txt" >>"$times"
  done
  python3 - "$label" "$times" <<'PY'
import sys
label, path = sys.argv[1], sys.argv[2]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
wall = [r[0] for r in rows]; cpu = [r[1] for r in rows]
print(f"{label:<16} n={len(rows):<3} wall median {pct(wall, 50):.2f} s  p90 {pct(wall, 90):.2f} s"
      f"   cpu median {pct(cpu, 50):.2f} s  p90 {pct(cpu, 90):.2f} s")
PY
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); CLI=$cli"
measure "cert list" cert list
measure "ca info" ca info
measure "cert show" cert show "$serial"
if $cli cert list --help | grep -q -- --json; then # builds before --json existed skip it
  measure "cert list --json" cert list --json
fi
