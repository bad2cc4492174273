"""Projects ingested records into the fleet tables, inside the ingest transaction.

``project_batch`` is called with the records ingest actually inserted (never duplicates), so a retried
batch changes nothing. Inventory snapshots (bodies are ``ScanReport``) replace the host's picture and
append what changed to the history; a snapshot older than the one already applied (by sequence) is
ignored. Alerts (bodies are ``Alert``) enter the alert queue with status ``new``. Records arrive here already
read into the contract's types (collectors/ingest/read.py: a body that does not read is counted there).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from collectors import metrics
from collectors.fleet import counters
from collectors.fleet.grants import from_bits, to_bits, version_key
from collectors.store import tables
from collectors.store.bulk import insert_rows
from sensor.schema.alerts import Alert
from sensor.schema.inventory import Install, ScanReport
from sensor.schema.records import AlertRecord, InventoryRecord, SensorRecord
from sensor.schema.timestamps import format_utc
from sensor.schema.wire import IngestBatch

log = logging.getLogger(__name__)


Ingested = tuple[str, int, SensorRecord]  # (record_id, seq, the record read at ingest: collectors/ingest/read.py)


def project_batch(conn: Connection, host_id: str, records: Iterable[Ingested], received_at: float) -> None:
    alerts: list[tuple[str, Alert]] = []
    for record_id, seq, typed in records:
        if isinstance(typed, InventoryRecord):
            apply_inventory(conn, host_id, seq, typed.body, received_at)
        elif isinstance(typed, AlertRecord):
            alerts.append((record_id, typed.body))
    if alerts:
        apply_alerts(conn, host_id, alerts, received_at)


def alert_epoch(stamp: datetime | None, fallback: float) -> float:
    """The alert's time in epoch seconds, or ``fallback`` (the time it was received) when it did not read."""
    return stamp.timestamp() if stamp is not None else fallback


def clean(value: str, limit: int) -> str:
    """Hostile text made storable: no NUL (PostgreSQL refuses it), bounded length."""
    return value.replace("\x00", "\ufffd")[:limit]


def _alert_row(host_id: str, record_id: str, alert: Alert, received_at: float) -> dict[str, Any]:
    return {
        "record_id": record_id, "host_id": host_id, "hostname": clean(alert.Hostname, 255),
        "alert_id": clean(alert.AlertId, 100), "rule_id": clean(alert.rule_id, 100),
        "title": clean(alert.title, 300), "level": alert.level.value,
        "level_rank": alert.level.rank, "ts": alert_epoch(alert.UtcTime, received_at), "status": "new",
        "assignee": None, "updated_at": received_at, "body": alert.model_dump_json(exclude_none=True),
    }


def apply_alerts(conn: Connection, host_id: str, alerts: list[tuple[str, Alert]], received_at: float) -> None:
    """One multi-row insert per batch (a statement per alert made ingest projection-bound)."""
    insert_rows(conn, tables.alerts, [_alert_row(host_id, rid, alert, received_at) for rid, alert in alerts])


def _install_row(host_id: str, install: Install, now: float) -> dict[str, Any]:
    return {
        "host_id": host_id,
        "install_id": clean(install.install_id, 100),
        "product": install.product.value,
        "variant": clean(install.variant, 100),
        "state_dir": clean(install.state_dir, 4096),
        "owner": clean(install.owner, 100) if install.owner else None,
        "version": clean(install.version, 64) if install.version else None,
        "version_key": version_key(install.version),
        "layout": install.layout,
        "running": install.running,
        "exposed": install.exposed,
        "grant_bits": to_bits(install.grants),
        "listeners": [listener.model_dump(mode="json") for listener in install.listeners],
        "exposure": _json_safe(install.exposure),
        "credential_kinds": sorted({clean(credential.kind, 100) for credential in install.credentials}),
        "finding_ids": [clean(finding.id, 100) for finding in install.findings],
        "first_seen": now,
        "last_seen": now,
        "removed_at": None,
    }


def _json_safe(value: Any) -> Any:
    """Round-trips through JSON text with NULs replaced, so any JSON column accepts it."""
    text = orjson.dumps(value, default=str).decode().replace("\\u0000", "\\ufffd")
    return orjson.loads(text)


