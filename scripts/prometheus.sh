#!/usr/bin/env bash
# Prometheus (Debian's 2.42 package) for tests, CI and local runs. Tests start their own instances on free
# loopback ports through test/helpers/prometheus.ts; this script installs the binary and quiets the
# packaged service.
#
#   scripts/prometheus.sh install        apt-get install prometheus if /usr/bin/prometheus is missing,
#                                        then stop the packaged service (it would hold 9090)
#   scripts/prometheus.sh check          exit 0 and print the version when the binary is there, else 1
#   scripts/prometheus.sh stop-packaged  stop the packaged service's own instance (the one on 9090)
#   scripts/prometheus.sh receiver PORT [DIR]
#                                        run a remote-write target in the foreground on 127.0.0.1:PORT
#                                        (data in DIR, default a fresh temp dir), for trying Tollgate by hand
set -euo pipefail

BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
log() { echo "prometheus.sh: $*" >&2; }

stop_packaged() {
  (systemctl stop prometheus || service prometheus stop) >/dev/null 2>&1 || true
  # Without an init system the package's instance is a plain process. Instances started by tests and by
  # `receiver` below always pass --storage.tsdb.path; the packaged one does not, so only it is stopped.
  local pid args
  for pid in $(pgrep -f "^$BIN" || true); do
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ -n "$args" && "$args" != *--storage.tsdb.path=* ]]; then
      kill "$pid" 2>/dev/null && log "stopped packaged prometheus (pid $pid)"
    fi
  done
  return 0
}

case "${1:-}" in
  install)
    if [[ ! -x "$BIN" ]]; then
      log "installing prometheus from Debian"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    fi
    stop_packaged
    "$BIN" --version 2>&1 | head -1
    ;;
  check)
    if [[ -x "$BIN" ]]; then "$BIN" --version 2>&1 | head -1; else log "missing $BIN: run 'apt-get install -y prometheus' (or scripts/prometheus.sh install)"; exit 1; fi
    ;;
  stop-packaged)
    stop_packaged
    ;;
  receiver)
    port="${2:?usage: prometheus.sh receiver PORT [DIR]}"
    dir="${3:-$(mktemp -d /tmp/tollgate-prometheus-XXXXXX)}"
    printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
    log "remote-write target on http://127.0.0.1:$port/api/v1/write (data in $dir)"
    exec "$BIN" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver \
      --enable-feature=native-histograms,exemplar-storage
    ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
