"""Table upkeep on PostgreSQL with autovacuum off (this machine's server runs that way, so does CI): the
collector vacuums and analyzes its own tables, one process at a time, and says so when it starts."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from collectors.store import maintenance, open_store
from collectors.store.tables import metadata
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import Collector

pytestmark = pytest.mark.postgres


def _stats(url: str) -> dict[str, tuple[object, object]]:
    store = open_store(url, migrate=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT relname, last_vacuum, last_analyze FROM pg_stat_user_tables "
                                     "WHERE schemaname = current_schema()"))
            return {str(name): (vacuumed, analyzed) for name, vacuumed, analyzed in rows}
    finally:
        store.dispose()


def test_vacuum_analyze_covers_every_table_and_yields_to_a_running_upkeep(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path) as url:
        store = open_store(url)
        try:
            if not maintenance.autovacuum_off(store):
                pytest.skip("this PostgreSQL runs autovacuum: the collector leaves upkeep to it")
            done = maintenance.vacuum_analyze(store)
            assert sorted(done) == sorted(metadata.tables) and "cw_hosts" in done and "cw_fleet_counts" in done
            stats = _stats(url)
            assert all(stats[name][0] is not None and stats[name][1] is not None for name in done), stats
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as holder, \
                    maintenance.upkeep_lock(holder, maintenance._LOCK_KEY) as held:
                assert held
                assert maintenance.vacuum_analyze(store) == []  # another collector is at it: skip this round
                with scratch_database("postgresql", tmp_path / "other") as other_url:
                    other = open_store(other_url)  # another schema (deployment) on this server is not held up
                    try:
                        assert sorted(maintenance.vacuum_analyze(other)) == sorted(metadata.tables)
                    finally:
                        other.dispose()
            assert sorted(maintenance.vacuum_analyze(store)) == sorted(metadata.tables)  # released
        finally:
            store.dispose()


def test_collector_process_runs_upkeep_on_its_timer(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path) as url:
        probe = open_store(url)
        off = maintenance.autovacuum_off(probe)
        probe.dispose()
        if not off:
            pytest.skip("this PostgreSQL runs autovacuum: the collector leaves upkeep to it")
        collector = Collector(db_url=url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(12),
                              extra=["--table-upkeep-interval", "1"])
        collector.start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                stats = _stats(url)
                if stats and all(vacuumed is not None for vacuumed, _ in stats.values()):
                    break
                time.sleep(0.5)
            assert stats and all(vacuumed is not None for vacuumed, _ in stats.values()), stats
        finally:
            collector.stop()  # SIGTERM: uvicorn shuts down gracefully, then re-raises the signal (exit -15)
        assert collector.proc is not None and collector.proc.returncode in (0, -15)
        assert "autovacuum is off" in (tmp_path / "collector-1.log").read_text()
