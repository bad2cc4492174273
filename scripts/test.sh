#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Debian packages the tests drive (packaging tools,
# Chromium), Python environments, PostgreSQL, the real OpenClaw package, then lint, types and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-packaging-tools.sh
bash scripts/install-browser.sh
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
CLAWWATCH_OPENCLAW_ROOT=$(bash scripts/install-openclaw.sh)
export CLAWWATCH_OPENCLAW_ROOT
echo "[lint] ruff"; .venv/bin/ruff check .
echo "[types] mypy"; .venv/bin/mypy
echo "[tests] pytest"
.venv/bin/python -m pytest "$@"
