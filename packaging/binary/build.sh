#!/usr/bin/env bash
# Builds the clawwatch sensor CLI with PyInstaller from the repository's .venv:
#   dist/clawwatch         single-file binary (laptops without Python; MDM scripts)
#   dist/clawwatch-dir/    onedir bundle, entry point dist/clawwatch-dir/clawwatch (the .deb ships it)
# Rebuilds only when the sources changed (stamp over sensor/, detections/, this folder and pyproject.toml),
# so the .deb build and the binary test share one build. FORCE=1 rebuilds anyway.
# Must run on the target OS/arch: PyInstaller does not cross-compile.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
PY=${PYTHON:-$repo/.venv/bin/python}
dist=${CLAWWATCH_DIST:-$repo/dist}
work=${CLAWWATCH_BUILD:-$repo/build/pyinstaller}

if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  echo "[binary] PyInstaller is not installed in $PY: run 'bash scripts/setup.sh' (it is in the dev extras)" >&2
  exit 1
fi

stamp=$( { find sensor collectors detections packaging/binary -type f \( -name '*.py' -o -name '*.yml' -o -name '*.yaml' \
             -o -name '*.json' -o -name '*.toml' -o -name '*.spec' -o -name '*.sh' \) 2>/dev/null | LC_ALL=C sort \
           | xargs sha256sum; sha256sum pyproject.toml; "$PY" -V; } | sha256sum | cut -c1-16)
if [ "${FORCE:-0}" != 1 ] && [ -x "$dist/clawwatch" ] && [ -x "$dist/clawwatch-dir/clawwatch" ] \
   && [ "$(cat "$dist/.clawwatch-binary-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "[binary] up to date: $dist/clawwatch ($stamp)"
  exit 0
fi

echo "[binary] building with PyInstaller (one analysis, onefile + onedir; about a minute on 2 cores)"
start=$(date +%s)
rm -rf "$dist/clawwatch" "$dist/clawwatch-dir"
CLAWWATCH_REPO=$repo "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/binary/clawwatch.spec
mv "$dist/clawwatch-dir/clawwatch-onedir" "$dist/clawwatch-dir/clawwatch"
"$dist/clawwatch" --version >/dev/null
"$dist/clawwatch-dir/clawwatch" --version >/dev/null
echo "$stamp" > "$dist/.clawwatch-binary-stamp"
echo "[binary] ok in $(( $(date +%s) - start ))s: $dist/clawwatch ($(du -h "$dist/clawwatch" | cut -f1)), $dist/clawwatch-dir ($(du -sh "$dist/clawwatch-dir" | cut -f1))"
