#!/usr/bin/env bash
# Crash soak (issue 11, "Durability"): SIGKILLs the real server process under load and at fixed delays after the
# last reply, restarts it and checks that every acknowledged certificate, revocation, challenge and token survived.
# It is the CI test CrashHarnessIT with more rounds, and FixtureCrashReproducerIT beside it with all six variants
# (CI runs the three fixture ones):
#   ./bench/crash-soak.sh [--rounds 200] [--pg-rounds 4] [--seed N] [--clients 4] [--load-seconds 5] [--lanes 3] [--keep 5]
# --pg-rounds: rounds on PostgreSQL (server SIGKILL or pg_ctl -m immediate), in a lane beside the H2 ones.
# Prints one line per round and the figures at the end; exits non-zero on any loss. Logs and the data folders that
# lost something: integration-tests/target/crash-harness/<time>/. Extra Maven flags: MVN_ARGS="-o".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
props=(-Dcrash.rounds=200)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|--pg-rounds|--seed|--clients|--load-seconds|--lanes|--keep)
      [ $# -ge 2 ] || { echo "crash-soak: $1 needs a value" >&2; exit 2; }
      props+=("-Dcrash.${1#--}=$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash-soak: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
log="$(mktemp -t crash-soak.XXXXXX)"
set +e
# shellcheck disable=SC2086
mvn -B ${MVN_ARGS:-} verify -pl integration-tests -am -Dit.test='CrashHarnessIT,FixtureCrashReproducerIT' \
  -Dcrash.reproducer.all=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false "${props[@]}" 2>&1 | tee "$log" | grep --line-buffered '^\[crash\]'
status=${PIPESTATUS[0]}
set -e
grep -E '^\[(INFO|WARNING|ERROR)\] Tests run:.* in org\.scepca\.it\.crash' "$log" || true
if [ "$status" -ne 0 ]; then
  grep -E '^\[ERROR\]|BUILD' "$log" | head -40 >&2
fi
echo "crash-soak: Maven log $log; exit $status"
exit "$status"
