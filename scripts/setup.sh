#!/usr/bin/env bash
# Installs what the integration tests need and the test runner does not install itself
# (it only checks, and says to run this): Prometheus + promtool (Debian), Java 17 and Maven
# (Debian, to fetch and run Kafka), prometheus-node-exporter (Debian, a scrape target), Apache Kafka's
# jars (Maven Central, cached in ~/.cache/tollgate/kafka), and kustomize and the strict Kubernetes
# decoder for the manifest tests (built with Go from the Go module proxy, cached in
# ~/.cache/tollgate/bin), and the OpenTelemetry Collector for the compatibility tests
# (benchmarks/peers/build.sh, cached in ~/.cache/tollgate/peers).
# Idempotent: what is there already is skipped. apt-get needs root.
#
#   bash scripts/setup.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
# Debian's node exporter: a real scrape target for the prometheus receiver's tests (they start their own).
[[ -x /usr/bin/prometheus-node-exporter ]] || missing+=(prometheus-node-exporter)
command -v go >/dev/null || [[ -x /usr/local/go/bin/go ]] || missing+=(golang-go)
if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "setup.sh: missing Debian packages ${missing[*]}: run as root (or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged Prometheus service would hold 9090; tests run their own on free ports.
bash "$HERE/prometheus.sh" stop-packaged
(systemctl stop prometheus-node-exporter || service prometheus-node-exporter stop) >/dev/null 2>&1 || true
bash "$HERE/kafka.sh" fetch
if [[ -x /usr/local/go/bin/go ]]; then export PATH="$PATH:/usr/local/go/bin"; fi
bash "$HERE/k8s-tools.sh" install
# The OpenTelemetry Collector 0.165 the compatibility tests (test/compat) compare against: built with its
# builder from the Go module proxy, once, into ~/.cache/tollgate/peers (keyed by its manifest).
bash "$HERE/../benchmarks/peers/build.sh" --only collector >/dev/null
echo "setup.sh: ready ($(prometheus --version 2>&1 | head -1); $(java -version 2>&1 | head -1))" >&2
