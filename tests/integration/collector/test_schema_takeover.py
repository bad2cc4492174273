"""A database the numbered migrations built upgrades in place under Alembic, on SQLite and PostgreSQL.

The old database is made by the collector of the last commit with numbered migrations (tests/support/
legacy_collector.py runs that code from git): a real `clawwatch collector serve` of that version enrolls a host,
stores an inventory snapshot and two alerts and records a triage action. Then today's collector starts on the
same database: it upgrades the schema (Alembic baseline, then every later revision), keeps every row, answers
for them, and takes new records from the same sensor where the old one left off.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from collectors.store import migrations, open_store
from collectors.store.database import normalize_url
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import ENROLL_SECRET, Collector
from tests.integration.fleet.inventories import alert, install, report
from tests.support.legacy_collector import DISPATCHER, legacy_tree


def _ship(collector: Collector, host_id: str, token: str, seq: int, *, kind: str, body: dict[str, Any]) -> None:
    record = {"record_id": f"{host_id}:{seq}", "host_id": host_id, "seq": seq, "kind": kind,
              "created_at": datetime.now(UTC).isoformat(), "severity": 3, "body": body}
    response = collector.api("POST", "/api/v1/ingest", token, json={"host_id": host_id, "records": [record]})
    assert response.status_code == 200, response.text


def _tables(url: str) -> set[str]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_numbered_database_upgrades_in_place(kind: str, tmp_path: Path) -> None:
    admin = "cw_admin_" + secrets.token_hex(16)
    host_id = f"h-{secrets.token_hex(6)}"
    tree = legacy_tree(tmp_path)
    with scratch_database(kind, tmp_path) as url:
        (tmp_path / "old").mkdir()
        old = Collector(db_url=url, workdir=tmp_path / "old", admin_token=admin, command=DISPATCHER,
                        python_path=tree)
        try:
            old.start()
            assert old.api("GET", "/healthz").json()["schema_version"] == 4
            enrolled = old.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET, "host_id": host_id,
                                                               "hostname": "legacy-host", "sensor_version": "0.1.0"})
            token = enrolled.json()["token"]
            snapshot = report("legacy-host", install("/home/alice/.openclaw", running=True, exposed=True,
                                                     grants=("shell", "gmail")))
            _ship(old, host_id, token, 1, kind="inventory", body=snapshot)
            _ship(old, host_id, token, 2, kind="alert", body=alert("legacy-host", 1, level="high"))
            _ship(old, host_id, token, 3, kind="alert", body=alert("legacy-host", 2, level="critical"))
            first = old.api("GET", "/api/v1/alerts", admin, params={"sort": "ts"}).json()["items"][0]["record_id"]
            assert old.api("POST", f"/api/v1/alerts/{first}/triage", admin,
                           json={"action": "ack", "note": "seen before the upgrade"}).status_code == 200
        finally:
            old.stop()
        assert "cw_schema_version" in _tables(url) and "cw_alembic_version" not in _tables(url)

        (tmp_path / "new").mkdir()
        new = Collector(db_url=url, workdir=tmp_path / "new", admin_token=admin)
        try:
            new.start()
            assert new.api("GET", "/healthz").json()["schema_version"] == migrations.latest_version()
            tables = _tables(url)
            assert "cw_alembic_version" in tables and "cw_schema_version" not in tables
            delivery = new.host(host_id)
            assert (delivery["max_seq"], delivery["record_count"], delivery["missing"]) == (3, 3, 0)
            summary = new.api("GET", "/api/v1/fleet/summary", admin).json()
            assert (summary["with_agent"], summary["exposed"], summary["with_shell"], summary["with_gmail"]) == \
                (1, 1, 1, 1)
            alerts = new.api("GET", "/api/v1/alerts", admin, params={"sort": "ts"}).json()
            assert [item["status"] for item in alerts["items"]] == ["acknowledged", "new"]
            shown = new.api("GET", f"/api/v1/alerts/{first}", admin).json()
            assert [entry["text"] for entry in shown["triage"]] == ["seen before the upgrade"]
            _ship(new, host_id, token, 4, kind="alert", body=alert("legacy-host", 3))  # the old token still works
            assert new.host(host_id)["max_seq"] == 4
            assert new.api("GET", "/api/v1/alerts", admin).json()["total"] == 3
        finally:
            new.kill()
        engine = create_engine(normalize_url(url))
        try:
            with engine.connect() as conn:
                assert migrations.current_version(conn) == migrations.latest_version()
                assert migrations.drift(conn) == []  # the upgraded schema is exactly what the tables declare
                assert conn.execute(text("SELECT count(*) FROM cw_fleet_counts")).scalar_one() == 16
        finally:
            engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_new_database_is_what_the_tables_declare(kind: str, tmp_path: Path) -> None:
    with scratch_database(kind, tmp_path) as url:
        store = open_store(url)
        try:
            with store.engine.connect() as conn:
                assert migrations.current_version(conn) == migrations.latest_version() >= 5
                assert migrations.drift(conn) == []
        finally:
            store.dispose()
