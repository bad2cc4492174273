"""Runs under the Windows CPython in Wine (test harness only): puts the checkout on sys.path, applies the
Wine-only psutil fallback when CW_WINE_SHIM=1, then runs ``-m MODULE ARGS`` or ``-c CODE`` as python would.

Usage (tests/support/wine/runner.py builds this line): python.exe -X utf8 boot.py <checkout> -m module args...

The embeddable CPython ignores PYTHONPATH (its python311._pth fixes sys.path), so the checkout, which differs
per worktree, is added here rather than in the cached install.
"""

import os
import runpy
import sys


def _psutil_exe_fallback() -> None:
    """Wine 8 lacks NtQuerySystemInformation(SystemProcessIdInformation), which psutil's Windows exe() uses;
    fall back to argv[0] so the rest of clawwatch's process path runs. Never product code."""
    import psutil._pswindows as pswindows

    original = pswindows.Process.exe

    def exe(self):  # type: ignore[no-untyped-def]
        try:
            return original(self)
        except OSError:
            argv = self.cmdline()
            return argv[0] if argv else ""

    for attr in ("cache_activate", "cache_deactivate"):
        if hasattr(original, attr):
            setattr(exe, attr, getattr(original, attr))
    pswindows.Process.exe = exe


def main() -> None:
    checkout, mode, target, *args = sys.argv[1:]
    sys.path.insert(0, checkout)
    if os.environ.get("CW_WINE_SHIM") == "1":
        _psutil_exe_fallback()
    if mode == "-m":
        sys.argv = [target, *args]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    elif mode == "-c":
        sys.argv = ["-c", *args]
        exec(compile(target, "<wine -c>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit(f"boot.py: expected -m MODULE or -c CODE, got {mode!r}")


if __name__ == "__main__":
    main()
