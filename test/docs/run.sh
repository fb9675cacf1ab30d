#!/usr/bin/env bash
# Workflow snippets in docs/ must pass actionlint: installs actionlint from
# the Go module proxy into a cache (keyed by version and toolchain, so CI on
# the same machine reuses it) and runs the docs test with it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version=v1.7.12
cache="${XDG_CACHE_HOME:-$HOME/.cache}/platformctl-tools/$(go env GOVERSION)-$(go env GOOS)-$(go env GOARCH)/actionlint-$version"
if [[ ! -x "$cache/actionlint" ]]; then
	printf 'docs: installing actionlint %s (first run only)\n' "$version" >&2
	mkdir -p "$(dirname "$cache")"
	tmp="$(mktemp -d "$(dirname "$cache")/.install.XXXXXX")"
	(cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@$version") || { rm -rf "$tmp"; exit 1; }
	mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
fi
cd "$root"
ACTIONLINT="$cache/actionlint" go test -count=1 -run 'TestWorkflowSnippets|TestGeneratedWorkflows' ./test/docs/
