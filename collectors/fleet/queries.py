"""Read side of the fleet: host and install lists, counts, host detail and timeline, alert queue.

All filtering, sorting and paging happens in the database (indexes in ``tables``), so a page costs the
same at 100,000 hosts as at 10.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, or_, select
from sqlalchemy.sql import Select

from collectors.fleet import tables
from collectors.fleet.filters import LEVELS_ORDER, AlertFilter, HostFilter, InstallFilter, parse_time
from collectors.fleet.grants import GRANT_BIT, from_bits, version_key
from collectors.store import tables as core

fh, fi, hosts = tables.fleet_hosts, tables.fleet_installs, core.hosts

HOST_COLUMNS = ("host_id", "hostname", "os", "installs", "products", "versions", "owners", "running",
                "exposed", "grants", "max_severity", "findings", "last_seen", "inventory_at", "stale")
INSTALL_COLUMNS = ("host_id", "hostname", "install_id", "product", "variant", "version", "owner", "state_dir",
                   "running", "exposed", "grants", "listeners", "credential_kinds", "first_seen", "last_seen",
                   "removed_at")
ALERT_COLUMNS = ("record_id", "host_id", "hostname", "alert_id", "rule_id", "title", "level", "time",
                 "status", "assignee")


def _grant_clause(bits_column: Any, filt: HostFilter) -> ColumnElement[bool] | None:
    if not filt.grant:
        return None
    mask = 0
    for name in filt.grant:
        mask |= GRANT_BIT[name]
    masked = bits_column.op("&")(mask)
    return masked == mask if filt.grant_mode == "all" else masked != 0


def _install_clauses(filt: HostFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filt.product:
        clauses.append(fi.c.product == filt.product)
    if filt.owner:
        clauses.append(fi.c.owner == filt.owner)
    if filt.version_min:
        clauses.append(fi.c.version_key >= version_key(filt.version_min))
    if filt.version_max:
        clauses.append(fi.c.version_key <= version_key(filt.version_max))
    return clauses


def _host_where(filt: HostFilter, now: float) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filt.exposed is not None:
        where.append(fh.c.exposed.is_(filt.exposed))
    if filt.running is not None:
        where.append(fh.c.running.is_(filt.running))
    if filt.has_agent is not None:
        where.append(fh.c.installs > 0 if filt.has_agent else fh.c.installs == 0)
    grant = _grant_clause(fh.c.grant_bits, filt)
    if grant is not None:
        where.append(grant)
    if filt.hostname:
        escaped = filt.hostname.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(fh.c.hostname.like(f"%{escaped}%", escape="\\"))
    after, before = parse_time(filt.last_seen_after), parse_time(filt.last_seen_before)
    if after is not None:
        where.append(hosts.c.last_seen >= after)
    if before is not None:
        where.append(hosts.c.last_seen < before)
    if filt.stale is not None:
        cutoff = now - filt.stale_minutes * 60
        stale = or_(hosts.c.last_seen.is_(None), hosts.c.last_seen < cutoff)
        where.append(stale if filt.stale else hosts.c.last_seen >= cutoff)
    install_clauses = _install_clauses(filt)
    if install_clauses:
        present = fi.c.removed_at.is_(None)
        where.append(exists().where(fi.c.host_id == fh.c.host_id, present, *install_clauses))
    return where


def _order(sort: str, columns: dict[str, Any], tiebreak: Any) -> list[Any]:
    column = columns[sort.lstrip("-")]
    primary = column.desc() if sort.startswith("-") else column.asc()
    return [primary, tiebreak.asc()]


def _host_row(row: Any, now: float, stale_minutes: int) -> dict[str, Any]:
    last_seen = row.last_seen
    return {
        "host_id": row.host_id,
        "hostname": row.hostname,
        "os": row.os,
        "installs": row.installs,
        "products": [p for p in row.products.split(",") if p],
        "versions": [v for v in row.versions.split(",") if v],
        "owners": [o for o in row.owners.split(",") if o],
        "running": bool(row.running),
        "exposed": bool(row.exposed),
        "grants": from_bits(int(row.grant_bits)),
        "max_severity": int(row.max_severity),
        "findings": int(row.findings),
        "last_seen": last_seen,
        "inventory_at": row.inventory_at,
        "stale": last_seen is None or last_seen < now - stale_minutes * 60,
    }


def _host_select() -> Select[Any]:
    return select(fh, hosts.c.last_seen).select_from(fh.join(hosts, hosts.c.host_id == fh.c.host_id))


def list_hosts(conn: Connection, filt: HostFilter,
               now: float | None = None) -> tuple[list[dict[str, Any]], int]:
    now = time.time() if now is None else now
    where = _host_where(filt, now)
    columns = {"hostname": fh.c.hostname, "last_seen": hosts.c.last_seen, "installs": fh.c.installs,
               "max_severity": fh.c.max_severity, "inventory_at": fh.c.inventory_at}
    needs_hosts = filt.stale is not None or bool(filt.last_seen_after or filt.last_seen_before)
    base = fh.join(hosts, hosts.c.host_id == fh.c.host_id) if needs_hosts or "last_seen" in filt.sort else fh
    # Page the ids first (narrow, index-ordered), then fetch the page's rows: a deep OFFSET then skips
    # index entries instead of joined rows.
    page_ids = [str(row[0]) for row in conn.execute(
        select(fh.c.host_id).select_from(base).where(*where)
        .order_by(*_order(filt.sort, columns, fh.c.host_id)).limit(filt.limit).offset(filt.offset))]
    position = {host_id: index for index, host_id in enumerate(page_ids)}
    fetched: Any = conn.execute(_host_select().where(fh.c.host_id.in_(page_ids))) if page_ids else []
    rows = sorted((_host_row(row, now, filt.stale_minutes) for row in fetched),
                  key=lambda row: position[row["host_id"]])
    counted = fh.join(hosts, hosts.c.host_id == fh.c.host_id) if needs_hosts else fh
    total_query = select(func.count()).select_from(counted).where(*where)
    total = int(conn.execute(total_query).scalar_one())
    return rows, total


def iter_hosts(conn: Connection, filt: HostFilter, now: float | None = None, chunk: int = 1000) -> Any:
    """Every matching host, paged through the database (for exports)."""
    page = filt.model_copy(update={"limit": chunk, "offset": filt.offset})
    while True:
        rows, _ = list_hosts(conn, page, now)
        yield from rows
        if len(rows) < chunk:
            return
        page = page.model_copy(update={"offset": page.offset + chunk})


def fleet_counts(conn: Connection, stale_minutes: int = 15, now: float | None = None) -> dict[str, int]:
    now = time.time() if now is None else now
    cutoff = now - stale_minutes * 60

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def has(grant: str) -> ColumnElement[bool]:
        return fh.c.grant_bits.op("&")(GRANT_BIT[grant]) != 0

    agent = fh.c.installs > 0
    row = conn.execute(
        select(
            count_if(agent).label("with_agent"),
            count_if(and_(agent, fh.c.exposed.is_(True))).label("exposed"),
            count_if(and_(agent, fh.c.running.is_(True))).label("running"),
            count_if(and_(agent, has("shell"))).label("with_shell"),
            count_if(and_(agent, has("gmail"))).label("with_gmail"),
            count_if(and_(agent, has("slack"))).label("with_slack"),
        ).select_from(fh)
    ).one()
    stale = conn.execute(select(func.count()).select_from(fh.join(hosts, hosts.c.host_id == fh.c.host_id))
                         .where(or_(hosts.c.last_seen.is_(None), hosts.c.last_seen < cutoff))).scalar_one()
    enrolled = int(conn.execute(select(func.count()).select_from(hosts)).scalar_one())
    counts = {key: int(value) for key, value in row._mapping.items()}
    return {"enrolled": enrolled, **counts, "stale": int(stale)}


def _install_row(row: Any) -> dict[str, Any]:
    return {
        "host_id": row.host_id,
        "hostname": row.hostname,
        "install_id": row.install_id,
        "product": row.product,
        "variant": row.variant,
        "version": row.version,
        "owner": row.owner,
        "state_dir": row.state_dir,
        "layout": row.layout,
        "running": bool(row.running),
        "exposed": bool(row.exposed),
        "grants": from_bits(int(row.grant_bits)),
        "listeners": row.listeners or [],
        "exposure": row.exposure or {},
        "credential_kinds": row.credential_kinds or [],
        "finding_ids": row.finding_ids or [],
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "removed_at": row.removed_at,
    }


def list_installs(conn: Connection, filt: InstallFilter,
                  now: float | None = None) -> tuple[list[dict[str, Any]], int]:
    now = time.time() if now is None else now
    where: list[ColumnElement[bool]] = list(_install_clauses(filt))
    if not filt.include_removed:
        where.append(fi.c.removed_at.is_(None))
    if filt.exposed is not None:
        where.append(fi.c.exposed.is_(filt.exposed))
    if filt.running is not None:
        where.append(fi.c.running.is_(filt.running))
    grant = _grant_clause(fi.c.grant_bits, filt)
    if grant is not None:
        where.append(grant)
    host_filter = filt.model_copy(update={"product": None, "owner": None, "version_min": None,
                                          "version_max": None, "exposed": None, "running": None, "grant": []})
    where.extend(_host_where(host_filter, now))
    joined = fi.join(fh, fh.c.host_id == fi.c.host_id).join(hosts, hosts.c.host_id == fi.c.host_id)
    columns = {"hostname": fh.c.hostname, "version": fi.c.version_key, "last_seen": fi.c.last_seen,
               "first_seen": fi.c.first_seen, "product": fi.c.product}
    query = (select(fi, fh.c.hostname).select_from(joined).where(*where)
             .order_by(*_order(filt.sort, columns, fi.c.install_id)).limit(filt.limit).offset(filt.offset))
    rows = [_install_row(row) for row in conn.execute(query)]
    total = int(conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one())
    return rows, total


def resolve_host(conn: Connection, host: str) -> str | None:
    """A host id from a host id or a hostname (the most recently seen host of that name)."""
    if conn.execute(select(hosts.c.host_id).where(hosts.c.host_id == host)).first():
        return host
    row = conn.execute(select(fh.c.host_id).where(fh.c.hostname == host)
                       .order_by(fh.c.inventory_at.desc()).limit(1)).first()
    if row is None:
        row = conn.execute(select(hosts.c.host_id).where(hosts.c.hostname == host)
                           .order_by(hosts.c.last_seen.desc()).limit(1)).first()
    return str(row[0]) if row else None


def host_detail(conn: Connection, host_id: str, stale_minutes: int = 15,
                now: float | None = None) -> dict[str, Any] | None:
    now = time.time() if now is None else now
    base = conn.execute(select(hosts).where(hosts.c.host_id == host_id)).first()
    if base is None:
        return None
    fleet = conn.execute(_host_select().where(fh.c.host_id == host_id)).first()
    detail: dict[str, Any] = {
        "host_id": host_id,
        "hostname": fleet.hostname if fleet else base.hostname,  # what the host reports; else enrollment's
        "sensor_version": base.sensor_version,
        "enrolled_at": base.enrolled_at,
        "last_seen": base.last_seen,
        "stale": base.last_seen is None or base.last_seen < now - stale_minutes * 60,
        "delivery": {"records": base.record_count, "duplicates": base.duplicate_count,
                     "missing": int(base.max_seq) - int(base.record_count),
                     "spool_dropped_total": base.spool_dropped_total},
        "inventory": _host_row(fleet, now, stale_minutes) if fleet else None,
    }
    joined = fi.join(fh, fh.c.host_id == fi.c.host_id)
    installs = conn.execute(select(fi, fh.c.hostname).select_from(joined).where(fi.c.host_id == host_id)
                            .order_by(fi.c.removed_at.is_not(None), fi.c.state_dir))
    detail["installs"] = [_install_row(row) for row in installs]
    status_counts = conn.execute(select(tables.alerts.c.status, func.count()).where(
        tables.alerts.c.host_id == host_id).group_by(tables.alerts.c.status))
    detail["alerts"] = {str(status): int(count) for status, count in status_counts}
    return detail


def host_timeline(conn: Connection, host_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Inventory changes, alerts and health reports of one host, newest first."""
    entries: list[dict[str, Any]] = []
    changes = conn.execute(select(tables.fleet_changes).where(tables.fleet_changes.c.host_id == host_id)
                           .order_by(tables.fleet_changes.c.at.desc()).limit(limit))
    for row in changes:
        entries.append({"time": row.at, "type": "inventory", "what": row.change, "install_id": row.install_id,
                        "detail": row.detail})
    al = tables.alerts
    for row in conn.execute(select(al.c.record_id, al.c.ts, al.c.title, al.c.level, al.c.status, al.c.rule_id)
                            .where(al.c.host_id == host_id).order_by(al.c.ts.desc()).limit(limit)):
        entries.append({"time": row.ts, "type": "alert", "what": row.title, "record_id": row.record_id,
                        "detail": {"level": row.level, "status": row.status, "rule_id": row.rule_id}})
    rec = core.records
    health = conn.execute(select(rec.c.received_at, rec.c.body, rec.c.seq)
                          .where(rec.c.host_id == host_id, rec.c.kind == "health")
                          .order_by(rec.c.received_at.desc()).limit(limit))
    for row in health:
        try:
            body = orjson.loads(row.body)
        except orjson.JSONDecodeError:
            body = {}
        entries.append({"time": row.received_at, "type": "health", "what": "sensor health", "detail": body})
    entries.sort(key=lambda entry: entry["time"], reverse=True)
    return entries[:limit]


