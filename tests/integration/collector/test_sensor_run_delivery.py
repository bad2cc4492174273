"""`clawwatch sensor run --collector URL --enroll-secret S --output FILE`: the real daemon ships through
the spool, and the records it writes to --output carry the ids the collector stored."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import orjson
import pytest

from tests.integration.collector.processes import CLAWWATCH, ENROLL_SECRET, Collector, _env, stored_seqs

CONFIG = """
[sensor]
health_interval_s = 0.5

[files]
enabled = false
"""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sensor_run_ships_with_the_ids_it_writes(collector: Collector, tmp_path: Path) -> None:
    config = tmp_path / "sensor.toml"
    config.write_text(CONFIG)
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
            shipped = [r for r in _lines(output) if r.get("record_id")]
            if len(shipped) >= 6:
                break
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        else:
            pytest.fail(f"sensor wrote no shipped records: {log.read_text()[-3000:]}")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
    host_id = (state / "host_id").read_text().strip()
    written = [r for r in _lines(output) if r.get("record_id")]
    assert {r["kind"] for r in written} >= {"health"}
    assert all(r["record_id"] == f"{host_id}:{r['seq']}" for r in written)
    stored = [seq for seq, _ in stored_seqs(collector.db_url, host_id)]
    assert stored == sorted(r["seq"] for r in written), "the collector holds exactly what --output shows"
    assert collector.host(host_id)["missing"] == 0
    assert (state / "credential.json").stat().st_mode & 0o777 == 0o600


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
