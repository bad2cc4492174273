"""Heartbeat retention against real collector processes on SQLite and PostgreSQL: old heartbeats and health reports
go, inventory and alerts stay, delivery counters stay exact, and a pruned record is never listed as lost.

Records get old by an UPDATE of their ``received_at`` (time cannot be made to pass otherwise); everything
else goes through the real API."""

from __future__ import annotations

import secrets
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from collectors.store import maintenance, migrations, open_store, retention
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import CLAWWATCH, ENROLL_SECRET, Collector
from tests.support.legacy_collector import build_numbered_database, legacy_tree

DAY = 86400.0
# seq -> kind. Seqs 2 and 7 are never sent: real losses.
SENT = {1: "heartbeat", 3: "health", 4: "alert", 5: "heartbeat", 6: "inventory", 8: "health", 9: "heartbeat"}
ALERT = {"AlertId": "a1", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": "h", "rule_id": "r", "title": "t",
         "level": "high"}


def _enroll(collector: Collector, host_id: str) -> str:
    resp = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET, "host_id": host_id,
                                                         "hostname": host_id})
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["token"]
    return token


def _ship(collector: Collector, host_id: str, token: str, sent: dict[int, str]) -> None:
    def body(kind: str) -> dict[str, Any]:
        return {"alert": ALERT, "heartbeat": {"uptime_s": 1}, "health": {"Counters": {"drops": 0}},
                "inventory": {"host": {"hostname": host_id, "os": "linux", "sensor_version": "0.1.0",
                                       "scanned_at": "2026-11-22T04:10:00Z"}, "installs": []}}[kind]

    records = [{"record_id": f"{host_id}:{seq}", "host_id": host_id, "seq": seq, "kind": kind,
                "created_at": "2026-11-22T04:10:00Z", "severity": 3 if kind == "alert" else 0, "body": body(kind)}
               for seq, kind in sent.items()]
    resp = collector.api("POST", "/api/v1/ingest", token, json={"host_id": host_id, "records": records})
    assert resp.status_code == 200, resp.text


def _stored(url: str, host_id: str) -> dict[int, str]:
    store = open_store(url, migrate=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, kind FROM cw_records WHERE host_id = :h"), {"h": host_id})
            return {int(seq): str(kind) for seq, kind in rows}
    finally:
        store.dispose()


def _age(url: str, host_id: str, seqs: list[int], days: float) -> None:
    store = open_store(url, migrate=False)
    try:
        with store.engine.begin() as conn:
            for seq in seqs:
                conn.execute(text("UPDATE cw_records SET received_at = received_at - :by WHERE host_id = :h AND "
                                  "seq = :s"), {"by": days * DAY, "h": host_id, "s": seq})
    finally:
        store.dispose()


def test_old_heartbeats_are_pruned_and_nothing_else(db_url: str, tmp_path: Path,
                                                     collector_factory: list[Collector]) -> None:
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(12),
                          extra=["--table-upkeep-interval", "0"])  # pruned here, by hand, at known moments
    collector_factory.append(collector)
    collector.start()
    token = _enroll(collector, "retention-a")
    other = _enroll(collector, "retention-b")
    _ship(collector, "retention-a", token, SENT)
    _ship(collector, "retention-b", other, {1: "heartbeat", 2: "heartbeat"})
    _age(db_url, "retention-a", [1, 3, 4, 5, 6], days=10)  # liveness records 1, 3, 5 (and 4, 6) are old
    _age(db_url, "retention-b", [1], days=6)  # younger than the horizon: kept
    before = collector.host("retention-a")
    assert (before["record_count"], before["max_seq"], before["missing"]) == (7, 9, 2)
    assert before["missing_ranges"] == [[2, 2], [7, 7]]

    store = open_store(db_url, migrate=False)
    try:
        assert retention.prune_heartbeats(store, 7 * DAY, batch=2) == 3  # batches of 2 and 1
        assert retention.prune_heartbeats(store, 7 * DAY) == 0
    finally:
        store.dispose()

    assert _stored(db_url, "retention-a") == {4: "alert", 6: "inventory", 8: "health", 9: "heartbeat"}
    assert _stored(db_url, "retention-b") == {1: "heartbeat", 2: "heartbeat"}
    after = collector.host("retention-a")
    # Counters are unchanged; the listing starts above the highest pruned seq (5): the lost seq 7 is still
    # listed, the lost seq 2 is counted in `missing` only (below the retention horizon).
    assert (after["record_count"], after["max_seq"], after["missing"]) == (7, 9, 2)
    assert after["missing_ranges"] == [[7, 7]]
    alerts = collector.api("GET", "/api/v1/alerts", collector.admin_token).json()["items"]
    assert [a["record_id"] for a in alerts] == ["retention-a:4"]


