"""`clawwatch sensor run --collector URL --enroll-secret S --output FILE`: the real daemon ships through
the spool, and the records it writes to --output carry the ids the collector stored."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.integration.collector.processes import CLAWWATCH, ENROLL_SECRET, Collector, _env, stored_seqs

CONFIG = """
[sensor]
health_interval_s = 0.5

[collector]
heartbeat_s = 0.5

[files]
enabled = false
"""


def _run_sensor(collector: Collector, tmp_path: Path, config_text: str,
                done: Callable[[list[dict[str, Any]]], bool]) -> tuple[Path, Path]:
    """Run the real ``clawwatch sensor run`` against ``collector`` until ``done(--output lines)``; stop it with
    SIGTERM. Returns the --output file and the state dir."""
    config = tmp_path / "sensor.toml"
    config.write_text(config_text)
    home = tmp_path / "home"
    home.mkdir()
    output = tmp_path / "out.jsonl"
    state = tmp_path / "state"
    log = tmp_path / "sensor.log"
    proc = subprocess.Popen(
        [str(CLAWWATCH), "sensor", "run", "--config", str(config), "--only-homes", "--home", str(home),
         "--collector", collector.url, "--enroll-secret", ENROLL_SECRET, "--state-dir", str(state),
         "--output", str(output), "--log-level", "WARNING"],
        stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=_env())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if done(_lines(output)):
                break
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        else:
            pytest.fail(f"sensor did not get there: {log.read_text()[-3000:]}")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
    return output, state


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sensor_run_ships_with_the_ids_it_writes(collector: Collector, tmp_path: Path) -> None:
    output, state = _run_sensor(collector, tmp_path, CONFIG,
                                lambda lines: len([r for r in lines if r.get("record_id")]) >= 6)
    host_id = (state / "host_id").read_text().strip()
    written = [r for r in _lines(output) if r.get("record_id")]
    assert {r["kind"] for r in written} >= {"health"}
    assert all(r["record_id"] == f"{host_id}:{r['seq']}" for r in written)
    stored = [seq for seq, _ in stored_seqs(collector.db_url, host_id)]
    assert stored == sorted(r["seq"] for r in written), "the collector holds exactly what --output shows"
    assert collector.host(host_id)["missing"] == 0
    assert (state / "credential.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_health_ships_once_per_heartbeat_interval(collector: Collector, tmp_path: Path) -> None:
    """The daemon measures itself every 0.2 s; the collector gets one health report (the heartbeat) per 2 s."""
    config = CONFIG.replace("health_interval_s = 0.5", "health_interval_s = 0.2").replace(
        "heartbeat_s = 0.5", "heartbeat_s = 2.0")
    started = time.monotonic()
    output, state = _run_sensor(collector, tmp_path, config,
                                lambda lines: len([r for r in lines if r.get("kind") == "health"]) >= 25)
    elapsed = time.monotonic() - started
    health = [r for r in _lines(output) if r.get("kind") == "health"]
    shipped = [r for r in health if r.get("record_id")]
    assert len(health) >= 25 and 1 <= len(shipped) <= elapsed / 2.0 + 1, (len(health), len(shipped), elapsed)
    host_id = (state / "host_id").read_text().strip()
    every_shipped = sorted(r["seq"] for r in _lines(output) if r.get("record_id"))
    assert [seq for seq, _ in stored_seqs(collector.db_url, host_id)] == every_shipped


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    return out
