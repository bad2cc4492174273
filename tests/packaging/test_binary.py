"""The single-file binary (PyInstaller): it runs without the venv and scans exactly like `clawwatch scan`.

The fixture home for the main comparison is made by the real OpenClaw (onboarded, risky grants, canary
credential files) through tests/support/openclaw_host.py; a small hand-made home covers legacy
Clawdbot naming and a config that does not parse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import REPO, clean_env, legacy_clawdbot_home, run, run_sensor_until_alert
from tests.support.openclaw_host import Grants

VENV_CLAWWATCH = REPO / ".venv" / "bin" / "clawwatch"


def binary_env(home: Path) -> dict[str, str]:
    """No venv on PATH, no PYTHONPATH: the frozen binary must bring everything it needs."""
    env = clean_env(HOME=str(home), PATH="/usr/bin:/bin")
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(var, None)
    return env


def scan(exe: Path, home: Path, salt: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = run([str(exe), "scan", "--home", str(home), "--format", "json", "--salt-file", str(salt),
                *extra], env=binary_env(home), check=False, timeout=300)
    assert done.returncode in (0, 1), f"{exe} scan exited {done.returncode}: {done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    report["host"].pop("scanned_at")  # the only field that differs between two runs
    return done.returncode, report


def test_binary_version_matches_the_package(built_binary: Path, tmp_path: Path) -> None:
    want = run([str(VENV_CLAWWATCH), "--version"]).stdout.strip()
    assert want.startswith("clawwatch ")
    assert run([str(built_binary), "--version"], env=binary_env(tmp_path)).stdout.strip() == want
    onedir = REPO / "dist" / "clawwatch-dir" / "clawwatch"
    assert run([str(onedir), "--version"], env=binary_env(tmp_path)).stdout.strip() == want


def test_binary_collector_creates_and_migrates_its_database(built_binary: Path, tmp_path: Path) -> None:
    """The frozen collector finds its Alembic revisions (shipped as source files beside the code)."""
    db = f"sqlite:///{tmp_path / 'collector.db'}"
    want = run([str(VENV_CLAWWATCH), "collector", "migrate", "--db", f"sqlite:///{tmp_path / 'venv.db'}"]).stdout
    got = run([str(built_binary), "collector", "migrate", "--db", db], env=binary_env(tmp_path)).stdout
    assert want.startswith("[collector] schema version ") and got == want


def test_binary_scan_of_hand_made_legacy_home_equals_python_scan(built_binary: Path, tmp_path: Path) -> None:
    home = legacy_clawdbot_home(tmp_path / "home")
    salt = tmp_path / "salt"
    want_rc, want = scan(VENV_CLAWWATCH, home, salt, "--no-processes")
    got_rc, got = scan(built_binary, home, salt, "--no-processes")
    assert want["installs"], "the hand-made fixture must be found as an install"
    assert (got_rc, got) == (want_rc, want)
    assert "FAKE-0123456789abcdef" not in json.dumps(got) and "FAKE-refresh-token" not in json.dumps(got)


@pytest.mark.e2e
def test_binary_scan_of_real_onboarded_home_equals_python_scan(built_binary: Path, openclaw_host: Any,
                                                               tmp_path: Path) -> None:
    host = openclaw_host(start=False, plant_secrets=True, grants=Grants.risky())
    salt = tmp_path / "salt"
    want_rc, want = scan(VENV_CLAWWATCH, host.home, salt, "--no-processes")
    got_rc, got = scan(built_binary, host.home, salt, "--no-processes")
    assert want["installs"] and want["findings"], "the onboarded home must produce an install with findings"
    assert (got_rc, got) == (want_rc, want)
    text = json.dumps(got)
    assert not [name for name, value in host.secrets.items() if value in text]


def test_binary_scan_with_live_processes_and_sockets_runs(built_binary: Path, tmp_path: Path) -> None:
    """Processes/sockets vary from run to run on a shared machine, so only check the frozen code runs."""
    home = tmp_path / "empty-home"
    home.mkdir()
    rc, report = scan(built_binary, home, tmp_path / "salt")
    assert rc in (0, 1)
    assert report["host"]["hostname"] and report["host"]["sensor_version"]


def test_binary_refuses_bad_usage_with_exit_2(built_binary: Path, tmp_path: Path) -> None:
    done = run([str(built_binary), "scan", "--home", str(tmp_path / "missing")], env=binary_env(tmp_path),
               check=False)
    assert done.returncode == 2


def test_packaged_sensor_config_is_valid_for_this_sensor() -> None:
    from sensor.daemon.config import load_config  # the sensor's own validator (extra keys rejected)

    config = load_config(REPO / "packaging" / "linux" / "sensor.toml")
    assert config.sensor.rules == []  # empty = the detection pack bundled with the binary


def test_frozen_sensor_loads_bundled_rules_and_raises_an_alert(built_binary: Path, tmp_path: Path) -> None:
    """The onedir bundle the .deb ships runs the live sensor with the packaged config: pySigma, the
    bundled detections/ and the sources all work frozen. Stopped by PID with SIGTERM (exit 0)."""
    onedir = REPO / "dist" / "clawwatch-dir" / "clawwatch"
    home = legacy_clawdbot_home(tmp_path / "home")
    out = tmp_path / "events.jsonl"
    argv = [str(onedir), "sensor", "run", "--config", str(REPO / "packaging" / "linux" / "sensor.toml"),
            "--only-homes", "--home", str(home), "--output", str(out)]
    rc, alerts, log = run_sensor_until_alert(argv, binary_env(home), out)
    assert alerts, f"no alert from the frozen sensor; its log:\n{log}"
    assert rc == 0, log
    assert any(a["body"].get("rule_id") for a in alerts)
    assert "FAKE-0123456789abcdef" not in out.read_text()


def test_binary_has_every_command_of_the_package(built_binary: Path, tmp_path: Path) -> None:
    """Sub-commands are imported by name, which PyInstaller cannot see: the spec must collect them all."""
    want = run([str(VENV_CLAWWATCH), "--help"], env=clean_env(COLUMNS="200")).stdout
    got = run([str(built_binary), "--help"], env=binary_env(tmp_path) | {"COLUMNS": "200"}).stdout
    assert got == want


def test_frozen_binary_runs_the_inventory_scan_worker(built_binary: Path, tmp_path: Path) -> None:
    """The live sensor starts its inventory scans as `sys.executable -m sensor.daemon.scan_worker HOME...`;
    frozen, sys.executable is the binary itself, which must run that worker (and nothing outside clawwatch)."""
    home = legacy_clawdbot_home(tmp_path / "home")
    done = run([str(built_binary), "-m", "sensor.daemon.scan_worker", str(home)], env=binary_env(home), check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert "clawdbot" in {install["product"] for install in report["installs"]}
    refused = run([str(built_binary), "-m", "json.tool"], env=binary_env(home), check=False)
    assert refused.returncode == 2
