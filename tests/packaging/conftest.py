"""Fixtures for the packaging tests: built artifacts (shared per session) and required host tools.

Tools come from scripts/install-packaging-tools.sh. Outside CI a missing tool skips with the reason;
in CI (env CI=true) it fails, because the CI setup installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """Absolute path of a host tool, or skip (outside CI) / fail (in CI) naming the install step."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not installed (run: bash scripts/install-packaging-tools.sh)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """The process environment minus anything clawwatch/dpkg-specific, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLAWWATCH_", "DPKG_", "DEBIAN_"))}
    env.update(extra)
    return env


def run(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 600,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env or clean_env(), capture_output=True, text=True, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"{argv} exited {done.returncode}\nstdout:\n{done.stdout[-4000:]}\n"
                             f"stderr:\n{done.stderr[-4000:]}")
    return done


@pytest.fixture(scope="session")
def built_binary() -> Path:
    """dist/clawwatch (onefile) and dist/clawwatch-dir (onedir), built by packaging/binary/build.sh."""
    run(["bash", str(PACKAGING / "binary" / "build.sh")])
    binary = REPO / "dist" / "clawwatch"
    assert binary.is_file() and os.access(binary, os.X_OK)
    return binary


@pytest.fixture(scope="session")
def built_deb(built_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("dpkg-deb")
    out = tmp_path_factory.mktemp("deb")
    done = run(["bash", str(PACKAGING / "deb" / "build-deb.sh"), str(out)])
    deb = Path(done.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.parent == out, done.stdout
    return deb


@pytest.fixture
def dpkg_root(tmp_path: Path) -> Iterator[Path]:
    """An empty throwaway root with a dpkg database (dpkg --root=DIR installs into it)."""
    require_tool("dpkg")
    root = tmp_path / "root"
    for sub in ("info", "updates", "triggers"):
        (root / "var" / "lib" / "dpkg" / sub).mkdir(parents=True)
    (root / "var" / "lib" / "dpkg" / "status").touch()
    yield root


def run_sensor_until_alert(argv: list[str], env: dict[str, str], out: Path,
                           timeout: float = 120) -> tuple[int, list[dict[str, Any]], str]:
    """Start a sensor writing JSON lines to ``out``; once an alert appears (or ``timeout``), stop it by
    PID with SIGTERM. Returns (exit code, alerts, log tail)."""
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    alerts: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None and not alerts:
            time.sleep(0.5)
            if out.exists():
                records = [json.loads(line) for line in out.read_text().splitlines() if line.endswith("}")]
                alerts = [r for r in records if r.get("kind") == "alert"]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    log = proc.stdout.read() if proc.stdout else ""
    return rc, alerts, log[-3000:]


def legacy_clawdbot_home(home: Path) -> Path:
    """A small hand-made home: legacy Clawdbot state (LAN bind, exec full, fake tokens) and a truncated
    openclaw.json that must become a parse-error finding."""
    state = home / ".clawdbot"
    state.mkdir(parents=True)
    (state / "clawdbot.json").write_text(
        "// JSON5, as OpenClaw writes it\n"
        "{ gateway: { bind: 'lan', port: 18789, auth: { mode: 'token', token: 'FAKE-0123456789abcdef' } },\n"
        "  tools: { exec: { host: 'gateway', security: 'full' } }, }\n")
    (state / "credentials").mkdir()
    (state / "credentials" / "oauth.json").write_text('{"anthropic": {"refresh": "FAKE-refresh-token"}}')
    broken = home / ".openclaw"
    broken.mkdir()
    (broken / "openclaw.json").write_text("{ gateway: { bind: 'lan', ")  # truncated: must become a finding
    return home
