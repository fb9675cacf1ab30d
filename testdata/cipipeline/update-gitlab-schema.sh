#!/usr/bin/env bash
# Refreshes gitlab-ci.schema.json: GitLab's published CI configuration schema
# (MIT, the one GitLab's pipeline editor validates with), as bundled by the
# npm package gitlab-ci-local (MIT). Bump the version, rerun, read the diff.
set -euo pipefail
version=4.75.1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "gitlab-ci-local@$version" > /dev/null && tar xzf "gitlab-ci-local-$version.tgz")
node "$here/extract-gitlab-schema.mjs" "$tmp/package/dist/index.js" > "$here/gitlab-ci.schema.json"
echo "gitlab-ci.schema.json: gitlab-ci-local@$version"
