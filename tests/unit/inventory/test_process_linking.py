"""Processes -> installs: env overrides (OPENCLAW_STATE_DIR), gateway lock files, listeners by PID.

A real node process runs a small script placed at ``<pkg>/openclaw/dist/index.js gateway`` (the
service ExecStart shape) that listens on a loopback port; the real-gateway path is covered by
tests/e2e/test_scan_live_gateway.py. Every process started here is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sensor.inventory.scanner import scan_host
from sensor.schema.inventory import ScanReport
from tests.support.openclaw_install import OpenClawUnavailable, in_ci, node_bin_dir, openclaw_root

SALT = b"unit-test-salt-0123456789abcdef!"
SCRIPT = """
const srv = require('net').createServer();
srv.listen(0, '127.0.0.1', () => { process.stdout.write(String(srv.address().port) + '\\n'); });
setInterval(() => {}, 1000);
"""


def _node() -> str:
    """Any node binary: PATH, else the one scripts/install-openclaw.sh installs with the package."""
    found = shutil.which("node")
    if found:
        return found
    try:
        return str(node_bin_dir(openclaw_root()) / "node")
    except OpenClawUnavailable as exc:
        if in_ci():
            pytest.fail(f"no node binary in CI (scripts/test.sh installs it with OpenClaw): {exc}")
        pytest.skip(f"no node binary (install one or run scripts/install-openclaw.sh): {exc}")


class FakeGateway:
    def __init__(self, script: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [_node(), str(script), "gateway", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().strip())
        self.pid = self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "prefix/lib/node_modules/openclaw/dist/index.js"
    path.parent.mkdir(parents=True)
    path.write_text(SCRIPT)
    (path.parents[1] / "package.json").write_text('{"name": "openclaw", "version": "2026.9.6"}')
    return path


@pytest.fixture
def gateways() -> Iterator[list[FakeGateway]]:
    started: list[FakeGateway] = []
    yield started
    for gw in started:
        gw.stop()


def _scan(home: Path) -> ScanReport:
    return scan_host([home], include_processes=True, system_wide=False, salt=SALT)


def test_state_dir_override_in_process_env(tmp_path: Path, script: Path, gateways: list[FakeGateway]) -> None:
    home = tmp_path / "home"
    state = home / "work/oc-state"
    state.mkdir(parents=True)
    (state / "openclaw.json").write_text("{gateway: {bind: 'lan'}}")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "OPENCLAW_STATE_DIR": str(state),
        "SECRET_NOT_KEPT": "CANARY-env-value-0000000000",
    }
    gateways.append(FakeGateway(script, env))
    gw = gateways[0]
    report = _scan(home)
    installs = [i for i in report.installs if i.state_dir == str(state)]
    assert len(installs) == 1
    inst = installs[0]
    assert inst.variant == "override"
    assert inst.running and gw.pid in inst.pids
    assert [(li.address, li.port, li.exposed) for li in inst.listeners] == [("127.0.0.1", gw.port, False)]
    assert inst.exposed  # configured bind lan, even though this listener is loopback
    assert inst.version == "2026.9.6" and inst.version_source is not None
    assert inst.version_source.endswith("package.json")
    assert "CANARY" not in report.model_dump_json()


def test_lock_file_links_the_gateway(tmp_path: Path, script: Path, gateways: list[FakeGateway]) -> None:
    home = tmp_path / "home"
    state = home / ".openclaw"
    state.mkdir(parents=True)
    (state / "openclaw.json").write_text("{gateway: {bind: 'loopback'}}")
    # started with an unrelated HOME and no overrides: only the lock file ties it to this state dir
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "elsewhere")}
    gateways.append(FakeGateway(script, env))
    gw = gateways[0]
    lock_dir = state / f"tmp/openclaw-{os.getuid()}"
    lock_dir.mkdir(parents=True)
    lock = {"pid": gw.pid, "configPath": str(state / "openclaw.json"), "stateDir": str(state), "port": gw.port}
    (lock_dir / "gateway.0123abcd.lock").write_text(json.dumps(lock) + " " * 200)
    inst = next(i for i in _scan(home).installs if i.state_dir == str(state))
    assert inst.running and inst.pids == [gw.pid]
    assert [(li.address, li.port) for li in inst.listeners] == [("127.0.0.1", gw.port)]
    assert not inst.exposed


def test_stale_lock_does_not_mark_running(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lock_dir = home / f".openclaw/tmp/openclaw-{os.getuid()}"
    lock_dir.mkdir(parents=True)
    proc = subprocess.Popen(["sleep", "0"])
    proc.wait()
    (lock_dir / "gateway.dead.lock").write_text(json.dumps({"pid": proc.pid, "port": 1}))
    inst = _scan(home).installs[0]
    assert not inst.running and inst.pids == []
