"""The Windows lane's runner: the real python.org Windows CPython (scripts/install-wine-python.sh) under Wine,
with pipes for its standard streams (Wine 8 gives 'init_sys_streams: Invalid handle' on file redirects).

    wine = WinePython.find()
    done = wine.run_module("sensor.cli.main", "scan", "--format", "json")
    done.stdout  # bytes, what the Windows process wrote

Paths: the Wine prefix's C: is ``wine.drive_c``; any Unix path is reachable as ``Z:\\...``
(:func:`windows_path`). The environment is the caller's ``env`` plus what Wine needs, never the test
process's own (no CLAWWATCH_* or credentials leak in). Test harness only.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

REPO = Path(__file__).resolve().parents[3]
BOOT = Path(__file__).with_name("boot.py")
INSTALL_SCRIPT = REPO / "scripts" / "install-wine-python.sh"
WINE64 = Path("/usr/lib/wine/wine64")


class WineUnavailable(RuntimeError):
    """The Windows CPython under Wine is not installed (run scripts/install-wine-python.sh)."""


def default_root() -> Path:
    cache = Path(os.environ.get("CLAWWATCH_CACHE", str(Path.home() / ".cache" / "clawwatch")))
    return Path(os.environ.get("CLAWWATCH_WINE_ROOT", str(cache / "wine-cp311")))


def windows_path(path: Path, drive_c: Path | None = None) -> str:
    """The Windows spelling of a Unix path: under the prefix's drive_c it is C:\\..., elsewhere Z:\\..."""
    resolved = path.absolute()
    if drive_c is not None:
        try:
            rest = resolved.relative_to(drive_c)
        except ValueError:
            pass
        else:
            return str(PureWindowsPath("C:\\", *rest.parts))
    return "Z:" + str(resolved).replace("/", "\\")


@dataclass(frozen=True)
class WinePython:
    root: Path

    @classmethod
    def find(cls) -> WinePython:
        root = default_root()
        if not (root / ".installed").is_file() or not (root / "win" / "cp311" / "python.exe").is_file():
            raise WineUnavailable(f"no Windows CPython in {root}: run bash {INSTALL_SCRIPT.relative_to(REPO)}")
        if not WINE64.is_file():
            raise WineUnavailable(f"{WINE64} missing: run bash {INSTALL_SCRIPT.relative_to(REPO)}")
        return cls(root)

    @property
    def prefix(self) -> Path:
        return self.root / "wineprefix"

    @property
    def drive_c(self) -> Path:
        return self.prefix / "drive_c"

    @property
    def python_exe(self) -> Path:
        return self.root / "win" / "cp311" / "python.exe"

    def win(self, path: Path) -> str:
        return windows_path(path, self.drive_c)

    def environ(self, extra: dict[str, str] | None = None, shim: bool = True) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/root"),
            "WINEPREFIX": str(self.prefix),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",
            "LANG": "C.UTF-8",
        }
        if shim:
            env["CW_WINE_SHIM"] = "1"
        env.update(extra or {})
        return env

    def _run(self, argv: list[str], env: dict[str, str] | None, timeout: float, shim: bool,
             stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
        # Every standard stream is a pipe: Wine 8 cannot hand a Unix file or /dev/null to the console layer.
        return subprocess.run(
            [str(WINE64), str(self.python_exe), "-X", "utf8", *argv],
            input=stdin or b"", capture_output=True, env=self.environ(env, shim), timeout=timeout, check=False,
        )

    def run_module(self, module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300,
                   shim: bool = True, utf8_mode: bool = True, stdin: bytes | None = None,
                   ) -> subprocess.CompletedProcess[bytes]:
        """``python -m module args`` under Windows CPython, with the checkout on sys.path (boot.py)."""
        argv = [self.win(BOOT), self.win(REPO), "-m", module, *args]
        if not utf8_mode:
            return self._run_no_utf8(argv, env, timeout, shim, stdin)
        return self._run(argv, env, timeout, shim, stdin)

    def run_code(self, code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300,
                 shim: bool = True) -> subprocess.CompletedProcess[bytes]:
        return self._run([self.win(BOOT), self.win(REPO), "-c", code, *args], env, timeout, shim, None)

    def _run_no_utf8(self, argv: list[str], env: dict[str, str] | None, timeout: float, shim: bool,
                     stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
        """As a management agent starts the sensor: no ``-X utf8``, so stdout's encoding is the ANSI code page."""
        return subprocess.run(
            [str(WINE64), str(self.python_exe), *argv],
            input=stdin or b"", capture_output=True, env=self.environ(env, shim), timeout=timeout, check=False,
        )
