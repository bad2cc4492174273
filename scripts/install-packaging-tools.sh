#!/usr/bin/env bash
# Debian packages the packaging tests (tests/packaging/) use: dpkg-deb/dpkg (always present), fakeroot,
# lintian (deb policy checks), systemd (systemd-analyze verify for the unit), shellcheck (maintainer,
# macOS and helper scripts), binutils (objdump, strip: PyInstaller on Linux), patchelf (drops the build
# interpreter's RUNPATH from bundled libraries), python3-venv, lsof (the lsof -F socket table's live test).
# Idempotent and quiet: installs only what is missing; does nothing when everything is present.
# Needs root (or sudo) and Debian's package archive; prints one line saying what it did.
set -euo pipefail

wanted=(fakeroot lintian systemd shellcheck binutils patchelf python3-venv lsof)
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[packaging-tools] present: ${wanted[*]}"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "[packaging-tools] missing ${missing[*]} and not root: install them with apt-get" >&2
    exit 1
  fi
fi

echo "[packaging-tools] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[packaging-tools] ok"
