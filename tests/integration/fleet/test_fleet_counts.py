"""The headline counts kept at ingest equal a full recount, on SQLite and PostgreSQL: after random snapshot
sequences, after concurrent snapshots of one host (PostgreSQL row lock), and after migration 3 fills them from
existing data. List totals stop counting at the cap and say so."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from collectors.fleet import counters, queries
from collectors.fleet.filters import AlertFilter, HostFilter, InstallFilter
from collectors.fleet.grants import from_bits
from collectors.fleet.projection import apply_alerts, apply_inventory
from collectors.store import Store, migrations, open_store
from collectors.store import tables as core
from collectors.store import tables as fleet
from sensor.schema.alerts import Alert
from sensor.schema.inventory import HostInfo, Install, ScanReport
from sensor.schema.vocabulary import GRANTS
from tests.integration.collector.conftest import scratch_database
from tests.support.legacy_collector import build_numbered_database, legacy_tree


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with scratch_database(request.param, tmp_path) as url:
        opened = open_store(url)
        yield opened
        opened.dispose()


def _report(rng: random.Random, hostname: str) -> ScanReport:
    installs = []
    for index in range(rng.choice([0, 0, 1, 1, 2])):
        running = rng.random() < 0.6
        installs.append(Install(install_id=f"i{index}", product="openclaw", variant="default",
                                state_dir=f"/home/u/.openclaw{index}", owner="u", version="2026.9.6",
                                running=running, exposed=running and rng.random() < 0.4,
                                grants=[g for g in GRANTS if rng.random() < 0.4]))
    return ScanReport(host=HostInfo(hostname=hostname, os="linux", sensor_version="0",
                                    scanned_at="2026-11-22T00:00:00Z"), installs=installs)


def _enroll(conn: Connection, host_ids: list[str], last_seen: float | None = None) -> None:
    conn.execute(core.hosts.insert(), [{"host_id": h, "hostname": h, "enrolled_at": 0.0, "last_seen": last_seen}
                                       for h in host_ids])


def _recounted(conn: Connection) -> dict[str, int]:
    """What a full scan of cw_fleet_hosts says, computed independently of counters.flags."""
    out = dict.fromkeys(counters.COUNTS, 0)
    for row in conn.execute(select(fleet.fleet_hosts)):
        if row.installs <= 0:
            continue
        grants = set(from_bits(int(row.grant_bits)))
        out["with_agent"] += 1
        out["exposed"] += bool(row.exposed)
        out["running"] += bool(row.running)
        out["with_shell"] += "shell" in grants
        out["with_gmail"] += "gmail" in grants
        out["with_slack"] += "slack" in grants
    return out


def test_counts_follow_random_snapshot_sequences(store: Store) -> None:
    rng = random.Random(20261122)
    host_ids = [f"h{index:03d}" for index in range(40)]
    seqs = dict.fromkeys(host_ids, 0)
    with store.engine.begin() as conn:
        _enroll(conn, host_ids)
    for _ in range(300):
        host = rng.choice(host_ids)
        seqs[host] += rng.choice([1, 1, 1, -1])  # sometimes an older snapshot arrives late (ignored)
        with store.engine.begin() as conn:
            apply_inventory(conn, host, seqs[host], _report(rng, host), time.time())
    with store.engine.connect() as conn:
        kept = counters.read(conn)
        assert kept == _recounted(conn)
        assert kept["with_agent"] > 5 and kept["exposed"] > 0  # the sequence did exercise the counts
        summary = queries.fleet_counts(conn)
        assert {k: summary[k] for k in counters.COUNTS} == kept
        assert summary["enrolled"] == 40 and summary["stale"] == 40  # never heard from
        assert counters.recount(conn) == kept


def test_concurrent_snapshots_of_one_host_count_once(store: Store) -> None:
    if store.dialect == "sqlite":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the row lock matters on PostgreSQL")
    with store.engine.begin() as conn:
        _enroll(conn, ["busy"])
    rng = random.Random(5)
    reports = [_report(rng, "busy") for _ in range(60)]
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        for seq in range(offset, len(reports), 3):
            try:
                with store.engine.begin() as conn:
                    apply_inventory(conn, "busy", seq + 1, reports[seq], time.time())
            except Exception as exc:  # a unique-key race on the very first insert is allowed (asserted below)
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) <= 2, errors  # at most the other first-inserters lose the race for the new row
    with store.engine.connect() as conn:
        assert counters.read(conn) == _recounted(conn)


def test_migration_3_fills_counts_from_existing_rows(tmp_path: Path) -> None:
    with scratch_database("sqlite", tmp_path) as url:
        build_numbered_database(legacy_tree(tmp_path), url, 2)  # by the collector of numbered version 2
        bare = open_store(url, migrate=False)
        with bare.engine.begin() as conn:
            _enroll(conn, ["a", "b", "c"])
            base = {"os": "linux", "inventory_seq": 1, "inventory_at": 0.0, "scanned_at": "", "products": "openclaw",
                    "owners": "", "versions": "", "max_severity": 0, "findings": 0}
            conn.execute(fleet.fleet_hosts.insert(), [
                {**base, "host_id": "a", "hostname": "a", "installs": 1, "running": True, "exposed": True,
                 "grant_bits": 0b1},
                {**base, "host_id": "b", "hostname": "b", "installs": 2, "running": False, "exposed": False,
                 "grant_bits": 0},
                {**base, "host_id": "c", "hostname": "c", "installs": 0, "running": False, "exposed": False,
                 "grant_bits": 0},
            ])
        bare.dispose()
        upgraded = open_store(url)
        with upgraded.engine.connect() as conn:
            assert migrations.current_version(conn) == migrations.latest_version() >= 3
            kept = counters.read(conn)
            assert kept == _recounted(conn)
            assert kept["with_agent"] == 2 and kept["exposed"] == 1 and kept["running"] == 1
            assert conn.execute(text("SELECT count(*) FROM cw_fleet_counts")).scalar() == counters.SHARDS
        upgraded.dispose()


def test_list_totals_stop_at_the_cap(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    rng = random.Random(1)
    host_ids = [f"cap{index:02d}" for index in range(25)]
    with store.engine.begin() as conn:
        _enroll(conn, host_ids, last_seen=time.time())
        for host in host_ids:
            apply_inventory(conn, host, 1, _report(rng, host), time.time())
        alert = Alert(AlertId="a", UtcTime="2026-11-22T00:00:00Z", Hostname="cap00", rule_id="r", title="t",
                      level="high")
        apply_alerts(conn, "cap00", [(f"cap00:{n}", alert) for n in range(12)], time.time())
    with store.engine.connect() as conn:
        first = queries.list_hosts(conn, HostFilter(limit=5))
        assert (first.total, first.total_exact, len(first.rows)) == (10, False, 5)
        exact = queries.list_hosts(conn, HostFilter(limit=5, exact_total=True))
        assert (exact.total, exact.total_exact) == (25, True)
        deep = queries.list_hosts(conn, HostFilter(limit=5, offset=15))  # past the cap: counted past the page
        assert (deep.total, deep.total_exact, len(deep.rows)) == (20, False, 5)
        last = queries.list_hosts(conn, HostFilter(limit=10, offset=20))
        assert (last.total, last.total_exact, len(last.rows)) == (25, True, 5)
        few = queries.list_hosts(conn, HostFilter(hostname="cap0"))  # 10 matches: exact at the cap
        assert (few.total, few.total_exact) == (10, True)
        alerts = queries.list_alerts(conn, AlertFilter(limit=3))
        assert (alerts.total, alerts.total_exact) == (10, False)
        assert queries.list_alerts(conn, AlertFilter(exact_total=True)).total == 12
        # exports page through every match, whatever the count says, up to their own cap
        every = [row["host_id"] for row in queries.iter_matches(conn, queries.list_hosts, HostFilter(), most=100,
                                                                 chunk=4)]
        assert every == sorted(host_ids)
        assert len(list(queries.iter_matches(conn, queries.list_hosts, HostFilter(), most=7, chunk=3))) == 7
        assert len(list(queries.iter_matches(conn, queries.list_alerts, AlertFilter(), most=100, chunk=5))) == 12


@pytest.mark.parametrize("sparse_limit", [5000, 3])
def test_stale_lists_agree_whichever_plan_serves_them(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                      sparse_limit: int) -> None:
    """Few stale hosts: the list is driven by their ids; many: by the ordinary join. Same answers."""
    monkeypatch.setattr(queries, "SPARSE_STALE", sparse_limit)
    rng = random.Random(3)
    now = time.time()
    fresh = [f"fresh{index:02d}" for index in range(12)]
    stale = [f"stale{index:02d}" for index in range(7)]
    with store.engine.begin() as conn:
        _enroll(conn, fresh, last_seen=now)
        _enroll(conn, stale, last_seen=now - 3600)
        for host in fresh + stale:
            apply_inventory(conn, host, 1, _report(rng, host), now)
    with store.engine.connect() as conn:
        listed = queries.list_hosts(conn, HostFilter(stale=True, limit=5), now=now)
        assert (listed.total, listed.total_exact) == (7, True)
        assert [row["hostname"] for row in listed.rows] == stale[:5] and all(row["stale"] for row in listed.rows)
        assert queries.list_hosts(conn, HostFilter(stale=False), now=now).total == 12
        assert queries.list_hosts(conn, HostFilter(stale=True, stale_minutes=120), now=now).total == 0
        installs = queries.list_installs(conn, InstallFilter(stale=True, include_removed=True), now=now)
        assert {row["host_id"] for row in installs.rows} <= set(stale)
        assert queries.fleet_counts(conn, now=now)["stale"] == 7
