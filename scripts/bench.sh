#!/usr/bin/env bash
# Runs every benchmark in tests/benchmarks (each is a script that prints its own report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
for b in tests/benchmarks/bench_*.py; do
  echo "== $b"
  .venv/bin/python "$b" "$@"
done