def _alert_row(row: Any, with_body: bool = False) -> dict[str, Any]:
    out = {
        "record_id": row.record_id,
        "host_id": row.host_id,
        "hostname": row.hostname,
        "alert_id": row.alert_id,
        "rule_id": row.rule_id,
        "title": row.title,
        "level": row.level,
        "time": row.ts,
        "status": row.status,
        "assignee": row.assignee,
        "updated_at": row.updated_at,
    }
    if with_body:
        out["alert"] = orjson.loads(row.body)
    return out


def list_alerts(conn: Connection, filt: AlertFilter) -> tuple[list[dict[str, Any]], int]:
    al = tables.alerts
    where: list[ColumnElement[bool]] = []
    if filt.rule_id:
        where.append(al.c.rule_id == filt.rule_id)
    if filt.level:
        where.append(al.c.level.in_(filt.level))
    if filt.min_level:
        where.append(al.c.level_rank >= LEVELS_ORDER.index(filt.min_level))
    if filt.host:
        where.append(or_(al.c.host_id == filt.host, al.c.hostname == filt.host))
    since, until = parse_time(filt.since), parse_time(filt.until)
    if since is not None:
        where.append(al.c.ts >= since)
    if until is not None:
        where.append(al.c.ts < until)
    if filt.status:
        where.append(al.c.status.in_(filt.status))
    if filt.assignee:
        where.append(al.c.assignee == filt.assignee)
    columns = {"ts": al.c.ts, "level": al.c.level_rank, "hostname": al.c.hostname, "rule_id": al.c.rule_id,
               "status": al.c.status}
    query = (select(al).where(*where).order_by(*_order(filt.sort, columns, al.c.record_id))
             .limit(filt.limit).offset(filt.offset))
    rows = [_alert_row(row) for row in conn.execute(query)]
    total = int(conn.execute(select(func.count()).select_from(al).where(*where)).scalar_one())
    return rows, total


def get_alert(conn: Connection, record_id: str) -> dict[str, Any] | None:
    al = tables.alerts
    row = conn.execute(select(al).where(al.c.record_id == record_id)).first()
    if row is None:
        return None
    alert = _alert_row(row, with_body=True)
    notes = conn.execute(select(tables.alert_notes).where(tables.alert_notes.c.record_id == record_id)
                         .order_by(tables.alert_notes.c.at, tables.alert_notes.c.note_id))
    alert["triage"] = [{"at": n.at, "author": n.author, "action": n.action, "text": n.text} for n in notes]
    return alert
