#!/usr/bin/env bash
# Kustomize version matrix: builds every example environment with each
# Kustomize release users run (what kubectl, Argo CD and Flux embed) and
# compares the output with `platformctl build`, byte for byte.
#
# Each version is installed from the Go module proxy with `go install`
# into a cache outside the work tree, keyed by version and toolchain, so
# fresh clones on the same machine (CI) reuse them.
#
# Environment:
#   KUSTOMIZE_VERSIONS  space-separated versions (default: the tested range below)
#   KUSTOMIZE_CACHE     cache directory (default ~/.cache/platformctl-kustomize)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The tested range: the newest patch of every minor from v5.4 on that this
# toolchain builds (v5.8.3 needs Go 1.27; v5.8.2 embeds the same api v0.21.2
# as go.mod). README and
# docs/gitops.md state this range; keep them in step.
versions="${KUSTOMIZE_VERSIONS:-v5.4.3 v5.5.0 v5.6.0 v5.7.1 v5.8.2}"
cache="${KUSTOMIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platformctl-kustomize}"
toolchain="$(go env GOVERSION)-$(go env GOOS)-$(go env GOARCH)"

log() { printf 'kustomize-matrix: %s\n' "$*" >&2; }

bins=()
for v in $versions; do
	dest="$cache/$toolchain/$v"
	if [[ ! -x "$dest/kustomize" ]]; then
		log "installing kustomize $v (first run only)"
		tmp="$(mktemp -d "$cache/.install.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "$cache/.install.XXXXXX"; })"
		if ! (cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -ldflags=-s "sigs.k8s.io/kustomize/kustomize/v5@$v"); then
			rm -rf "$tmp"
			exit 1
		fi
		mkdir -p "$(dirname "$dest")"
		# Rename is atomic: a concurrent run never sees a half-installed binary.
		mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
	fi
	bins+=("$v=$dest/kustomize")
done

cd "$root"
KUSTOMIZE_MATRIX="${bins[*]}" go test -count=1 -run 'TestKustomizeMatrix' ./test/kustomize/
