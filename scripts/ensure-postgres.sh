#!/usr/bin/env bash
# Makes sure the PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`) is up for the tests.
set -euo pipefail
if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then exit 0; fi
if [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && exit 0
  sleep 1
done
echo "[postgres] PostgreSQL is not reachable on 127.0.0.1:5432; install it (apt-get install postgresql) and start it" >&2
exit 1
