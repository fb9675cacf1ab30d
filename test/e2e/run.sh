#!/usr/bin/env bash
# End-to-end tier: renders every example environment with platformctl and
# submits the result to a real kube-apiserver (backed by a real etcd) started
# on loopback. Needs only the Go toolchain and the Go module proxy.
#
# The apiserver and etcd are compiled from source through the tools module and
# cached outside the work tree, keyed by a hash of the tools module and the Go
# toolchain, so that fresh clones on the same machine (CI) reuse them.
#
# Environment:
#   E2E_BIN_DIR   use binaries from / build binaries into this directory
#   E2E_RUN       passed to go test -run
#   E2E_TIMEOUT   go test timeout (default 15m)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

log() { printf 'e2e: %s\n' "$*" >&2; }

# cache_key changes whenever anything that can change the binaries does: the
# pinned versions, the toolchain, or the build recipe below.
cache_key() {
	{
		cat "$here/tools/go.mod" "$here/tools/go.sum"
		go version
		go env GOOS GOARCH
		declare -f build_tools
	} | sha256sum | cut -c1-16
}

build_tools() {
	local dest="$1" tmp ver ldflags
	ver="$(cd "$here/tools" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
	# Without these the apiserver reports v0.0.0-master, which breaks version
	# discovery for clients; mirrors what the Kubernetes release build stamps.
	ldflags="-s -w"
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+=" -X $pkg.gitVersion=$ver -X $pkg.gitTreeState=clean"
		ldflags+=" -X $pkg.gitMajor=$(echo "$ver" | cut -d. -f1 | tr -d v)"
		ldflags+=" -X $pkg.gitMinor=$(echo "$ver" | cut -d. -f2)"
	done
	mkdir -p "$(dirname "$dest")"
	tmp="$(mktemp -d "$(dirname "$dest")/.build.XXXXXX")"
	log "building kube-apiserver $ver and etcd (first run takes several minutes)"
	(
		cd "$here/tools"
		# Static, like upstream's release builds, so no C toolchain is needed;
		# no DWARF, since -s -w would strip it again anyway.
		export CGO_ENABLED=0
		go build -o "$tmp/kube-apiserver" -gcflags=all=-dwarf=false -ldflags "$ldflags" k8s.io/kubernetes/cmd/kube-apiserver
		go build -o "$tmp/etcd" -gcflags=all=-dwarf=false -ldflags "-s -w" go.etcd.io/etcd/server/v3
	) || { rm -rf "$tmp"; return 1; }
	# Rename is atomic, so a concurrent run never sees a half-written cache.
	if ! mv -T "$tmp" "$dest" 2>/dev/null; then
		rm -rf "$tmp"
	fi
}

main() {
	local start bin cache_root key
	start=$(date +%s)
	cache_root="${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}"
	# Without a home directory, fall back to the gitignored bin/ here.
	cache_root="${cache_root:-$here/bin}/platformctl-e2e"
	key="$(cache_key)"
	bin="${E2E_BIN_DIR:-$cache_root/$key}"
	if [[ -x "$bin/kube-apiserver" && -x "$bin/etcd" ]]; then
		log "using cached binaries in $bin"
	else
		build_tools "$bin"
		if [[ -z "${E2E_BIN_DIR:-}" ]]; then
			# Superseded builds are ~200 MB each; keep only the current one.
			find "$cache_root" -mindepth 1 -maxdepth 1 -type d ! -name "$key" ! -name ".*" -exec rm -rf {} +
		fi
	fi
	log "binaries ready after $(($(date +%s) - start))s"

	cd "$here"
	go vet ./...
	E2E_KUBE_APISERVER="$bin/kube-apiserver" \
		E2E_ETCD="$bin/etcd" \
		E2E_REPO_ROOT="$root" \
		go test -count=1 -timeout "${E2E_TIMEOUT:-15m}" ${E2E_RUN:+-run "$E2E_RUN"} -v ./...
	log "done in $(($(date +%s) - start))s"
}

main "$@"
