#!/usr/bin/env bash
# The whole test suite, from a fresh machine: setup, services, the real OpenClaw package, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
CLAWWATCH_OPENCLAW_ROOT=$(bash scripts/install-openclaw.sh)
export CLAWWATCH_OPENCLAW_ROOT
if [ -f scripts/install-browser.sh ]; then bash scripts/install-browser.sh; fi
echo "[lint] ruff"; .venv/bin/ruff check .
echo "[types] mypy"; .venv/bin/mypy
echo "[tests] pytest"
.venv/bin/python -m pytest "$@"
