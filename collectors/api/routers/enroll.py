"""POST /api/v1/enroll: a shared enroll secret -> a per-host sensor token (the previous one is revoked)."""

from __future__ import annotations

import math
import time

from fastapi import APIRouter, Request
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.ingest.rate_limit import RateLimiter
from collectors.store import tables
from collectors.store.credentials import Role, create_token, find_enroll_secret, revoke_host_tokens
from sensor.schema.wire import EnrollRequest, EnrollResponse, ErrorCode, ErrorResponse

router = APIRouter(tags=["enroll"])


def _upsert_host(conn: Connection, req: EnrollRequest) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    hosts = tables.hosts
    now = time.time()  # enrolling is hearing from the host: it is not stale
    stmt = dialect.insert(hosts).values(
        host_id=req.host_id, hostname=req.hostname, sensor_version=req.sensor_version,
        enrolled_at=now, last_seen=now, max_seq=0, record_count=0, duplicate_count=0,
        spool_dropped_total=0, spool_rejected_total=0,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[hosts.c.host_id],
        set_={"hostname": req.hostname, "sensor_version": req.sensor_version, "last_seen": now},
    )
    conn.execute(stmt)
    max_seq = conn.execute(select(hosts.c.max_seq).where(hosts.c.host_id == req.host_id)).scalar_one()
    return int(max_seq)


@router.post(
    "/api/v1/enroll",
    response_model=EnrollResponse,
    responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    summary="Exchange the shared enroll secret for a per-host sensor token",
)
def enroll(req: EnrollRequest, request: Request, store: StoreDep) -> EnrollResponse:
    limiter: RateLimiter = request.app.state.enroll_limiter
    addr = request.client.host if request.client else "unknown"
    wait = limiter.take(addr)
    if wait:
        raise ApiError(429, ErrorCode.rate_limited, "too many enrollment attempts from this address",
                       {"Retry-After": str(max(1, math.ceil(wait)))})
    with store.engine.begin() as conn:
        if find_enroll_secret(conn, req.enroll_secret) is None:
            raise ApiError(401, ErrorCode.invalid_enroll_secret,
                           "the enroll secret is not valid; ask the collector admin for the current one")
        max_seq = _upsert_host(conn, req)
        revoke_host_tokens(conn, req.host_id)
        label = f"enrolled {req.hostname}"[:200]
        _, token = create_token(conn, Role.sensor, host_id=req.host_id, label=label)
    return EnrollResponse(host_id=req.host_id, token=token, next_seq=max_seq + 1)
