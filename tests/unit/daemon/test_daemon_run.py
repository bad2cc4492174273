"""The daemon as a program: events and alerts to --output, health counters, clean SIGTERM, canary."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.daemon.sensor_process import SensorProcess

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sources")

CANARY = "FAKE-CANARY-daemon-7f3a9c2e41b8"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / ".ssh").mkdir(parents=True)
    (h / ".ssh" / "id_ed25519").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n")
    return h


@pytest.fixture
def sensor(tmp_path: Path, home: Path) -> Iterator[SensorProcess]:
    s = SensorProcess(tmp_path / "sensor", [home], config="health_interval_s = 1.0\n")
    yield s
    s.stop()


def test_listener_file_read_alert_health_and_clean_stop(sensor: SensorProcess, home: Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    listener = sensor.wait_for(lambda e: e.get("category") == "listening_socket" and e.get("LocalPort") == port)
    assert listener["ListenState"] == "opened" and listener["Exposed"] is False
    srv.close()
    sensor.wait_for(lambda e: e.get("LocalPort") == port and e.get("ListenState") == "closed")

    key = home / ".ssh" / "id_ed25519"
    # the secret also travels in argv: it must be redacted from CommandLine
    reader = subprocess.Popen(["/bin/sh", "-c", f'cat "$0" >/dev/null; sleep 0.5; true --token {CANARY}', str(key)])
    assert reader.wait() == 0
    access = sensor.wait_for(lambda e: e.get("category") == "file_access" and e.get("TargetFilename") == str(key))
    assert access["CredentialKind"] == "ssh_private_key" and access["FileAccess"] == "open"
    assert access["ProcessId"] > 0 and access["InAgentTree"] is False
    shell = sensor.wait_for(lambda e: e.get("category") == "process_creation" and e.get("ProcessId") == reader.pid)
    assert "[REDACTED]" in shell["CommandLine"]
    alert = sensor.wait_for(lambda a: a.get("rule_id") == "8d3e1f52-2b7a-4c69-a0f4-5e6d7c8b9a10", kind="alert")
    assert alert["level"] == "high" and alert["event"]["TargetFilename"] == str(key)

    health = sensor.wait_for(lambda h: (h.get("Counters") or {}).get("events", 0) > 0, kind="health")
    counters = health["Counters"]
    for key_name in ("drops", "overflows", "restarts", "rule_errors", "queue_depth", "rss_kb"):
        assert key_name in counters
    assert counters["rule_errors"] == 0

    assert sensor.stop() == 0
    text = sensor.all_text()
    assert "sensor stopping" in text
    assert CANARY not in text


def test_bad_config_exits_2(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[caps]\nprocesses = 'many'\n")
    result = subprocess.run(
        [sys.executable, "-m", "sensor.daemon", "run", "--config", str(cfg)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert str(cfg) in result.stderr
