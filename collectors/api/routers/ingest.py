"""POST /api/v1/ingest: a batch of records from one sensor, JSON, optionally gzip-compressed."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from collectors import metrics
from collectors.api.auth import bearer_token, check_role, principal_for
from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError, describe_validation_errors, error_response
from collectors.api.settings import CollectorSettings
from collectors.fleet.projection import after_ingest
from collectors.forwarders.relay import OutboxRelay
from collectors.ingest import body
from collectors.ingest.rate_limit import RateLimiter
from collectors.ingest.read import read_fresh
from collectors.ingest.writer import SeqConflict, UnencodableBody, WriteResult, write_batch
from collectors.store import Store, outbox
from collectors.store.credentials import Role
from sensor.schema.records import RecordKind
from sensor.schema.wire import ErrorCode, ErrorResponse, IngestBatch, IngestResponse


class _CountedRefusals(APIRoute):
    """Counts every refused ingest request by its error code (``clawwatch_ingest_rejected{reason}``), whether a
    dependency (the bearer token) or the handler refused it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def counted(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                metrics.INGEST_REJECTED.labels(reason=str(exc.code)).inc()
                raise
            except OperationalError:
                metrics.INGEST_REJECTED.labels(reason=str(ErrorCode.unavailable)).inc()
                raise

        return counted


router = APIRouter(tags=["ingest"], route_class=_CountedRefusals)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 409, 413, 415, 422, 429)
}


def _parse(data: bytes) -> IngestBatch:
    try:
        return IngestBatch.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors(include_input=False)
        if any(err.get("type") == "json_invalid" for err in errors):
            raise ApiError(400, ErrorCode.malformed_json, "request body is not valid JSON") from None
        raise ApiError(422, ErrorCode.invalid_body, describe_validation_errors(errors)) from None


async def _read_body(request: Request, settings: CollectorSettings) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, ErrorCode.unsupported_media_type, "send Content-Type: application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise ApiError(413, ErrorCode.body_too_large, f"request body exceeds {settings.max_body_bytes} bytes")
    try:
        raw = await body.read_limited(request.stream(), settings.max_body_bytes)
        return body.decode(raw, request.headers.get("content-encoding", ""), settings.max_decoded_bytes)
    except body.BodyTooLarge as exc:
        raise ApiError(413, ErrorCode.body_too_large, str(exc)) from None
    except body.BadEncoding as exc:
        code = 415 if "unsupported" in str(exc) else 400
        errcode = ErrorCode.unsupported_encoding if code == 415 else ErrorCode.malformed_json
        raise ApiError(code, errcode, str(exc)) from None


def _forwarded_alerts(conn: Connection, batch: IngestBatch, inserted_seqs: list[int], min_rank: int) -> int:
    """Queue the alerts this batch newly stored for the forwarders (the outbox, inside this transaction)."""
    inserted = set(inserted_seqs)
    fresh = [record.record_id for record in batch.records if record.seq in inserted and record.kind == RecordKind.alert]
    return outbox.enqueue(conn, fresh, min_rank) if fresh else 0


def _authorize_and_store(store: Store, limiter: RateLimiter, token: str, data: bytes, addr: str | None, *,
                         forward_from: int | None) -> tuple[WriteResult, int]:
    """Everything after the body is read, in ONE worker-thread hop and ONE transaction (a heartbeat is small:
    thread hand-offs and connection check-outs were most of its cost): the token, the role, the batch, its host,
    the host's rate, then the write, the projection and, when this process forwards (``forward_from``: the lowest
    level rank forwarded), the outbox. Returns the write and how many alerts were queued for forwarding. Errors
    raise ApiError / SeqConflict / UnencodableBody and roll back."""
    with metrics.INGEST_BATCH_SECONDS.time(), store.engine.begin() as conn:
        principal = check_role(principal_for(conn, token), Role.sensor)
        batch = _parse(data)
        if batch.host_id != principal.host_id:
            raise ApiError(403, ErrorCode.host_mismatch, "this sensor token may only write its own host's records")
        wait = limiter.take(batch.host_id, max(1, len(batch.records)))
        if wait:
            raise ApiError(429, ErrorCode.rate_limited, "this host is over its ingest rate; retry later",
                           {"Retry-After": str(max(1, math.ceil(wait)))})
        received_at = time.time()
        result = write_batch(conn, batch, received_at, addr)
        after_ingest(conn, batch, result.inserted_seqs, received_at, read_fresh(batch, result.inserted_seqs))
        queued = _forwarded_alerts(conn, batch, result.inserted_seqs, forward_from) if forward_from is not None else 0
        return result, queued


@router.post(
    "/api/v1/ingest",
    response_model=IngestResponse,
    responses=_ERRORS,
    summary="Store a batch of records from the calling sensor's host (idempotent by host and sequence)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestBatch"}}},
        }
    },
)
async def ingest(request: Request, store: StoreDep, token: str = Depends(bearer_token)) -> Response:
    settings: CollectorSettings = request.app.state.settings
    data = await _read_body(request, settings)
    addr = request.client.host if request.client else None
    relay: OutboxRelay | None = request.app.state.relay
    try:
        result, queued = await run_in_threadpool(
            functools.partial(_authorize_and_store, forward_from=relay.min_rank if relay is not None else None),
            store, request.app.state.host_limiter, token, data, addr)
    except SeqConflict as exc:
        raise ApiError(409, ErrorCode.seq_conflict, f"{exc}; first: {exc.seqs[:10]}") from None
    except UnencodableBody as exc:
        raise ApiError(422, ErrorCode.invalid_body, str(exc)) from None
    if queued and relay is not None:
        relay.wake()  # the transaction committed: the alerts may go now
    if result.replay:
        # Everything was already stored, identically: nothing new is written. The acked list lets a sensor
        # whose acknowledgement was lost delete its copies.
        metrics.INGEST_REJECTED.labels(reason=str(ErrorCode.replayed_batch)).inc()
        return error_response(409, ErrorCode.replayed_batch, "every record of this batch is already stored",
                              acked=result.acked)
    # Serialised here (the shape is response_model's, which the OpenAPI document publishes): FastAPI's own
    # response validation was a measurable share of a heartbeat's cost.
    body = IngestResponse(acked=result.acked, inserted=result.inserted, duplicates=result.duplicates,
                          missing=result.missing)
    return Response(content=body.model_dump_json(), media_type="application/json")

