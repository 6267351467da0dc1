#!/bin/sh
# Mounted as /docker-entrypoint.d/90-crl-reload.sh in the nginx container: the official image runs these scripts
# before it starts nginx. nginx reads ssl_crl only when it starts or reloads, and the scepca replicas rewrite crl.pem
# (atomically: a new file renamed over the old) on every revocation and after half of the CRL's lifetime. This leaves
# a loop in the background that reloads nginx when the file's checksum changes, within CRL_POLL_SECONDS.
set -eu
crl="${CRL_FILE:-/scepca/crl/crl.pem}"
interval="${CRL_POLL_SECONDS:-10}"

(
  last="$(cksum < "$crl" 2>/dev/null || echo missing)"
  while sleep "$interval"; do
    now="$(cksum < "$crl" 2>/dev/null || echo missing)"
    [ "$now" = "$last" ] && continue
    # Test first: a reload with a configuration nginx cannot load keeps the old one, and the log should say why.
    if nginx -t -q && nginx -s reload; then
      last="$now"
      echo "crl-reload: $crl changed; nginx reloaded"
    else
      echo "crl-reload: $crl changed but nginx cannot load it yet; trying again in ${interval}s" >&2
    fi
  done
) &
echo "crl-reload: reloading nginx when $crl changes (checked every ${interval}s, pid $!)"