def test_collector_prunes_on_its_timer(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> None:
    horizon_days = 3 / DAY  # three seconds
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(12),
                          extra=["--table-upkeep-interval", "1", "--heartbeat-retention-days", f"{horizon_days:.9f}"])
    collector_factory.append(collector)
    collector.start()
    token = _enroll(collector, "retention-t")
    _ship(collector, "retention-t", token, {1: "heartbeat", 2: "alert", 3: "health"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _stored(db_url, "retention-t") != {2: "alert"}:
        time.sleep(0.5)
    assert _stored(db_url, "retention-t") == {2: "alert"}
    assert collector.host("retention-t")["record_count"] == 3
    assert "heartbeat and health records older than" in (tmp_path / "collector-1.log").read_text()


def test_collector_keeps_heartbeats_when_told(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> None:
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(12),
                          extra=["--table-upkeep-interval", "1", "--heartbeat-retention-days", "0"])
    collector_factory.append(collector)
    collector.start()
    token = _enroll(collector, "retention-k")
    _ship(collector, "retention-k", token, {1: "heartbeat"})
    _age(db_url, "retention-k", [1], days=3650)
    time.sleep(3)  # three upkeep rounds
    assert _stored(db_url, "retention-k") == {1: "heartbeat"}
    assert "heartbeat and health records older than" not in (tmp_path / "collector-1.log").read_text()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_4_adds_the_watermark_to_existing_hosts(kind: str, tmp_path: Path) -> None:
    with scratch_database(kind, tmp_path) as url:
        build_numbered_database(legacy_tree(tmp_path), url, 3)  # by the collector of numbered version 3
        bare = open_store(url, migrate=False)
        with bare.engine.begin() as conn:
            conn.execute(text("ALTER TABLE cw_hosts DROP COLUMN pruned_through_seq"))  # the table as version 3 had it
            conn.execute(text("INSERT INTO cw_hosts (host_id, hostname, sensor_version, enrolled_at, max_seq, "
                              "record_count, duplicate_count, spool_dropped_total, spool_rejected_total) "
                              "VALUES ('old', 'old', '0.1.0', 0, 5, 5, 0, 0, 0)"))
        bare.dispose()
        upgraded = open_store(url)
        try:
            with upgraded.engine.connect() as conn:
                assert migrations.current_version(conn) == migrations.latest_version() >= 4
                assert conn.execute(text("SELECT pruned_through_seq FROM cw_hosts WHERE host_id = 'old'")
                                    ).scalar_one() == 0
        finally:
            upgraded.dispose()


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_one_collector_per_schema_prunes_at_a_time(db_url: str, tmp_path: Path,
                                                   collector_factory: list[Collector]) -> None:
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(12),
                          extra=["--table-upkeep-interval", "0"])
    collector_factory.append(collector)
    collector.start()
    token = _enroll(collector, "retention-l")
    _ship(collector, "retention-l", token, {1: "health", 2: "health"})
    _age(db_url, "retention-l", [1, 2], days=10)
    store = open_store(db_url, migrate=False)
    try:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as holder, \
                maintenance.upkeep_lock(holder, maintenance._RETENTION_LOCK_KEY) as held:
            assert held
            assert maintenance.prune_heartbeats(store, 7 * DAY) == 0  # another collector is at it: skip the round
            assert _stored(db_url, "retention-l") == {1: "health", 2: "health"}
        assert maintenance.prune_heartbeats(store, 7 * DAY) == 2
    finally:
        store.dispose()
    assert _stored(db_url, "retention-l") == {}


@pytest.mark.parametrize("flag", ["--heartbeat-retention-days", "--table-upkeep-interval"])
@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_bad_upkeep_values_are_refused_before_anything_starts(flag: str, value: str, tmp_path: Path) -> None:
    db = tmp_path / "collector.db"
    result = subprocess.run([str(CLAWWATCH), "collector", "serve", "--db", f"sqlite:///{db}", "--listen",
                             "127.0.0.1:0", flag, value], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and flag in result.stderr and value in result.stderr, result.stderr
    assert not db.exists()
