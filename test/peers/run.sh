#!/usr/bin/env bash
# Peer-linter tier: builds the production environments of every example with
# spec.lint.peerAnnotations: [kube-score, kube-linter, polaris] (what a team that runs
# these linters in CI sets) and runs kube-score on each; any CRITICAL fails.
# It also checks that the build without the opt-in fails kube-score only on
# the checks docs/peers.md explains.
#
# kube-score is a Go module: .ci/tool installs it once into
# ~/.cache/platformctl-tools, keyed by toolchain and version, so fresh clones
# on the same machine (CI) reuse it. kube-linter and Polaris are not served
# as Go modules here; README says how to run them by hand.
#
# Environment:
#   PEERS_RUN   passed to go test -run
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# KUBE_SCORE is the kube-score release the tier pins; docs/peers.md records
# the findings measured with it.
KUBE_SCORE="github.com/zegl/kube-score/cmd/kube-score@v1.20.0"

log() { printf 'peers: %s\n' "$*" >&2; }

start=$(date +%s)
kube_score="$(bash "$root/.ci/tool" "$KUBE_SCORE")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/platformctl" ./cmd/platformctl)
log "tools ready after $(($(date +%s) - start))s"

cd "$here"
go vet ./...
PEERS_KUBE_SCORE="$kube_score" PEERS_PLATFORMCTL="$tmp/platformctl" PEERS_REPO_ROOT="$root" \
	go test -count=1 ${PEERS_RUN:+-run "$PEERS_RUN"} -v ./...
log "done in $(($(date +%s) - start))s"
