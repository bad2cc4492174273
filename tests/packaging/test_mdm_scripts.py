"""The macOS MDM scripts (Jamf extension attribute; the same script rendered as the Intune custom
attribute) read the status the sensor writes, never run a scan themselves. The status comes from the
real writer (sensor/posture/status_file.py) fed by a real scan of test homes. The Windows Intune
detection script is PowerShell, which CI cannot run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sensor.inventory.scanner import scan_host
from sensor.posture.status_file import write_status
from tests.packaging.conftest import PACKAGING, clean_env, legacy_clawdbot_home, require_tool, run

EA = PACKAGING / "mdm" / "jamf-extension-attribute.sh"


def attribute(script: Path, binary: Path, status: Path) -> str:
    env = clean_env(CLAWWATCH_BIN=str(binary), CLAWWATCH_STATUS_FILE=str(status), PATH="/usr/bin:/bin")
    return run(["/bin/sh", str(script)], env=env, timeout=60).stdout.strip()


@pytest.fixture
def binary(tmp_path: Path) -> Path:
    """Where the sensor is installed: the scripts only check it is there and executable."""
    path = tmp_path / "clawwatch"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def home_for(kind: str, home: Path) -> Path:
    if kind == "legacy":
        return legacy_clawdbot_home(home)
    home.mkdir(parents=True)
    if kind == "config-only":  # a locked-down install: loopback, token auth, private dirs
        state = home / ".openclaw"
        state.mkdir(mode=0o700)
        state.chmod(0o700)
        config = state / "openclaw.json"
        config.write_text('{ gateway: { bind: "loopback", auth: { mode: "token" } },'
                          ' agents: { defaults: { sandbox: { mode: "all" } } },'
                          ' tools: { exec: { mode: "allowlist" } }, browser: { enabled: false } }')
        config.chmod(0o600)
    return home


def test_scripts_pass_shellcheck() -> None:
    run([require_tool("shellcheck"), "--shell=sh", "--severity=style", str(EA)])


@pytest.mark.parametrize(("kind", "want"), [("legacy", "high risk"), ("config-only", "present"), ("empty", "none")])
def test_attributes_report_the_sensors_status(tmp_path: Path, binary: Path, kind: str, want: str) -> None:
    report = scan_host([home_for(kind, tmp_path / "home")], include_processes=False, salt=b"s" * 32,
                       system_wide=False)
    status = tmp_path / "status"
    write_status(status, report)
    assert status.stat().st_mode & 0o777 == 0o600
    run(["sh", str(PACKAGING / "mdm" / "build-mdm-scripts.sh"), str(tmp_path / "mdm")])
    assert attribute(tmp_path / "mdm" / "jamf-extension-attribute.sh", binary, status) == f"<result>{want}</result>"
    assert attribute(tmp_path / "mdm" / "intune-custom-attribute.sh", binary, status) == want
    assert str(tmp_path) not in status.read_text(), "no path or user name in the status"


def test_missing_stale_and_broken_status(tmp_path: Path, binary: Path) -> None:
    status = tmp_path / "status"
    assert attribute(EA, binary, status) == "<result>sensor not reporting</result>"
    assert attribute(EA, tmp_path / "absent", status) == "<result>clawwatch missing</result>"
    status.write_text("format=1\nupdated=x\ninstalls=1\nworst=high\nfindings=\n")
    old = time.time() - 4 * 3600
    os.utime(status, (old, old))
    assert attribute(EA, binary, status) == "<result>stale</result>"
    for broken in ("format=2\ninstalls=0\nworst=none\n", "format=1\ninstalls=one\nworst=none\n",
                   "format=1\ninstalls=0\nworst=$(reboot)\n", ""):
        status.write_text(broken)
        assert attribute(EA, binary, status) == "<result>bad status</result>", broken


def test_no_mdm_script_runs_a_scan(tmp_path: Path) -> None:
    run(["sh", str(PACKAGING / "mdm" / "build-mdm-scripts.sh"), str(tmp_path)])
    for script in [EA, *tmp_path.iterdir()]:
        code = [ln for ln in script.read_text().splitlines() if not ln.lstrip().startswith("#")]
        assert not any(" scan" in ln or ('"$bin"' in ln and "-x" not in ln) for ln in code), script
