#!/bin/sh
# scepca's container entrypoint (docs/docker.md). Beside this script: scepca.jar and jvm.options (/app in the image).
#
#   entrypoint.sh [serve [ARGS]]   create the CA on an empty data folder, then run the server (the image's default)
#   entrypoint.sh init [ARGS]      create the CA on an empty data folder (and nginx's TLS certificate), then exit
#   entrypoint.sh health           exit 0 when this container's /healthz answers 200 (the HEALTHCHECK)
#   entrypoint.sh COMMAND ...      any other scepca command, e.g. 'admin token create --name alice'
#
# The data folder is $SCEPCA_DATA (/data in the image). The CA passphrase comes from $SCEPCA_PASSPHRASE_FILE (a docker
# secret, preferred) or $SCEPCA_PASSPHRASE; this script checks that one is there and never reads or prints it.
# Configuration keys come from $DATA/scepca.properties and from SCEPCA_ variables (SCEPCA_DB_URL sets db.url).
set -eu

app="$(cd "$(dirname "$0")" && pwd)"
data="${SCEPCA_DATA:-/data}"
# CLI commands run through this script default to the same folder.
export SCEPCA_DATA="$data"

die() {
  echo "scepca-entrypoint: $*" >&2
  exit 1
}

# Runs a scepca command. JVM flags: jvm.options, then SCEPCA_JAVA_OPTS (later flags win), as ./scepca does; the
# variable is split into words on purpose.
scepca() {
  # shellcheck disable=SC2086
  java @"$app/jvm.options" ${SCEPCA_JAVA_OPTS:-} -jar "$app/scepca.jar" "$@"
}

# The same in place of this shell: java is then the process docker signals (SIGTERM on stop runs the server's
# shutdown hook) and whose exit status the container has.
exec_scepca() {
  # shellcheck disable=SC2086
  exec java @"$app/jvm.options" ${SCEPCA_JAVA_OPTS:-} -jar "$app/scepca.jar" "$@"
}

# One source, so that what is in use is never in doubt. A passphrase generated into the data folder is refused for a
# new CA: the keys and the passphrase that unlocks them would then be in one volume, and in every backup of it.
check_passphrase() {
  if [ -n "${SCEPCA_PASSPHRASE_FILE:-}" ] && [ -n "${SCEPCA_PASSPHRASE:-}" ]; then
    die "set SCEPCA_PASSPHRASE_FILE or SCEPCA_PASSPHRASE, not both"
  fi
  if [ -n "${SCEPCA_PASSPHRASE_FILE:-}" ]; then
    [ -f "$SCEPCA_PASSPHRASE_FILE" ] && [ -r "$SCEPCA_PASSPHRASE_FILE" ] \
      || die "SCEPCA_PASSPHRASE_FILE=$SCEPCA_PASSPHRASE_FILE is not a readable file (is the secret mounted and readable by uid $(id -u)?)"
    return 0
  fi
  [ -n "${SCEPCA_PASSPHRASE:-}" ] && return 0
  [ -f "$data/secrets/passphrase" ] && return 0 # a folder made by './scepca init' elsewhere and mounted here
  die "no CA passphrase: mount a secret and set SCEPCA_PASSPHRASE_FILE=/run/secrets/NAME (or set SCEPCA_PASSPHRASE)"
}

# Creates the CA unless the folder has one; arguments go to 'scepca init'. Replicas starting together on one empty
# shared folder are safe: init --if-absent creates the CA under a lock in the folder, and the others wait and find it.
# The test here only saves starting a JVM on every later start.
ensure_ca() {
  [ -e "$data/ca/intermediate.pem" ] && return 0
  [ -n "${SCEPCA_INIT_NAME:-}" ] && set -- --name "$SCEPCA_INIT_NAME" "$@"
  [ -n "${SCEPCA_INIT_ORG:-}" ] && set -- --org "$SCEPCA_INIT_ORG" "$@"
  scepca init --data "$data" --if-absent "$@"
}

# What nginx needs in DIR/tls, for SCEPCA_INIT_TLS_DNS (names, comma-separated): its TLS server certificate from this
# CA, issued once, and the CA chain that client certificates must chain to. nginx mounts tls/ and crl/ but not ca/,
# which holds the CA's keys; the chain is copied again whenever it changes (a new intermediate). Only the init command
# does this: one process, so two never write the key and certificate over each other.
ensure_tls() {
  [ -n "${SCEPCA_INIT_TLS_DNS:-}" ] || return 0
  if [ ! -e "$data/tls/server-chain.pem" ]; then
    set -- cert issue-server --data "$data" --out "$data/tls"
    old_ifs="$IFS"
    IFS=,
    set -f
    for name in $SCEPCA_INIT_TLS_DNS; do
      [ -n "$name" ] && set -- "$@" --dns "$name"
    done
    set +f
    IFS="$old_ifs"
    scepca "$@"
  fi
  if ! cmp -s "$data/ca/chain.pem" "$data/tls/ca-chain.pem"; then
    cp "$data/ca/chain.pem" "$data/tls/.ca-chain.pem.tmp"
    mv -f "$data/tls/.ca-chain.pem.tmp" "$data/tls/ca-chain.pem"
  fi
}

command="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    check_passphrase
    ensure_ca
    exec_scepca serve --data "$data" --host "${SCEPCA_HOST:-0.0.0.0}" --port "${SCEPCA_PORT:-8080}" "$@"
    ;;
  init)
    # Arguments go to 'scepca init' (key sizes, --import-intermediate ...): they matter only when it creates the CA.
    check_passphrase
    ensure_ca "$@"
    ensure_tls
    ;;
  health)
    host="${SCEPCA_HOST:-0.0.0.0}"
    case "$host" in
      0.0.0.0) host=127.0.0.1 ;;
      :: | "[::]") host="[::1]" ;;
      \[*) ;;
      *:*) host="[$host]" ;;
    esac
    # A JVM of its own, small and quick: not the server's jvm.options (their heap), no JIT beyond C1.
    exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx16m -Xss512k -cp "$app/scepca.jar" \
      org.scepca.server.cli.HealthProbe "http://$host:${SCEPCA_PORT:-8080}/healthz"
    ;;
  *)
    exec_scepca "$command" "$@"
    ;;
esac
