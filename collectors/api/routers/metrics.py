"""GET /metrics: the collector's Prometheus metrics (collectors/metrics.py), for an analyst or admin token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from collectors.api.auth import require
from collectors.store.credentials import Role

router = APIRouter()


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require(Role.analyst))])
def metrics() -> Response:
    """Prometheus text format; scrape with an analyst token (``authorization: credentials: <token>``)."""
    return Response(content=generate_latest(), media_type=CONTENT_TYPE_LATEST)
