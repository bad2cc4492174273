#!/usr/bin/env bash
# The main job: set up, start a local collector on embedded SQLite (loopback) and the live sensor
# pointed at it. Ctrl-C stops both. See scripts/run-local-stack.sh for ports, data dir and the admin token.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/run-local-stack.sh "$@"
