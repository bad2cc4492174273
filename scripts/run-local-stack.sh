#!/usr/bin/env bash
# The main job with a local collector: set up, start a collector on SQLite (loopback only), then run the
# live sensor pointed at it. Ctrl-C stops both. Extra arguments go to `clawwatch sensor run`.
#
#   data:         ${CLAWWATCH_DATA:-~/.local/share/clawwatch}  (collector.db, sensor/ spool + identity)
#   admin token:  $CLAWWATCH_DATA/admin-token (0600) -- use it as "Authorization: Bearer <token>"
#   collector:    http://127.0.0.1:${CLAWWATCH_COLLECTOR_PORT:-8765}
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2

DATA="${CLAWWATCH_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/clawwatch}"
PORT="${CLAWWATCH_COLLECTOR_PORT:-8765}"
URL="http://127.0.0.1:${PORT}"
mkdir -p "$DATA" && chmod 700 "$DATA"

secret_file() {  # FILE PREFIX: a random value kept in a 0600 file, created once
  if [ ! -s "$1" ]; then
    (umask 077; .venv/bin/python -c 'import secrets, sys; print(sys.argv[1] + secrets.token_urlsafe(32))' "$2" > "$1")
  fi
  cat "$1"
}
# Secrets travel in the environment, not on command lines other users can read in `ps`.
CLAWWATCH_ENROLL_SECRET="$(secret_file "$DATA/enroll-secret" "")"
CLAWWATCH_ADMIN_TOKEN="$(secret_file "$DATA/admin-token" "cw_")"
export CLAWWATCH_ENROLL_SECRET CLAWWATCH_ADMIN_TOKEN

.venv/bin/clawwatch collector serve --db "sqlite:///$DATA/collector.db" --listen "127.0.0.1:${PORT}" &
COLLECTOR=$!
trap 'kill "$COLLECTOR" 2>/dev/null || true; wait "$COLLECTOR" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/healthz', timeout=1)" "$URL" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$COLLECTOR" 2>/dev/null; then
    echo "[local-stack] the collector did not start (port ${PORT} busy? set CLAWWATCH_COLLECTOR_PORT)" >&2
    exit 1
  fi
  sleep 0.2
done
echo "[local-stack] collector ${URL} (SQLite ${DATA}/collector.db); admin token in ${DATA}/admin-token" >&2
echo "[local-stack] try: curl -H \"Authorization: Bearer \$(cat ${DATA}/admin-token)\" ${URL}/api/v1/delivery/hosts" >&2
.venv/bin/clawwatch sensor run --collector "$URL" --state-dir "$DATA/sensor" "$@"
