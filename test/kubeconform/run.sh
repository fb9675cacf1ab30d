#!/usr/bin/env bash
# Side-by-side with kubeconform -strict on the lint corpus (10,000 objects,
# 200 files; cmd/lintbench), offline: kubeconform (a Go module, installed
# once by .ci/tool) reads JSON Schemas generated from the same Kubernetes
# 1.37 OpenAPI platformctl's schema rules come from (test/kubeconform/schemas).
# Prints wall time and peak RSS of each, RUNS times (default 3), in one run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
KUBECONFORM="github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
runs="${RUNS:-3}"

kubeconform="$(bash "$root/.ci/tool" "$KUBECONFORM")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/platformctl" ./cmd/platformctl \
	&& go run ./test/kubeconform/schemas -o "$tmp/schemas" \
	&& go run ./cmd/lintbench -o "$tmp/corpus" >/dev/null)
schemas="$tmp/schemas/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json"
for i in $(seq "$runs"); do
	/usr/bin/time -f "kubeconform -strict: %e s wall, %M KiB peak RSS" \
		"$kubeconform" -strict -summary -schema-location "$schemas" "$tmp/corpus" >"$tmp/kc.out" 2>"$tmp/kc.err" || true
	tail -1 "$tmp/kc.err"
	/usr/bin/time -f "platformctl lint:     %e s wall, %M KiB peak RSS" \
		"$tmp/platformctl" lint -q -o json "$tmp/corpus" >/dev/null 2>"$tmp/pl.err" || true
	tail -1 "$tmp/pl.err"
done
echo "kubeconform: $(tail -1 "$tmp/kc.out")"
