#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the web console tests (driven by Playwright with
# executable_path=/usr/bin/chromium; no browser download). Idempotent: does nothing when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "[browser] apt-get not found: install Chromium so that /usr/bin/chromium exists" >&2
  exit 1
fi
echo "[browser] installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "[browser] ok: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
