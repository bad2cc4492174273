#!/usr/bin/env bash
# The main job: set up, then scan this host for OpenClaw installs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
exec .venv/bin/clawwatch scan "$@"
