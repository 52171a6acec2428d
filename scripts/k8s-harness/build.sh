#!/usr/bin/env bash
# Builds the real Kubernetes control plane and the test oracles from the Go
# module proxy into a version-keyed cache outside the work tree, only what is
# missing, with progress. Prints the bin directory on its last line.
#
#   scripts/k8s-harness/build.sh            build what is missing
#   scripts/k8s-harness/build.sh --check    exit 1 (listing them) if any binary is missing
#
# Cache: ${PADDOCK_K8S_CACHE:-$HOME/.cache/paddock-k8s}/<versions>/bin
set -euo pipefail

K8S_VERSION=v1.34.5          # k8s.io/kubernetes
K8S_STAGING_VERSION=v0.34.5  # its k8s.io/* staging modules
ETCD_VERSION=v3.6.5
KWOK_VERSION=v0.7.0
NETPOLICY_VERSION=v1.4.4
HELM_VERSION=v3.21.4

CACHE_ROOT="${PADDOCK_K8S_CACHE:-$HOME/.cache/paddock-k8s}"
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_netpolicy-${NETPOLICY_VERSION}_helm-${HELM_VERSION}"
DIR="$CACHE_ROOT/$KEY"
BIN="$DIR/bin"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok netpolicy helm)

missing=()
for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || missing+=("$b"); done

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -gt 0 ]; then echo "k8s harness: missing in $BIN: ${missing[*]}" >&2; exit 1; fi
  echo "$BIN"; exit 0
fi
if [ ${#missing[@]} -eq 0 ]; then echo "k8s harness: all binaries present (warm cache)"; echo "$BIN"; exit 0; fi

command -v go >/dev/null || { echo "k8s harness: go is required (Go module proxy builds)" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath"
export GOBIN="$BIN"
mkdir -p "$BIN" "$DIR/src"
start=$(date +%s)
step() { printf '[k8s harness %4ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }
want() { [[ " ${missing[*]} " == *" $1 "* ]]; }

step "building into $BIN: ${missing[*]} (go $(go env GOVERSION), $(nproc) cores)"

if want kwok; then step "kwok $KWOK_VERSION"; go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"; fi
# Build a main package from a module pinned in a wrapper module. Unlike `go install pkg@version`,
# this needs no @v/list lookup (the proxy refuses it for some modules, e.g. netpol-analyzer).
pinned_build() { # name module version package
  local name=$1 module=$2 version=$3 pkg=$4 w="$DIR/src/$1"
  rm -rf "$w"; mkdir -p "$w"; cd "$w"
  go mod init "paddock.local/$name" >/dev/null 2>&1
  go mod edit -require "$module@$version"
  # Start from the module's own go.sum: its dependencies' hashes then come from the module we
  # pinned, so no checksum-database lookup is needed (it has no entry for some, e.g. np-guard/models).
  local src; src=$(go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -f "$src/go.sum" ] && cp "$src/go.sum" go.sum && chmod u+w go.sum
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > tools.go
  go mod tidy >/dev/null
  go build -o "$BIN/$name" "$pkg"
}

if want netpolicy; then
  step "netpolicy $NETPOLICY_VERSION"
  pinned_build netpolicy github.com/np-guard/netpol-analyzer "$NETPOLICY_VERSION" github.com/np-guard/netpol-analyzer/cmd/netpolicy
fi
if want helm; then step "helm $HELM_VERSION"; go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"; fi

if want etcd; then
  step "etcd $ETCD_VERSION (wrapper module calling etcdmain.Main)"
  W="$DIR/src/etcd"; rm -rf "$W"; mkdir -p "$W"; cd "$W"
  cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go mod init paddock.local/etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  go mod tidy >/dev/null
  go build -o "$BIN/etcd" .
fi

if want kube-apiserver || want kube-controller-manager || want kube-scheduler; then
  step "kubernetes $K8S_VERSION: resolving staging modules"
  W="$DIR/src/kubernetes"; rm -rf "$W"; mkdir -p "$W"; cd "$W"
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || { echo "k8s harness: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
  go mod init paddock.local/kubernetes >/dev/null 2>&1
  # Each `k8s.io/x => ./staging/src/k8s.io/x` of kubernetes' go.mod becomes `k8s.io/x => k8s.io/x <staging version>`.
  grep -oE 'k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$gomod" | awk '{print $1}' | sort -u | while read -r m; do
    go mod edit -replace "$m=$m@$K8S_STAGING_VERSION"
  done
  go mod edit -require "k8s.io/kubernetes@$K8S_VERSION"
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  step "kubernetes $K8S_VERSION: go mod tidy (downloads)"
  go mod tidy >/dev/null
  ldflags="-s -w"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags="$ldflags -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=34 -X $p.gitTreeState=clean"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    want "$c" || continue
    step "kubernetes $K8S_VERSION: building $c"
    go build -tags selinux,notest -ldflags "$ldflags" -o "$BIN/$c" "k8s.io/kubernetes/cmd/$c"
  done
fi

for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || { echo "k8s harness: $b was not built" >&2; exit 1; }; done
step "done"
echo "$BIN"
