"""Inventory projection: change detection, removal, out-of-order snapshots, grant bits, version keys."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from collectors.fleet import queries
from collectors.fleet.filters import HostFilter
from collectors.fleet.grants import from_bits, to_bits, version_key
from collectors.fleet.projection import apply_inventory
from collectors.store import open_store, tables
from collectors.store import tables as core
from sensor.schema.inventory import HostInfo, Install, ScanReport


def snapshot(*installs: Install) -> ScanReport:
    return ScanReport(
        host=HostInfo(hostname="lap", os="linux", sensor_version="0", scanned_at="2026-11-22T00:00:00Z"),
        installs=list(installs),
    )


def oc(grants: list[str], *, exposed: bool = False, version: str = "2026.9.6", running: bool = True) -> Install:
    return Install(
        install_id="i1",
        product="openclaw",
        variant="default",
        state_dir="/h/.openclaw",
        owner="a",
        version=version,
        running=running,
        exposed=exposed,
        grants=grants,
    )


def changes(conn) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    rows = conn.execute(
        select(tables.fleet_changes.c.change, tables.fleet_changes.c.detail).order_by(tables.fleet_changes.c.change_id)
    )
    return [(row.change, row.detail) for row in rows]


def test_changes_removal_and_out_of_order(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    with store.engine.begin() as conn:
        conn.execute(
            core.hosts.insert().values(host_id="h-1", hostname="lap", enrolled_at=time.time(), last_seen=time.time())
        )
        assert apply_inventory(conn, "h-1", 1, snapshot(oc(["shell"])), 1.0)
        assert apply_inventory(conn, "h-1", 3, snapshot(oc(["shell", "gmail"], exposed=True, version="2026.9.7")), 3.0)
        assert not apply_inventory(conn, "h-1", 2, snapshot(), 2.0)  # older than what is applied: ignored
        assert [c for c, _ in changes(conn)] == ["install_added", "grant_added", "exposure_changed", "version_changed"]
        assert changes(conn)[3][1] == {"from": "2026.9.6", "to": "2026.9.7"}
        assert apply_inventory(conn, "h-1", 4, snapshot(), 4.0)
        assert changes(conn)[-1] == ("install_removed", {"product": "openclaw", "state_dir": "/h/.openclaw"})
        row = conn.execute(select(tables.fleet_installs)).one()
        assert row.first_seen == 1.0 and row.removed_at == 4.0 and not row.exposed
        assert apply_inventory(conn, "h-1", 5, snapshot(oc(["shell"])), 5.0)  # back again
        assert changes(conn)[-1][0] == "install_added"
        assert conn.execute(select(tables.fleet_installs.c.removed_at)).scalar() is None
        page = queries.list_hosts(conn, HostFilter(grant=["shell"]))
        rows, total = page.rows, page.total
        assert total == 1 and rows[0]["grants"] == ["shell"] and rows[0]["installs"] == 1
    store.dispose()


def test_grant_bits_and_version_keys() -> None:
    assert from_bits(to_bits(["gmail", "shell", "nonsense"])) == ["shell", "gmail"]
    assert version_key("2026.10.1") > version_key("2026.9.30") > version_key("2026.9.6")
    assert version_key("v2026.2.26-beta.1") > version_key("2026.2.26")
    assert version_key(None) == "" and version_key("unknown") == ""
