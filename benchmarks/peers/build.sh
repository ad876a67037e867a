#!/usr/bin/env bash
# Builds what the peer benchmarks run, from the Go module proxy, into a cache
# keyed by version (and by the hash of what we feed the build), so a second run
# does nothing:
#   - the OpenTelemetry Collector (ocb, core 0.165.0 / contrib 0.165.1, the
#     components in otelcol/manifest.yaml),
#   - vmagent (VictoriaMetrics, ./app/vmagent),
#   - peerload, the load generator and null sink (tools/, this repository).
#
#   benchmarks/peers/build.sh          build what is missing; print the binaries' paths as JSON
#   benchmarks/peers/build.sh --force  build again
#   benchmarks/peers/build.sh --only collector  just the collector (the compatibility tests; setup.sh)
#   benchmarks/peers/build.sh --only collector --check  its path if built, else exit 1 (builds nothing)
#
# Environment: TOLLGATE_PEERS_CACHE (default ~/.cache/tollgate/peers),
# OCB_VERSION, VMAGENT_VERSION.
#
# The collector: ocb generates the sources (its own `go mod tidy` then fails,
# because the file exporter's test-only dependency
# extension/encoding/otlpencodingextension v0.165.1 is not served by the
# proxy), then we `go mod tidy -e` (which skips that test import) and
# `go build`. pkg/ottl/contexts/xprofile 0.165.1 is not served either:
# replaced by 0.165.0.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${TOLLGATE_PEERS_CACHE:-$HOME/.cache/tollgate/peers}"
OCB_VERSION="${OCB_VERSION:-v0.165.0}"
VMAGENT_VERSION="${VMAGENT_VERSION:-v1.148.9}"
CONTRIB="github.com/open-telemetry/opentelemetry-collector-contrib"
FORCE=0
CHECK=0
ONLY=""
while (($#)); do
  case "$1" in
  --force) FORCE=1 ;;
  --only) ONLY="${2:-}"; shift ;;
  --check) CHECK=1 ;;
  *) echo "peers/build.sh: unknown argument $1 (use --force, --only collector)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "peers/build.sh: $*" >&2; }
command -v go >/dev/null || { log "Go is needed (apt-get install -y golang, or a Go toolchain on PATH)"; exit 1; }
mkdir -p "$CACHE"

hash_of() { cat "$@" | sha256sum | cut -c1-12; }

# True when $dir/$bin was built completely before (and --force was not given).
built() {
  local dir="$1" bin="$2"
  [[ $FORCE == 0 && -f "$dir/.complete" && -x "$dir/$bin" ]]
}

build_collector() {
  local key dir
  key="$OCB_VERSION-$(hash_of "$HERE/otelcol/manifest.yaml")"
  dir="$CACHE/otelcol-$key"
  if built "$dir" otelcol-bench; then echo "$dir/otelcol-bench"; return; fi
  if ((CHECK)); then log "the OpenTelemetry Collector is not built yet (bash scripts/setup.sh, or benchmarks/peers/build.sh --only collector)"; exit 1; fi
  log "building the OpenTelemetry Collector ($OCB_VERSION) into $dir (several minutes)"
  local t0=$SECONDS work="$dir.tmp.$$"
  rm -rf "$work" && mkdir -p "$work"
  GOBIN="$CACHE/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
  cp "$HERE/otelcol/manifest.yaml" "$work/manifest.yaml"
  # Generate sources; ocb's own module update fails on the unserved test-only module (see above).
  (cd "$work" && "$CACHE/bin/builder" --config manifest.yaml --skip-compilation >"$work/ocb.log" 2>&1) || true
  [[ -f "$work/build/go.mod" && -f "$work/build/components.go" ]] || { log "ocb did not generate sources:"; tail -20 "$work/ocb.log" >&2; exit 1; }
  (
    cd "$work/build"
    # Contrib 0.165.1 modules the proxy does not serve at that version: their 0.165.0.
    for m in pkg/ottl/contexts/xprofile extension/internal/basicauth extension/internal/secretprovider; do
      go mod edit -replace "$CONTRIB/$m=$CONTRIB/$m@v0.165.0"
    done
    go mod tidy -e >"$work/tidy.log" 2>&1 || true
    go build -trimpath -ldflags='-s -w' -o "$work/otelcol-bench" .
  )
  rm -rf "$dir" && mkdir -p "$dir"
  mv "$work/otelcol-bench" "$work/manifest.yaml" "$dir/"
  rm -rf "$work"
  echo "$OCB_VERSION" >"$dir/.complete"
  log "collector built in $((SECONDS - t0)) s"
  echo "$dir/otelcol-bench"
}

build_vmagent() {
  local dir="$CACHE/vmagent-$VMAGENT_VERSION"
  if built "$dir" vmagent; then echo "$dir/vmagent"; return; fi
  log "building vmagent $VMAGENT_VERSION into $dir (a few minutes)"
  local t0=$SECONDS
  mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath \
    -ldflags="-s -w -X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=vmagent-$VMAGENT_VERSION" \
    "github.com/VictoriaMetrics/VictoriaMetrics/app/vmagent@$VMAGENT_VERSION"
  echo "$VMAGENT_VERSION" >"$dir/.complete"
  log "vmagent built in $((SECONDS - t0)) s"
  echo "$dir/vmagent"
}

build_peerload() {
  local key dir
  key="$(hash_of "$HERE"/tools/go.mod "$HERE"/tools/go.sum "$HERE"/tools/*.go)"
  dir="$CACHE/peerload-$key"
  if built "$dir" peerload; then echo "$dir/peerload"; return; fi
  log "building peerload into $dir"
  mkdir -p "$dir"
  (cd "$HERE/tools" && go build -trimpath -o "$dir/peerload" .)
  echo "$key" >"$dir/.complete"
  echo "$dir/peerload"
}

if [[ "$ONLY" == collector ]]; then
  # The compatibility tests (test/compat) and scripts/setup.sh need the collector alone.
  collector="$(build_collector)"
  printf '{"collector":"%s","collectorVersion":"%s","go":"%s"}\n' "$collector" "${OCB_VERSION#v}" "$(go env GOVERSION)"
  exit 0
fi
peerload="$(build_peerload)"
collector="$(build_collector)"
vmagent="$(build_vmagent)"
printf '{"collector":"%s","collectorVersion":"%s","vmagent":"%s","vmagentVersion":"%s","peerload":"%s","go":"%s"}\n' \
  "$collector" "${OCB_VERSION#v}" "$vmagent" "${VMAGENT_VERSION#v}" "$peerload" "$(go env GOVERSION)"
