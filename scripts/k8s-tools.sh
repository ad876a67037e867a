#!/usr/bin/env bash
# Tools for the Kubernetes manifest tests (test/deploy/kubernetes.integration.test.ts), built from the Go module proxy
# and cached in ~/.cache/tollgate/bin:
#   kustomize   sigs.k8s.io/kustomize/kustomize/v5 v5.7.1 (v5.8 needs a newer Go)
#   k8s-strict  scripts/k8s-strict: decodes rendered objects strictly into their k8s.io/api and
#               Prometheus Operator Go types (unknown fields, wrong types); rebuilt when its source changes
#
#   scripts/k8s-tools.sh install          build what is missing (idempotent)
#   scripts/k8s-tools.sh path kustomize   print a tool's path (exit 1 if it is not built)
#   scripts/k8s-tools.sh path k8s-strict
set -euo pipefail
cd "$(dirname "$0")/.."
KUSTOMIZE_VERSION=v5.7.1
BIN_DIR="${TOLLGATE_CACHE:-$HOME/.cache/tollgate}/bin"
STRICT_SRC=scripts/k8s-strict
strict_bin() { echo "$BIN_DIR/k8s-strict-$(cat "$STRICT_SRC/main.go" "$STRICT_SRC/go.mod" "$STRICT_SRC/go.sum" | sha256sum | cut -c1-12)"; }

need_go() { command -v go >/dev/null || { echo "k8s-tools.sh: Go is needed (apt-get install golang, or /usr/local/go)" >&2; exit 1; }; }

case "${1:-}" in
  install)
    mkdir -p "$BIN_DIR"
    if ! { [[ -x "$BIN_DIR/kustomize" ]] && "$BIN_DIR/kustomize" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; }; then
      need_go
      echo "k8s-tools.sh: building kustomize $KUSTOMIZE_VERSION" >&2
      GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    fi
    bin="$(strict_bin)"
    if [[ ! -x "$bin" ]]; then
      need_go
      echo "k8s-tools.sh: building k8s-strict" >&2
      (cd "$STRICT_SRC" && GOFLAGS="-buildvcs=false -mod=readonly" go build -o "$bin" .)
    fi
    ;;
  path)
    case "${2:-}" in
      kustomize) bin="$BIN_DIR/kustomize" ;;
      k8s-strict) bin="$(strict_bin)" ;;
      *) echo "usage: k8s-tools.sh path kustomize|k8s-strict" >&2; exit 2 ;;
    esac
    [[ -x "$bin" ]] || { echo "k8s-tools.sh: $bin missing: run scripts/k8s-tools.sh install" >&2; exit 1; }
    echo "$bin"
    ;;
  *)
    sed -n '2,11p' "$0" >&2
    exit 2
    ;;
esac
