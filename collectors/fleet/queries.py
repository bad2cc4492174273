"""Read side of the fleet: host and install lists, counts, host detail and timeline, alert queue.

All filtering, sorting and paging happens in the database (indexes in ``tables``), so a page costs the
same at 100,000 hosts as at 10.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, exists, func, literal, or_, select
from sqlalchemy.sql import Select

from collectors.fleet import counters
from collectors.fleet.filters import AlertFilter, HostFilter, InstallFilter, PageRequest, filter_epoch
from collectors.fleet.grants import GRANT_BIT, from_bits, version_key
from collectors.fleet.models import HostRow, Page
from collectors.store import tables

fh, fi, hosts = tables.fleet_hosts, tables.fleet_installs, tables.hosts

INSTALL_COLUMNS = ("host_id", "hostname", "install_id", "product", "variant", "version", "owner", "state_dir",
                   "running", "exposed", "grants", "listeners", "credential_kinds", "first_seen", "last_seen",
                   "removed_at")
F = TypeVar("F", bound=PageRequest)
R = TypeVar("R")
COUNT_CAP = 10_000  # matches counted exactly per list request, unless the caller asks for exact_total


def count_matches(conn: Connection, source: Any, where: list[ColumnElement[bool]], *, exact: bool,
                  offset: int = 0, limit: int = 0) -> tuple[int, bool]:
    """How many rows of ``source`` match: exactly up to ``COUNT_CAP`` (or past the requested page, whichever
    is further), then stop, as a search engine's hit count does. A full count of a 100,000-host fleet on
    every page view costs more than the page; ``exact`` asks for it anyway."""
    if exact:
        return int(conn.execute(select(func.count()).select_from(source).where(*where)).scalar_one()), True
    cap = max(COUNT_CAP, offset + limit)
    capped = select(literal(1).label("one")).select_from(source).where(*where).limit(cap + 1).subquery()
    seen = int(conn.execute(select(func.count()).select_from(capped)).scalar_one())
    return (seen, True) if seen <= cap else (cap, False)


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
        clauses.append(fi.c.product == filt.product.value)
    if filt.owner:
        clauses.append(fi.c.owner == filt.owner)
    if filt.version_min:
        clauses.append(fi.c.version_key >= version_key(filt.version_min))
    if filt.version_max:
        clauses.append(fi.c.version_key <= version_key(filt.version_max))
    return clauses


def _stale(now: float, stale_minutes: int) -> ColumnElement[bool]:
    """A host not heard from in ``stale_minutes`` (never heard from counts as stale)."""
    cutoff = now - stale_minutes * 60
    return or_(hosts.c.last_seen.is_(None), hosts.c.last_seen < cutoff)


SPARSE_STALE = 5000  # up to this many stale hosts, a stale=true list is driven by their ids


def _few_stale_ids(conn: Connection, filt: HostFilter, now: float) -> list[str] | None:
    """For ``stale=true``: the stale hosts' ids when there are few (a healthy fleet), else None.

    With few stale hosts the join plan depends on the planner guessing how many there are; a stale guess
    (statistics from before the fleet last checked in) walked all 100,000 hosts to find none (0.5 s). Fetching
    the few ids first makes the page an index lookup whatever the statistics say; with many stale hosts the
    ordinary plan finds a page of them quickly."""
    if filt.stale is not True:
        return None
    ids = [str(row[0]) for row in conn.execute(
        select(hosts.c.host_id).where(_stale(now, filt.stale_minutes)).limit(SPARSE_STALE + 1))]
    return ids if len(ids) <= SPARSE_STALE else None


def _host_where(filt: HostFilter, now: float, stale_ids: list[str] | None = None) -> list[ColumnElement[bool]]:
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
    after, before = filter_epoch(filt.last_seen_after), filter_epoch(filt.last_seen_before)
    if after is not None:
        where.append(hosts.c.last_seen >= after)
    if before is not None:
        where.append(hosts.c.last_seen < before)
    if stale_ids is not None:
        where.append(fh.c.host_id.in_(stale_ids))
    elif filt.stale is not None:
        stale = _stale(now, filt.stale_minutes)
        where.append(stale if filt.stale else ~stale)
    install_clauses = _install_clauses(filt)
    if install_clauses:
        present = fi.c.removed_at.is_(None)
        where.append(exists().where(fi.c.host_id == fh.c.host_id, present, *install_clauses))
    return where


def _order(sort: str, columns: dict[str, Any], tiebreak: Any) -> list[Any]:
    column = columns[sort.lstrip("-")]
    primary = column.desc() if sort.startswith("-") else column.asc()
    return [primary, tiebreak.asc()]


def _host_select() -> Select[Any]:
    return select(fh, hosts.c.last_seen).select_from(fh.join(hosts, hosts.c.host_id == fh.c.host_id))


def list_hosts(conn: Connection, filt: HostFilter, now: float | None = None) -> Page[dict[str, Any]]:
    now = time.time() if now is None else now
    stale_ids = _few_stale_ids(conn, filt, now)
    where = _host_where(filt, now, stale_ids)
    columns = {"hostname": fh.c.hostname, "last_seen": hosts.c.last_seen, "installs": fh.c.installs,
               "max_severity": fh.c.max_severity, "inventory_at": fh.c.inventory_at}
    needs_hosts = (filt.stale is not None and stale_ids is None) or bool(filt.last_seen_after or filt.last_seen_before)
    base = fh.join(hosts, hosts.c.host_id == fh.c.host_id) if needs_hosts or "last_seen" in filt.sort else fh
    # Page the ids first (narrow, index-ordered), then fetch the page's rows: a deep OFFSET then skips
    # index entries instead of joined rows.
    page_ids = [str(row[0]) for row in conn.execute(
        select(fh.c.host_id).select_from(base).where(*where)
        .order_by(*_order(filt.sort, columns, fh.c.host_id)).limit(filt.limit).offset(filt.offset))]
    position = {host_id: index for index, host_id in enumerate(page_ids)}
    fetched: Any = conn.execute(_host_select().where(fh.c.host_id.in_(page_ids))) if page_ids else []
    stale_before = now - filt.stale_minutes * 60
    rows = sorted((HostRow.read(row, stale_before) for row in fetched), key=lambda row: position[row["host_id"]])
    counted = fh.join(hosts, hosts.c.host_id == fh.c.host_id) if needs_hosts else fh
    total, exact = count_matches(conn, counted, where, exact=filt.exact_total, offset=filt.offset, limit=filt.limit)
    return Page(rows, total, exact)


def iter_matches(conn: Connection, lister: Callable[[Connection, F], Page[R]], filt: F, *, most: int,
                 chunk: int = 1000) -> Iterator[R]:
    """Every row ``lister`` (list_hosts, list_installs, list_alerts) matches, up to ``most``, paged through the
    database ``chunk`` rows at a time (for exports)."""
    page = filt.model_copy(update={"limit": chunk})
    sent = 0
    while sent < most:
        rows = lister(conn, page).rows[:most - sent]
        yield from rows
        sent += len(rows)
        if len(rows) < chunk:
            return
        page = page.model_copy(update={"offset": page.offset + chunk})


def fleet_counts(conn: Connection, stale_minutes: int = 15, now: float | None = None) -> dict[str, int]:
    """The console's headline counts. The inventory ones are kept at ingest (``counters``); enrolled and
    stale are counted in ``cw_hosts``, stale through its ``last_seen`` index, so that count costs what the
    number of stale hosts costs, not the fleet's size. Stale counts every enrolled host whose sensor has not
    been heard from in ``stale_minutes``, including one that never sent an inventory."""
    now = time.time() if now is None else now
    stale_hosts = select(func.count()).select_from(hosts).where(_stale(now, stale_minutes))
    stale = int(conn.execute(stale_hosts).scalar_one())
    enrolled = int(conn.execute(select(func.count()).select_from(hosts)).scalar_one())
    return {"enrolled": enrolled, **counters.read(conn), "stale": stale}


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


def list_installs(conn: Connection, filt: InstallFilter, now: float | None = None) -> Page[dict[str, Any]]:
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
    stale_ids = _few_stale_ids(conn, host_filter, now)
    host_where = _host_where(host_filter, now, stale_ids)
    where.extend(host_where)
    joined = fi.join(fh, fh.c.host_id == fi.c.host_id)
    if (host_filter.stale is not None and stale_ids is None) or host_filter.last_seen_after \
            or host_filter.last_seen_before:
        joined = joined.join(hosts, hosts.c.host_id == fi.c.host_id)
    columns = {"hostname": fh.c.hostname, "version": fi.c.version_key, "last_seen": fi.c.last_seen,
               "first_seen": fi.c.first_seen, "product": fi.c.product}
    query = (select(fi, fh.c.hostname).select_from(joined).where(*where)
             .order_by(*_order(filt.sort, columns, fi.c.install_id)).limit(filt.limit).offset(filt.offset))
    rows = [_install_row(row) for row in conn.execute(query)]
    # Every install belongs to a projected host (both are written together), so without host-level filters the
    # count needs only the installs table.
    counted = joined if host_where else fi
    total, exact = count_matches(conn, counted, where, exact=filt.exact_total, offset=filt.offset, limit=filt.limit)
    return Page(rows, total, exact)


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
        "inventory": HostRow.read(fleet, now - stale_minutes * 60) if fleet else None,
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
    rec = tables.records
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


def list_alerts(conn: Connection, filt: AlertFilter) -> Page[dict[str, Any]]:
    al = tables.alerts
    where: list[ColumnElement[bool]] = []
    if filt.rule_id:
        where.append(al.c.rule_id == filt.rule_id)
    if filt.level:
        where.append(al.c.level.in_([level.value for level in filt.level]))
    if filt.min_level:
        where.append(al.c.level_rank >= filt.min_level.rank)
    if filt.host:
        where.append(or_(al.c.host_id == filt.host, al.c.hostname == filt.host))
    since, until = filter_epoch(filt.since), filter_epoch(filt.until)
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
    total, exact = count_matches(conn, al, where, exact=filt.exact_total, offset=filt.offset, limit=filt.limit)
    return Page(rows, total, exact)


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
