"""Fleet inventory API (analyst or admin): hosts and installs with filters, counts, host detail and timeline,
CSV/JSON export. Filtering and paging run in the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse

from collectors import metrics
from collectors.api.auth import Principal, require
from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.exports.rows import iter_csv, iter_json_array
from collectors.fleet import queries
from collectors.fleet.filters import PRINTABLE, HostFilter, InstallFilter
from collectors.fleet.models import (
    HOST_COLUMNS,
    FleetCounts,
    HostDetail,
    HostPage,
    InstallPage,
    TimelineEntry,
    page_fields,
)
from collectors.store import Store
from collectors.store.credentials import Role
from sensor.schema.wire import ErrorCode, ErrorResponse

router = APIRouter(prefix="/api/v1/fleet", tags=["fleet"])
_ERR: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404, 422)}
Analyst = Annotated[Principal, Depends(require(Role.analyst))]
ExportFormat = Literal["csv", "json"]
EXPORT_LIMIT = 1_000_000


def export_response(rows: Iterator[dict[str, Any]], columns: tuple[str, ...], fmt: ExportFormat,
                    name: str) -> StreamingResponse:
    if fmt == "csv":
        body: Iterator[Any] = (line.encode() for line in iter_csv(rows, columns))
        media = "text/csv; charset=utf-8"
    else:
        body = iter_json_array({key: row.get(key) for key in columns} for row in rows)
        media = "application/json"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


def export_matches(store: Store, lister: Any, filt: Any, *, columns: tuple[str, ...], fmt: ExportFormat,
                   name: str) -> StreamingResponse:
    """Every row a list query matches (up to EXPORT_LIMIT), streamed as CSV or JSON."""
    def rows() -> Iterator[dict[str, Any]]:
        with store.engine.connect() as conn:
            yield from queries.iter_matches(conn, lister, filt, most=EXPORT_LIMIT)

    return export_response(rows(), columns, fmt, name)


@router.get("/summary", response_model=FleetCounts, responses=_ERR,
            summary="Counts at the top of the console: hosts with OpenClaw, exposed, with shell/Gmail/Slack")
def summary(store: StoreDep, _p: Analyst,
            stale_minutes: Annotated[int, Query(ge=1, le=525_600)] = 15) -> FleetCounts:
    with metrics.QUERY_SECONDS.labels("fleet_summary").time(), store.engine.connect() as conn:
        return FleetCounts(**queries.fleet_counts(conn, stale_minutes))


@router.get("/hosts", response_model=HostPage, responses=_ERR, summary="Hosts, filtered, sorted and paged")
def hosts(store: StoreDep, _p: Analyst, filt: Annotated[HostFilter, Query()]) -> HostPage:
    with metrics.QUERY_SECONDS.labels("fleet_hosts").time(), store.engine.connect() as conn:
        page = queries.list_hosts(conn, filt)
    return HostPage(**page_fields(page, filt))


@router.get("/hosts.{fmt}", responses=_ERR, summary="Every host matching the filters, as CSV or JSON")
def hosts_export(store: StoreDep, _p: Analyst, fmt: ExportFormat,
                 filt: Annotated[HostFilter, Query()]) -> StreamingResponse:
    return export_matches(store, queries.list_hosts, filt, columns=HOST_COLUMNS, fmt=fmt, name="hosts")


@router.get("/installs", response_model=InstallPage, responses=_ERR,
            summary="OpenClaw installs across the fleet, filtered, sorted and paged")
def installs(store: StoreDep, _p: Analyst, filt: Annotated[InstallFilter, Query()]) -> InstallPage:
    with metrics.QUERY_SECONDS.labels("fleet_installs").time(), store.engine.connect() as conn:
        page = queries.list_installs(conn, filt)
    return InstallPage(**page_fields(page, filt))


@router.get("/installs.{fmt}", responses=_ERR, summary="Every install matching the filters, as CSV or JSON")
def installs_export(store: StoreDep, _p: Analyst, fmt: ExportFormat,
                    filt: Annotated[InstallFilter, Query()]) -> StreamingResponse:
    return export_matches(store, queries.list_installs, filt, columns=queries.INSTALL_COLUMNS, fmt=fmt,
                          name="installs")


def _resolve(conn: Any, host: str) -> str:
    host_id = queries.resolve_host(conn, host)
    if host_id is None:
        raise ApiError(404, ErrorCode.not_found, "no host with this id or hostname")
    return host_id


@router.get("/hosts/{host}", response_model=HostDetail, responses=_ERR,
            summary="One host (host id or hostname): latest inventory, installs with history, alert counts")
def host(store: StoreDep, _p: Analyst, host: Annotated[str, Path(max_length=255, pattern=PRINTABLE)],
         stale_minutes: Annotated[int, Query(ge=1, le=525_600)] = 15) -> HostDetail:
    with metrics.QUERY_SECONDS.labels("fleet_host").time(), store.engine.connect() as conn:
        detail = queries.host_detail(conn, _resolve(conn, host), stale_minutes)
    if detail is None:
        raise ApiError(404, ErrorCode.not_found, "no host with this id or hostname")
    return HostDetail(**detail)


@router.get("/hosts/{host}/timeline", response_model=list[TimelineEntry], responses=_ERR,
            summary="One host's inventory changes, alerts and health reports, newest first")
def timeline(store: StoreDep, _p: Analyst, host: Annotated[str, Path(max_length=255, pattern=PRINTABLE)],
             limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[TimelineEntry]:
    with metrics.QUERY_SECONDS.labels("fleet_timeline").time(), store.engine.connect() as conn:
        entries = queries.host_timeline(conn, _resolve(conn, host), limit)
    return [TimelineEntry(**entry) for entry in entries]