def _changes(old: dict[str, Any] | None, new: dict[str, Any], install: Install) -> list[tuple[str, Any]]:
    if old is None or old["removed_at"] is not None:
        return [("install_added", {"product": install.product.value, "state_dir": install.state_dir,
                                   "version": install.version, "grants": sorted(g.value for g in install.grants)})]
    out: list[tuple[str, Any]] = []
    added = new["grant_bits"] & ~old["grant_bits"]
    removed = old["grant_bits"] & ~new["grant_bits"]
    if added:
        out.append(("grant_added", {"grants": from_bits(added)}))
    if removed:
        out.append(("grant_removed", {"grants": from_bits(removed)}))
    if bool(old["exposed"]) != new["exposed"]:
        out.append(("exposure_changed", {"exposed": new["exposed"], "listeners": new["listeners"]}))
    if (old["version"] or None) != new["version"]:
        out.append(("version_changed", {"from": old["version"], "to": new["version"]}))
    if bool(old["running"]) != new["running"]:
        out.append(("running_changed", {"running": new["running"]}))
    return out


def apply_inventory(conn: Connection, host_id: str, seq: int, report: ScanReport, now: float) -> bool:
    """Apply one snapshot; False when a newer one was already applied."""
    fh = tables.fleet_hosts
    # FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers): two snapshots of one host
    # applied at once must not both count their change of flags against the same old row.
    current = conn.execute(select(fh.c.inventory_seq, fh.c.installs, fh.c.exposed, fh.c.running, fh.c.grant_bits)
                           .where(fh.c.host_id == host_id).with_for_update()).first()
    if current is not None and int(current.inventory_seq) > seq:
        return False
    fi = tables.fleet_installs
    previous = {row.install_id: dict(row._mapping) for row in
                conn.execute(select(fi).where(fi.c.host_id == host_id))}
    changes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for install in report.installs:
        row = _install_row(host_id, install, now)
        if row["install_id"] in seen:
            continue
        seen.add(row["install_id"])
        old = previous.get(row["install_id"])
        for change, detail in _changes(old, row, install):
            changes.append({"host_id": host_id, "install_id": row["install_id"], "at": now, "change": change,
                            "detail": detail})
        if old is None:
            conn.execute(fi.insert().values(**row))
        else:
            row.pop("first_seen")
            conn.execute(update(fi).where(fi.c.host_id == host_id, fi.c.install_id == row["install_id"])
                         .values(**row))
    for install_id, old in previous.items():
        if install_id not in seen and old["removed_at"] is None:
            conn.execute(update(fi).where(fi.c.host_id == host_id, fi.c.install_id == install_id)
                         .values(removed_at=now, running=False, exposed=False))
            detail = {"product": old["product"], "state_dir": old["state_dir"]}
            changes.append({"host_id": host_id, "install_id": install_id, "at": now,
                            "change": "install_removed", "detail": detail})
    if changes:
        conn.execute(tables.fleet_changes.insert(), changes)
        for entry in changes:
            metrics.INVENTORY_CHANGES.labels(change=entry["change"]).inc()
    _upsert_host(conn, host_id, seq, report, now=now, current=current._mapping if current is not None else None)
    return True


def _upsert_host(conn: Connection, host_id: str, seq: int, report: ScanReport, *, now: float,
                 current: Mapping[Any, Any] | None) -> None:
    installs = report.installs
    findings = [finding for install in installs for finding in install.findings] + list(report.findings)
    values = {
        "hostname": clean(report.host.hostname, 255),
        "os": clean(report.host.os, 32),
        "inventory_seq": seq,
        "inventory_at": now,
        "scanned_at": format_utc(report.host.scanned_at),
        "installs": len(installs),
        "running": any(install.running for install in installs),
        "exposed": any(install.exposed for install in installs),
        "grant_bits": to_bits(grant for install in installs for grant in install.grants),
        "products": ",".join(sorted({install.product.value for install in installs}))[:100],
        "owners": clean(",".join(sorted({install.owner for install in installs if install.owner})), 500),
        "versions": clean(",".join(sorted({install.version for install in installs if install.version})), 200),
        "max_severity": max((finding.severity.rank for finding in findings), default=0),
        "findings": len(findings),
    }
    fh = tables.fleet_hosts
    if current is not None:
        conn.execute(update(fh).where(fh.c.host_id == host_id).values(**values))
    else:
        conn.execute(fh.insert().values(host_id=host_id, **values))
    counters.apply_change(conn, host_id, counters.flags(current), counters.flags(values))


def after_ingest(conn: Connection, batch: IngestBatch, inserted_seqs: Iterable[int], received_at: float,
                 read: Iterable[Ingested]) -> None:
    """The ingest hook: count the records this batch newly inserted and project those that were ``read``."""
    inserted = set(inserted_seqs)
    fresh = 0
    for record in batch.records:
        if record.seq in inserted:
            fresh += 1
            metrics.INGEST_RECORDS.labels(kind=record.kind.value).inc()
    duplicates = len(batch.records) - fresh
    if duplicates:
        metrics.INGEST_DUPLICATES.inc(duplicates)
    project_batch(conn, batch.host_id, read, received_at)
