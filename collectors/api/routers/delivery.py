"""Delivery status per host (analyst): what was received, what is missing, what the spool dropped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from sqlalchemy import select

from collectors.api.auth import Principal, require
from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.ingest.writer import missing_ranges
from collectors.store import tables
from collectors.store.credentials import Role
from sensor.schema.wire import HOST_ID_PATTERN, ErrorCode, ErrorResponse

router = APIRouter(tags=["delivery"])


class HostDelivery(BaseModel):
    host_id: str
    hostname: str
    sensor_version: str
    enrolled_at: float
    last_seen: float | None
    max_seq: int
    record_count: int
    duplicate_count: int = Field(description="Records received again and ignored (retries, replays)")
    missing: int = Field(description="Sequence numbers up to max_seq never received (drops, losses)")
    spool_dropped_total: int
    spool_rejected_total: int
    spool_dropped_by_severity: dict[str, int] | None
    spool_records: int | None
    spool_bytes: int | None
    missing_ranges: list[tuple[int, int]] | None = None


def _host(row: Any) -> HostDelivery:
    return HostDelivery(
        host_id=row.host_id, hostname=row.hostname, sensor_version=row.sensor_version,
        enrolled_at=row.enrolled_at, last_seen=row.last_seen, max_seq=row.max_seq,
        record_count=row.record_count, duplicate_count=row.duplicate_count,
        missing=row.max_seq - row.record_count, spool_dropped_total=row.spool_dropped_total,
        spool_rejected_total=row.spool_rejected_total,
        spool_dropped_by_severity=row.spool_dropped_by_severity,
        spool_records=row.spool_records, spool_bytes=row.spool_bytes,
    )


@router.get("/api/v1/delivery/hosts", response_model=list[HostDelivery],
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
def list_hosts(store: StoreDep, _p: Principal = Depends(require(Role.analyst))) -> list[HostDelivery]:  # noqa: B008
    with store.engine.connect() as conn:
        rows = conn.execute(select(tables.hosts).order_by(tables.hosts.c.host_id)).all()
    return [_host(row) for row in rows]


@router.get("/api/v1/delivery/hosts/{host_id}", response_model=HostDelivery,
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                       404: {"model": ErrorResponse}})
def get_host(
    store: StoreDep,
    host_id: str = Path(pattern=HOST_ID_PATTERN),
    _p: Principal = Depends(require(Role.analyst)),  # noqa: B008
) -> HostDelivery:
    with store.engine.connect() as conn:
        row = conn.execute(select(tables.hosts).where(tables.hosts.c.host_id == host_id)).first()
        if row is None:
            raise ApiError(404, ErrorCode.not_found, "no host with this id has enrolled")
        host = _host(row)
        host.missing_ranges = missing_ranges(conn, host_id, row.pruned_through_seq) if host.missing else []
    return host
