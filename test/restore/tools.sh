#!/usr/bin/env bash
# Installs what test/restore runs the rendered backup scripts with: the
# PostgreSQL server and client tools, Redis, and rclone, from the
# distribution's packages, when they are missing. Nothing is started: the
# test starts its own servers as an unprivileged user.
set -euo pipefail
need=()
command -v rclone > /dev/null || need+=(rclone)
command -v redis-server > /dev/null || need+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || command -v initdb > /dev/null || need+=(postgresql)
command -v pg_dump > /dev/null || need+=(postgresql-client)
# The postgres image has it: its entrypoint (and the restore script) give
# the pod's arbitrary UID a user with it.
compgen -G "/usr/lib/*/libnss_wrapper.so" > /dev/null || compgen -G "/usr/lib/libnss_wrapper.so" > /dev/null || need+=(libnss-wrapper)
[[ ${#need[@]} -eq 0 ]] && exit 0
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# A package's service is not started in a build machine (no init).
"${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}" > /dev/null ||
	{ "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}" > /dev/null; }
