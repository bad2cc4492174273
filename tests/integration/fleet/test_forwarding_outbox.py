"""Forwarding is fed after the ingest transaction commits, from the database's outbox (collectors/store/outbox.py).

- An ingest whose transaction rolls back forwards nothing; a committed one forwards its alert exactly once
  (SQLite and PostgreSQL, real collector processes). The rollback is a real database failure at COMMIT: the test
  adds a deferred constraint to its scratch database that fails the commit of any transaction storing an alert
  titled ``rollback-me`` (SQLite: a deferred foreign key written by a trigger; PostgreSQL: a deferred constraint
  trigger). Nothing in the collector is replaced.
- Several collector processes sharing one PostgreSQL claim outbox rows (``FOR UPDATE SKIP LOCKED``, deleted in the
  claiming transaction): every alert reaches the receiver once, whichever process stored or forwarded it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from collectors.store.database import normalize_url
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import ENROLL_SECRET, Collector
from tests.integration.fleet.inventories import alert
from tests.support.siem_receivers import HecReceiver

_FAIL_COMMIT = {
    "sqlite": [
        "CREATE TABLE test_parent (id TEXT PRIMARY KEY)",
        "CREATE TABLE test_poison (ref TEXT REFERENCES test_parent(id) DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TRIGGER test_fail_commit AFTER INSERT ON cw_alerts WHEN NEW.title = 'rollback-me' "
        "BEGIN INSERT INTO test_poison VALUES ('missing'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'test: this commit fails'; END $$",
        "CREATE CONSTRAINT TRIGGER test_fail_commit AFTER INSERT ON cw_alerts DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW WHEN (NEW.title = 'rollback-me') EXECUTE FUNCTION test_fail_commit()",
    ],
}


def _sql(db_url: str, statements: list[str]) -> None:
    engine = create_engine(normalize_url(db_url))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _count(db_url: str, query: str, **params: Any) -> int:
    engine = create_engine(normalize_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query), params).scalar_one())
    finally:
        engine.dispose()


def _forwarders_file(directory: Path, hec: HecReceiver, poll_seconds: float | None = None) -> Path:
    config: dict[str, Any] = {
        "queue_dir": str(directory / "forward"),
        "forwarders": [{"type": "hec", "name": "splunk", "url": f"http://127.0.0.1:{hec.port}",
                        "token_env": "TEST_HEC_TOKEN", "use_ack": True, "document": "ocsf"}],
    }
    if poll_seconds is not None:
        config["outbox_poll_seconds"] = poll_seconds
    path = directory / "forwarders.json"
    path.write_text(json.dumps(config))
    return path


class Sender:
    """One enrolled host shipping records the way the sensor's shipper does."""

    def __init__(self, collector: Collector, hostname: str) -> None:
        self.host_id = f"h-{secrets.token_hex(6)}"
        self.hostname = hostname
        resp = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET, "host_id": self.host_id,
                                                             "hostname": hostname, "sensor_version": "0.1.0"})
        resp.raise_for_status()
        self.token = resp.json()["token"]
        self.seq = resp.json()["next_seq"] - 1

    def ship(self, collector: Collector, bodies: list[dict[str, Any]]) -> int:
        records = []
        for body in bodies:
            self.seq += 1
            records.append({"record_id": f"{self.host_id}:{self.seq}", "host_id": self.host_id, "seq": self.seq,
                            "kind": "alert", "created_at": "2026-11-22T04:00:00+00:00", "severity": 3,
                            "body": body})
        resp = collector.api("POST", "/api/v1/ingest", self.token, json={"host_id": self.host_id,
                                                                         "records": records})
        return resp.status_code


def _alert_ids(hec: HecReceiver) -> list[str]:
    return [event["event"]["finding_info"]["uid"] for event in list(hec.events)]


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def hec(monkeypatch: pytest.MonkeyPatch) -> Iterator[HecReceiver]:
    receiver = HecReceiver("hec-secret-token").start()
    monkeypatch.setenv("TEST_HEC_TOKEN", "hec-secret-token")
    yield receiver
    receiver.stop()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_rolled_back_ingest_forwards_nothing_committed_forwards_once(kind: str, tmp_path: Path,
                                                                   hec: HecReceiver) -> None:
    with scratch_database(kind, tmp_path) as url:
        collector = Collector(db_url=url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(16),
                              extra=["--forwarders", str(_forwarders_file(tmp_path, hec))])
        try:
            collector.start()
            _sql(url, _FAIL_COMMIT[kind])
            sender = Sender(collector, "outbox-host")

            doomed = alert("outbox-host", 1) | {"title": "rollback-me"}
            assert sender.ship(collector, [doomed]) == 500  # the commit failed: nothing of the batch is stored
            assert _count(url, "SELECT count(*) FROM cw_records WHERE host_id = :h", h=sender.host_id) == 0
            sender.seq -= 1  # the sensor would send that sequence number again; this test sends a good alert there

            assert sender.ship(collector, [alert("outbox-host", 2)]) == 200
            _wait(lambda: len(hec.events) >= 1, 60, "the committed alert at the HEC receiver")
            collector.stop()  # a restart must not forward it again
            collector.start()
            time.sleep(3.0)  # anything forwarded twice, or the rolled-back alert, would arrive by now
            assert _alert_ids(hec) == ["alert-outbox-host-2"]
            assert _count(url, "SELECT count(*) FROM cw_forward_outbox") == 0
        finally:
            collector.kill()


@pytest.mark.postgres
def test_collectors_sharing_postgresql_forward_each_alert_once(tmp_path: Path, hec: HecReceiver) -> None:
    with scratch_database("postgresql", tmp_path) as url:
        collectors: list[Collector] = []
        try:
            admin = "cw_admin_" + secrets.token_hex(16)
            for index in range(3):
                workdir = tmp_path / f"collector-{index}"
                workdir.mkdir()
                # every process polls the outbox often, so all three compete for every row
                forwarders = _forwarders_file(workdir, hec, poll_seconds=0.02)
                collectors.append(Collector(db_url=url, workdir=workdir, admin_token=admin,
                                            extra=["--forwarders", str(forwarders)]))
                collectors[-1].start()
            senders = [Sender(collectors[0], f"shared-{index}") for index in range(3)]
            expected: list[str] = []
            for batch in range(12):
                sender = senders[batch % 3]
                bodies = [alert(sender.hostname, batch * 10 + n) for n in range(5)]
                expected += [body["AlertId"] for body in bodies]
                assert sender.ship(collectors[batch % 3], bodies) == 200
            _wait(lambda: len(hec.events) >= len(expected), 90, "every alert at the HEC receiver")
            time.sleep(3.0)  # a double forward would arrive by now
            seen = Counter(_alert_ids(hec))
            assert sorted(seen) == sorted(expected)
            assert set(seen.values()) == {1}, [alert_id for alert_id, n in seen.items() if n > 1]
            sent = []
            for collector in collectors:
                families = text_string_to_metric_families(collector.api("GET", "/metrics", admin).text)
                sent.append(sum(sample.value for family in families if family.name == "clawwatch_forwarder_sent"
                                for sample in family.samples if sample.name.endswith("_total")))
            assert sum(sent) == len(expected), sent
            assert sum(1 for count in sent if count) >= 2, sent  # the processes did share the work
            assert _count(url, "SELECT count(*) FROM cw_forward_outbox") == 0
        finally:
            for collector in collectors:
                collector.kill()
