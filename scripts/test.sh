#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Debian packages the tests drive (packaging tools,
# Chromium, Wine with the Windows CPython), Python environments, PostgreSQL, the real OpenClaw package,
# then lint, types and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-packaging-tools.sh
bash scripts/install-browser.sh
bash scripts/setup.sh
# The Windows lane (tests/windows): Windows CPython + wheels under Wine, wixl/msiinfo, osslsigncode (cached).
bash scripts/install-wine-python.sh >/dev/null
bash scripts/ensure-postgres.sh
CLAWWATCH_OPENCLAW_ROOT=$(bash scripts/install-openclaw.sh)
export CLAWWATCH_OPENCLAW_ROOT
echo "[lint] ruff"; .venv/bin/ruff check .
echo "[types] mypy"; .venv/bin/mypy
echo "[imports] import-linter"; .venv/bin/lint-imports --no-cache
# Two workers: most tests wait on real processes (gateways, collectors, browsers), so two run side by side
# on two cores; tests sharing an expensive fixture stay on one worker (tests/conftest.py, xdist scopes).
echo "[tests] pytest (${CLAWWATCH_TEST_WORKERS:-2} workers)"
.venv/bin/python -m pytest -n "${CLAWWATCH_TEST_WORKERS:-2}" --dist loadscope --durations=15 "$@"
